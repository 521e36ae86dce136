import type { BoscSettings, MismatchThreshold } from '../domain/anomaly/bosc.js';
import type { FalcoLineError } from '../domain/anomaly/falco.js';
import type { AnomalySnapshot } from '../domain/anomaly/monitor.js';
import type { ContainerList, ContainerSummary, DataSource } from '../domain/container.js';
import type { ConnectionState } from '../domain/engine.js';
import type { ContainerId, EpochMillis } from '../domain/ids.js';
import type { ContainerPosture, EnginePosture } from '../domain/posture/evaluate.js';
import type { EvidenceKind } from '../domain/posture/model.js';
import type { ImageScanReport, ImageScanState, AdvisoryDbSummary } from '../domain/images/report.js';
import type {
  EpochSeconds,
  ReplayPosition,
  ReplaySpeed,
  SourceState,
  SyscallFrame,
} from '../domain/syscalls/model.js';
import type { SeccompReport } from '../domain/seccomp/report.js';
import type { Report, ReportFormat, ReportSection } from '../domain/report/model.js';
import type { LabContainerStatus, LabRole } from '../domain/lab.js';
import type { ErrorData } from './result.js';

/**
 * The one API contract between the engine (main process, browser-mode server, CLI) and the renderer.
 *
 * Channel strings appear here and nowhere else. Requests are `domain:verb`, pushes `domain:noun`. This file
 * imports no runtime code so the preload bundle can include it without zod.
 */
export const Channels = {
  engineDescribe: 'engine:describe',
  containersList: 'containers:list',
  containersInspect: 'containers:inspect',
  demoConfigure: 'demo:configure',
  appDescribe: 'app:describe',
  postureAssess: 'posture:assess',
  syscallsSources: 'syscalls:sources',
  syscallsSubscribe: 'syscalls:subscribe',
  syscallsUnsubscribe: 'syscalls:unsubscribe',
  syscallsControl: 'syscalls:control',
  imagesScan: 'images:scan',
  imagesStatus: 'images:status',
  dbStatus: 'db:status',
  seccompGenerate: 'seccomp:generate',
  anomalySubscribe: 'anomaly:subscribe',
  anomalyUnsubscribe: 'anomaly:unsubscribe',
  anomalyImportFalco: 'anomaly:import-falco',
  reportBuild: 'report:build',
  reportExport: 'report:export',
  reportReveal: 'report:reveal',
  labStatus: 'lab:status',
  labUp: 'lab:up',
  labAttack: 'lab:attack',
  labDown: 'lab:down',
} as const;

/** Pushes from the engine to every renderer. */
export const Pushes = {
  engineState: 'engine:state',
  containersChanged: 'containers:changed',
  syscallsFrame: 'syscalls:frame',
  syscallsState: 'syscalls:state',
  imagesProgress: 'images:progress',
  anomalySnapshot: 'anomaly:snapshot',
  anomalyState: 'anomaly:state',
  reportProgress: 'report:progress',
  labProgress: 'lab:progress',
} as const;

export type RequestChannel = (typeof Channels)[keyof typeof Channels];
export type PushChannel = (typeof Pushes)[keyof typeof Pushes];

export const REQUEST_CHANNELS: readonly RequestChannel[] = Object.values(Channels);
export const PUSH_CHANNELS: readonly PushChannel[] = Object.values(Pushes);

/** Whether `value` names a request channel. */
export function isRequestChannel(value: unknown): value is RequestChannel {
  return typeof value === 'string' && (REQUEST_CHANNELS as readonly string[]).includes(value);
}

/** Whether `value` names a push channel. */
export function isPushChannel(value: unknown): value is PushChannel {
  return typeof value === 'string' && (PUSH_CHANNELS as readonly string[]).includes(value);
}

/** How the engine is being run. */
export type AppMode = 'desktop' | 'browser' | 'cli';

/** Facts about the running Bulkhead itself. */
export interface AppDescription {
  readonly version: string;
  readonly mode: AppMode;
  /** Whether an embedded demo scenario was found and can be shown. */
  readonly demoAvailable: boolean;
  /** Whether demo data is shown while no engine is reachable (the default). */
  readonly showDemoWhenDisconnected: boolean;
}

/** One container with the raw `docker inspect` document it was mapped from. */
export interface ContainerDetails {
  readonly summary: ContainerSummary;
  /** The engine's inspect JSON, untouched. Rendered as inert text, never as markup. */
  readonly inspect: unknown;
}

/** One container's posture, or why it could not be assessed (gone between list and inspect, /proc refused). */
export interface ContainerPostureEntry {
  readonly id: ContainerId;
  readonly name: string;
  readonly result: ContainerPosture | { readonly state: 'unavailable'; readonly error: ErrorData };
}

/**
 * The answer to `posture:assess`: the engine's (host) posture and every requested container's.
 *
 * `evidenceKind` is `kernel` for a local engine (verdicts proven from /proc where a container runs) and for
 * demo data recorded with its /proc evidence, and `configuration-only` for a remote engine. `source` says
 * whether the report is live or a recording.
 */
export interface PostureReport {
  readonly source: DataSource;
  readonly assessedAt: EpochMillis;
  readonly evidenceKind: EvidenceKind;
  readonly engine: EnginePosture;
  readonly containers: readonly ContainerPostureEntry[];
}

/**
 * Which syscall source to start. Paths name a file on the machine the engine runs on. A recording with
 * `loop` starts over at its end; `lab-session` is the recorded lab session shipped with Bulkhead
 * (`bulkhead lab record`), replayed in a loop: it needs no engine and no tracer.
 */
export type SyscallSourceRequest =
  | { readonly kind: 'bpf' }
  | { readonly kind: 'sysdig-live' }
  | { readonly kind: 'sysdig-capture'; readonly path: string; readonly speed: ReplaySpeed }
  | {
      readonly kind: 'recording';
      readonly path: string;
      readonly speed: ReplaySpeed;
      readonly loop?: boolean;
    }
  | { readonly kind: 'lab-session'; readonly speed: ReplaySpeed };

/** What the source picker shows for each kind of source. */
export interface SyscallSourceInfo {
  readonly kind: SyscallSourceRequest['kind'];
  readonly label: string;
  /** Whether it can start here; when not, `reason` says why in one sentence (tool missing, no driver, no root). */
  readonly available: boolean;
  readonly reason: string | null;
  /** Whether it carries the syscall sequence (needed for anomaly detection) or counts only. */
  readonly sequence: boolean;
  /** Its limits, shown next to the charts (e.g. "counts per 250 ms, no arguments"). */
  readonly note: string;
}

/** One image in use by containers, and where its scan stands. */
export interface ImageStatusEntry {
  readonly imageId: string;
  readonly refs: readonly string[];
  /** The containers using it (an image shared by several containers is scanned once). */
  readonly containers: readonly ContainerId[];
  readonly state: ImageScanState;
}

/**
 * Which sequence source drives anomaly detection. Only sources that carry the syscall *order* can: the eBPF
 * sequence program (one record per syscall, costlier than the counting eBPF source) or a sysdig capture read
 * to its end. The count-only sources (eBPF counts, recordings) cannot drive BoSC.
 */
export type AnomalySourceRequest =
  { readonly kind: 'bpf' } | { readonly kind: 'sysdig-capture'; readonly path: string };

/**
 * The BoSC settings a client may choose (shared/domain/anomaly/bosc.ts, BoscSettings); unset ones take
 * DEFAULT_BOSC_SETTINGS. The hash mask is a test knob and is not offered.
 */
export interface AnomalySettingsRequest {
  readonly windowSize?: number;
  readonly epochSize?: number;
  readonly trainingEpochs?: number;
  readonly threshold?: MismatchThreshold;
  readonly maxBags?: number;
  readonly maxSyscalls?: number;
  readonly maxContainers?: number;
  readonly maxAnomalies?: number;
  readonly hintSize?: number;
}

/** What `anomaly:import-falco` read from a Falco JSON file; its alerts joined the subscription's timeline. */
export interface AnomalyImportSummary {
  /** The file, made absolute. */
  readonly path: string;
  readonly lines: number;
  /** Alerts parsed (and folded into the timeline, deduplicated per rule and container). */
  readonly alerts: number;
  /** Of those, alerts dropped because the alert table was full. */
  readonly dropped: number;
  /** Lines refused, and the first of them with their reasons. */
  readonly malformed: number;
  readonly errors: readonly FalcoLineError[];
}

/**
 * An outage of a restarted live tracer, in whole seconds (`to` null while the restart is under way): no
 * syscall of those seconds reached the detector, and every container's window restarted after it.
 */
export interface AnomalyOutage {
  readonly from: EpochSeconds;
  readonly to: EpochSeconds | null;
}

/**
 * What a report covers. `containers` absent: every container; `sections` absent: every section;
 * `windowSeconds` absent: everything the syscall subscription still holds. `syscallsSubId` / `anomalySubId`
 * name this client's live subscriptions the runtime sections come from; absent, those sections say
 * "not observed: no syscall source was running".
 */
export interface ReportRequest {
  readonly containers?: readonly ContainerId[];
  readonly sections?: readonly ReportSection[];
  readonly windowSeconds?: number;
  readonly syscallsSubId?: string;
  readonly anomalySubId?: string;
}

/** The phases of one export, in order (`failed` ends it early). */
export type ReportExportPhase = 'gathering' | 'scanning-images' | 'rendering' | 'writing' | 'done' | 'failed';

/** What `report:export` wrote. */
export interface ReportExportResult {
  /** The file, absolute. */
  readonly path: string;
  readonly format: ReportFormat;
  readonly bytes: number;
  /** Pages of a PDF; null for the other formats (and when the renderer did not count them). */
  readonly pages: number | null;
  readonly durationMs: number;
}

/** The demo lab's operations (`lab:up`, `lab:attack`, `lab:down`). */
export type LabOp = 'up' | 'attack' | 'down';

/** One line of a lab operation's log: the CLI's words, and how it ended (`blocked`: EPERM or EACCES). */
export interface LabLine {
  readonly text: string;
  readonly tone: 'info' | 'step' | 'through' | 'blocked' | 'failed' | 'error';
}

/** How a lab operation ended. */
export type LabDone =
  { readonly ok: true; readonly summary: string } | { readonly ok: false; readonly error: ErrorData };

/** A lab operation: running (`done` null) or the last one, with its log. */
export interface LabOpView {
  readonly opId: string;
  readonly op: LabOp;
  /** The attacked role; null for up and down. */
  readonly target: LabRole | null;
  readonly startedAt: EpochMillis;
  readonly lines: readonly LabLine[];
  readonly done: LabDone | null;
}

/**
 * The answer to `lab:status`: the lab's containers on the engine, and why the lab cannot run here when it
 * cannot (no engine, a remote engine, an image missing for `up`), each in one sentence.
 */
export interface LabStatusReport {
  /** The engine's URL; null when none is resolved. */
  readonly engine: string | null;
  /** Why no lab operation can run here, or null. */
  readonly blocked: string | null;
  /** Why `up` cannot run (a missing image), or null. */
  readonly upBlocked: string | null;
  readonly containers: readonly LabContainerStatus[];
  /** The operation running, or the last one. */
  readonly op: LabOpView | null;
}

/** Request payload per channel. */
export interface RequestMap {
  'engine:describe': Record<string, never>;
  'containers:list': Record<string, never>;
  'containers:inspect': { readonly id: ContainerId };
  'demo:configure': { readonly showDemoWhenDisconnected: boolean };
  'app:describe': Record<string, never>;
  /** Every container when `ids` is absent. */
  'posture:assess': { readonly ids?: readonly ContainerId[] };
  'syscalls:sources': Record<string, never>;
  /** Start a source for this client; frames arrive as `syscalls:frame` pushes tagged with the subId. */
  'syscalls:subscribe': { readonly source: SyscallSourceRequest };
  'syscalls:unsubscribe': { readonly subId: string };
  /** Replay controls (the timeline scrubber); ignored fields stay as they are. */
  'syscalls:control': {
    readonly subId: string;
    readonly seek?: number;
    readonly speed?: ReplaySpeed;
    readonly playing?: boolean;
  };
  /** Scan (or return the cached scan of) an image by id (`sha256:…`) or reference; progress as pushes. */
  'images:scan': { readonly image: string; readonly force?: boolean };
  /** Every image used by a container, with its scan state; scans not yet run are queued. */
  'images:status': Record<string, never>;
  'db:status': Record<string, never>;
  /**
   * A seccomp profile from what one subject of a subscription was seen calling (its token: a container id,
   * `host` or `<NA>`), with the split-phase analysis; `healthyAt` (epoch seconds) is when its health check
   * turned healthy, the start-up boundary; else the set of new syscalls must stop growing for `quietSeconds`.
   */
  'seccomp:generate': {
    readonly subId: string;
    readonly subject: string;
    readonly healthyAt?: number;
    readonly quietSeconds?: number;
  };
  /**
   * Start anomaly detection (BoSC per container and the built-in syscall alerts) on a sequence source for
   * this client; snapshots arrive as `anomaly:snapshot` pushes tagged with the subId.
   */
  'anomaly:subscribe': {
    readonly source: AnomalySourceRequest;
    readonly settings?: AnomalySettingsRequest;
  };
  'anomaly:unsubscribe': { readonly subId: string };
  /** Read a Falco JSON-lines alert file into the subscription's alert timeline. */
  'anomaly:import-falco': { readonly subId: string; readonly path: string };
  /** Gather and build the report (image scans not yet run are run first). */
  'report:build': ReportRequest;
  /**
   * Build the report and write it to `path` (absolute; written through a temporary file and a rename, so
   * a failed write leaves an existing file as it was); progress as `report:progress` pushes tagged with
   * `exportId` (the caller's), to this client only.
   */
  'report:export': ReportRequest & {
    readonly format: ReportFormat;
    readonly path: string;
    readonly exportId: string;
  };
  /** Show a written file in the desktop's file manager; elsewhere `revealed: false`. */
  'report:reveal': { readonly path: string };
  'lab:status': Record<string, never>;
  /** Lab operations start and answer at once; their lines and end arrive as `lab:progress` pushes. */
  'lab:up': Record<string, never>;
  'lab:attack': { readonly target: LabRole };
  'lab:down': Record<string, never>;
}

/** Response value per channel (inside a Result envelope). */
export interface ResponseMap {
  'engine:describe': ConnectionState;
  'containers:list': ContainerList;
  'containers:inspect': ContainerDetails;
  'demo:configure': AppDescription;
  'app:describe': AppDescription;
  'posture:assess': PostureReport;
  'syscalls:sources': readonly SyscallSourceInfo[];
  'syscalls:subscribe': { readonly subId: string; readonly state: SourceState };
  'syscalls:unsubscribe': { readonly subId: string };
  'syscalls:control': { readonly replay: ReplayPosition | null };
  'images:scan': ImageScanReport;
  'images:status': readonly ImageStatusEntry[];
  /** Null when no advisory database has been imported yet. */
  'db:status': AdvisoryDbSummary | null;
  'seccomp:generate': SeccompReport;
  /** The settings in effect (defaults filled in). */
  'anomaly:subscribe': {
    readonly subId: string;
    readonly state: SourceState;
    readonly settings: BoscSettings;
  };
  'anomaly:unsubscribe': { readonly subId: string };
  'anomaly:import-falco': AnomalyImportSummary;
  'report:build': Report;
  'report:export': ReportExportResult;
  'report:reveal': { readonly revealed: boolean };
  'lab:status': LabStatusReport;
  'lab:up': { readonly opId: string };
  'lab:attack': { readonly opId: string };
  'lab:down': { readonly opId: string };
}

/**
 * Payload per push.
 *
 * `containers:changed` is an invalidation, not data: the renderer re-fetches (debounced). `ids: 'all'` after
 * a reconnect or a demo/live switch.
 */
export interface PushMap {
  'engine:state': ConnectionState;
  'containers:changed': { readonly ids: readonly ContainerId[] | 'all' };
  /** At most 4 Hz per subscription, each frame with its drop counts (never raw events). */
  'syscalls:frame': { readonly subId: string; readonly frame: SyscallFrame };
  'syscalls:state': { readonly subId: string; readonly state: SourceState };
  'images:progress': { readonly imageId: string; readonly state: ImageScanState };
  /**
   * Every container's BoSC state and the alert timeline, at most 4 Hz per subscription (a newer snapshot
   * replaces one not yet sent), with the live tracer's outages.
   */
  'anomaly:snapshot': {
    readonly subId: string;
    readonly snapshot: AnomalySnapshot;
    readonly outages: readonly AnomalyOutage[];
  };
  'anomaly:state': { readonly subId: string; readonly state: SourceState };
  /** One export's progress, to the client that asked for it; `done`/`total` count the phase's steps. */
  'report:progress': {
    readonly exportId: string;
    readonly phase: ReportExportPhase;
    readonly message: string;
    readonly done: number;
    readonly total: number;
  };
  /** A lab operation's next line (`line`), or its end (`done`), to every client. */
  'lab:progress': {
    readonly opId: string;
    readonly op: LabOp;
    readonly target: LabRole | null;
    readonly line: LabLine | null;
    readonly done: LabDone | null;
  };
}

export type RequestOf<C extends RequestChannel> = RequestMap[C];
export type ResponseOf<C extends RequestChannel> = ResponseMap[C];
export type PushOf<P extends PushChannel> = PushMap[P];
