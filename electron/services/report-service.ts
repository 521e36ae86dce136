import type { ContainerList, ContainerSummary } from '../../shared/domain/container.js';
import type { ConnectionState, EngineInfo } from '../../shared/domain/engine.js';
import type { ContainerId, EpochMillis } from '../../shared/domain/ids.js';
import type { AdvisoryDbSummary, ImageScanReport } from '../../shared/domain/images/report.js';
import { buildReport } from '../../shared/domain/report/build.js';
import type {
  ReportAnomalyInput,
  ReportContainerInput,
  ReportInputs,
  ReportRuntimeInput,
  Unavailable,
} from '../../shared/domain/report/build.js';
import { reportJson } from '../../shared/domain/report/json.js';
import type { Report, ReportFormat, ReportSection } from '../../shared/domain/report/model.js';
import { REPORT_SECTIONS } from '../../shared/domain/report/model.js';
import { reportSarifText } from '../../shared/domain/report/sarif.js';
import type { SeccompReport } from '../../shared/domain/seccomp/report.js';
import type {
  PostureReport,
  PushMap,
  ReportExportPhase,
  ReportExportResult,
  ReportRequest,
  RequestOf,
} from '../../shared/ipc/contract.js';
import { Pushes } from '../../shared/ipc/contract.js';
import type { ClientRef } from '../../shared/ipc/dispatch.js';
import { BulkheadError, toErrorData } from '../../shared/ipc/result.js';
import { assertNever } from '../../shared/util/assert-never.js';
import type { AnomalySubscriptionSnapshot } from './anomaly-service.js';
import type { PushEnvelope } from './app-core.js';
import type { Clock } from './ports.js';
import type { ReportFilePort, ReportRendererPort, RevealPort } from './report-ports.js';
import type { SubscriptionWindow } from './syscall-service.js';

/**
 * The report service behind `report:build`, `report:export` and `report:reveal`.
 *
 * It gathers what the other services know — the engine's state, the posture of the selected containers
 * and of the host, their images' scans (run now when not cached, one after another, with progress), the
 * client's syscall subscription's window counts and a seccomp profile per container, the client's anomaly
 * subscription's snapshot — hands it to the pure buildReport, and for an export turns the Report into the
 * file: JSON and SARIF here, HTML and PDF through the ReportRendererPort. Files are written through the
 * ReportFilePort (a temporary file and a rename), so a failed write leaves an existing file as it was.
 */

/** What the report service reads from the other services (wired by app-core-impl). */
export interface ReportServiceDeps {
  readonly version: string;
  readonly clock: Pick<Clock, 'now'>;
  /** The engine's connection state (waiting briefly for the first verdict). */
  readonly engineState: () => Promise<ConnectionState>;
  /** The engine a demo scenario was recorded on; null without one. */
  readonly demoEngine: () => Promise<EngineInfo | null>;
  readonly containers: () => Promise<ContainerList>;
  readonly posture: (ids: readonly ContainerId[]) => Promise<PostureReport>;
  readonly scanImage: (imageId: string) => Promise<ImageScanReport>;
  readonly dbStatus: () => Promise<AdvisoryDbSummary | null>;
  readonly syscallWindow: (
    client: ClientRef,
    subId: string,
    lastSeconds: number | null,
  ) => SubscriptionWindow;
  readonly seccomp: (client: ClientRef, subId: string, subject: string) => Promise<SeccompReport>;
  readonly anomaly: (client: ClientRef, subId: string) => AnomalySubscriptionSnapshot;
  /** Absent: HTML and PDF exports fail with `report-renderer-unavailable`. */
  readonly renderer?: ReportRendererPort;
  readonly files: ReportFilePort;
  /** Absent: `report:reveal` answers `revealed: false`. */
  readonly reveal?: RevealPort;
  readonly publish: (push: PushEnvelope) => void;
}

/** The report service. */
export interface ReportService {
  build(client: ClientRef, request: ReportRequest): Promise<Report>;
  export(client: ClientRef, request: RequestOf<'report:export'>): Promise<ReportExportResult>;
  reveal(path: string): Promise<{ readonly revealed: boolean }>;
  dispose(): Promise<void>;
}

/** Most exported paths remembered for `report:reveal` (only files this engine wrote can be revealed). */
const MAX_REVEALABLE = 64;

function reasonOf(e: unknown): string {
  return toErrorData(e).message;
}

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'the directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'the path is a directory',
};

/**
 * A write that failed, as the error a client gets: a BulkheadError from the writer stays as it is (it
 * already names its errno); anything else becomes `write-failed` naming the errno.
 */
export function writeFailure(path: string, e: unknown): BulkheadError {
  if (e instanceof BulkheadError) return e;
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : null;
  const why = code !== null ? `${ERRNO_WORDS[code] ?? 'the write failed'} (${code})` : reasonOf(e);
  return new BulkheadError(
    'write-failed',
    `Could not write ${path}: ${why}; an existing file there is unchanged.`,
    {
      cause: e,
    },
  );
}

function unavailable(reason: string): Unavailable {
  return { state: 'unavailable', reason };
}

/** Create the report service. */
export function createReportService(deps: ReportServiceDeps): ReportService {
  const written: string[] = [];

  type Progress = (phase: ReportExportPhase, message: string, done?: number, total?: number) => void;

  const gather = async (client: ClientRef, request: ReportRequest, progress: Progress): Promise<Report> => {
    const sections: readonly ReportSection[] = request.sections ?? REPORT_SECTIONS;
    const chosen = new Set(sections);
    progress('gathering', 'reading the engine and its containers');
    const list = await deps.containers();
    let selected: ContainerSummary[];
    if (request.containers === undefined) selected = [...list.containers];
    else {
      const byId = new Map(list.containers.map((c) => [c.id as string, c]));
      const missing = request.containers.filter((id) => !byId.has(id));
      if (missing.length > 0)
        throw new BulkheadError(
          'not-found',
          `no such container: ${missing.map((id) => id.slice(0, 12)).join(', ')}`,
        );
      selected = [...new Set(request.containers)].map((id) => byId.get(id) as ContainerSummary);
    }
    progress('gathering', 'assessing posture');
    const posture = await deps.posture(selected.map((c) => c.id));
    const postureById = new Map(posture.containers.map((e) => [e.id as string, e]));

    // Images: each distinct image once, in a stable order.
    const scans = new Map<string, ReportContainerInput['imageScan']>();
    if (chosen.has('images')) {
      const ids = [...new Set(selected.map((c) => c.imageId).filter((id) => id !== ''))].sort();
      let done = 0;
      for (const imageId of ids) {
        const users = selected.filter((c) => c.imageId === imageId).map((c) => c.name);
        progress('scanning-images', `scanning ${users[0] ?? imageId}'s image`, done, ids.length);
        if (list.source.kind === 'demo')
          scans.set(
            imageId,
            unavailable('demo data: the recorded images are not on an engine to be scanned'),
          );
        else
          scans.set(
            imageId,
            await deps.scanImage(imageId).then(
              (report) => ({ state: 'scanned' as const, report }),
              (e: unknown) => unavailable(`the image could not be scanned: ${reasonOf(e)}`),
            ),
          );
        done++;
      }
      if (ids.length > 0) progress('scanning-images', 'images scanned', done, ids.length);
    }

    let runtime: ReportRuntimeInput | null = null;
    let window: SubscriptionWindow | null = null;
    if (request.syscallsSubId !== undefined) {
      window = deps.syscallWindow(client, request.syscallsSubId, request.windowSeconds ?? null);
      runtime = {
        label: window.label,
        kind: window.kind,
        sequence: window.sequence,
        live: window.live,
        counts: window.counts,
        restarts: window.outages.length,
        requestedSeconds: request.windowSeconds ?? null,
      };
    }
    const profiles = new Map<string, ReportContainerInput['seccomp']>();
    if (chosen.has('seccomp') && request.syscallsSubId !== undefined) {
      const subId = request.syscallsSubId;
      progress('gathering', 'generating seccomp profiles');
      for (const c of selected)
        profiles.set(
          c.id,
          await deps.seccomp(client, subId, c.id).then(
            (report) => ({ state: 'generated' as const, report }),
            (e: unknown) =>
              toErrorData(e).code === 'not-found'
                ? unavailable('no syscalls of this container were observed, so no profile was generated')
                : unavailable(`no profile: ${reasonOf(e)}`),
          ),
        );
    }
    let anomaly: ReportAnomalyInput | null = null;
    if (request.anomalySubId !== undefined) {
      const a = deps.anomaly(client, request.anomalySubId);
      anomaly = {
        label: a.label,
        snapshot: a.snapshot,
        trainingEpochs: a.settings.trainingEpochs,
        epochSize: a.settings.epochSize,
        windowSize: a.settings.windowSize,
      };
    }

    const db = await deps.dbStatus().catch(() => null);
    const state = await deps.engineState();
    const engine =
      state.phase === 'connected'
        ? state.engine
        : list.source.kind === 'demo'
          ? await deps.demoEngine()
          : null;
    const now = deps.clock.now();
    const counts = window?.counts ?? null;
    const inputs: ReportInputs = {
      generatorVersion: deps.version,
      generatedAt: now,
      window:
        counts === null
          ? { from: now, to: now }
          : { from: (counts.from * 1000) as EpochMillis, to: ((counts.to + 1) * 1000) as EpochMillis },
      source: list.source,
      sections,
      endpoint: state.endpoint.url,
      engine,
      engineUnreachable: state.phase === 'disconnected' ? state.error.message : null,
      enginePosture:
        posture.engine.state === 'assessed' || posture.engine.state === 'error'
          ? posture.engine
          : unavailable('the engine could not be assessed'),
      evidenceKind: posture.evidenceKind,
      containers: selected.map((c): ReportContainerInput => {
        const entry = postureById.get(c.id);
        const p =
          entry === undefined
            ? unavailable('posture was not assessed')
            : entry.result.state === 'unavailable'
              ? unavailable(entry.result.error.message)
              : entry.result;
        return {
          id: c.id,
          name: c.name,
          image: c.image,
          imageId: c.imageId,
          state: c.state,
          posture: p,
          ...(scans.has(c.imageId)
            ? { imageScan: scans.get(c.imageId) }
            : chosen.has('images')
              ? { imageScan: unavailable('the container has no image id') }
              : {}),
          ...(profiles.has(c.id) ? { seccomp: profiles.get(c.id) } : {}),
        };
      }),
      db,
      runtime,
      anomaly,
    };
    return buildReport(inputs);
  };

  const silent: Progress = () => undefined;

  return {
    build: (client, request) => gather(client, request, silent),

    async export(client, request) {
      const started = deps.clock.now();
      const { format, path, exportId } = request;
      let phase: ReportExportPhase = 'gathering';
      const progress: Progress = (p, message, done = 0, total = 0) => {
        phase = p;
        const payload: PushMap['report:progress'] = { exportId, phase: p, message, done, total };
        deps.publish({ channel: Pushes.reportProgress, payload, to: client.id });
      };
      try {
        if ((format === 'html' || format === 'pdf') && deps.renderer === undefined)
          throw rendererUnavailable(format);
        const report = await gather(client, request, progress);
        const { bytes, pages } = await renderReportFile(report, format, deps.renderer, (message) =>
          progress('rendering', message),
        );
        progress('writing', `writing ${bytes.length} bytes`);
        const absolute = await deps.files.write(path, bytes).catch((e: unknown) => {
          throw writeFailure(path, e);
        });
        written.push(absolute);
        if (written.length > MAX_REVEALABLE) written.shift();
        progress('done', `wrote ${absolute}`, 1, 1);
        return { path: absolute, format, bytes: bytes.length, pages, durationMs: deps.clock.now() - started };
      } catch (e) {
        const data = toErrorData(e);
        progress('failed', `${phase}: ${data.message}`);
        throw e;
      }
    },

    async reveal(path) {
      if (!written.includes(path))
        throw new BulkheadError('not-found', 'only a report this engine has written can be revealed');
      return { revealed: (await deps.reveal?.reveal(path)) ?? false };
    },

    async dispose() {
      await deps.renderer?.dispose?.();
    },
  };
}

/**
 * The bytes of a report file: JSON and SARIF text made here, HTML and PDF by the renderer (absent: the
 * `report-renderer-unavailable` error). Shared by `report:export` and the CLI.
 */
export async function renderReportFile(
  report: Report,
  format: ReportFormat,
  renderer: ReportRendererPort | undefined,
  onProgress: (message: string) => void = () => undefined,
): Promise<{ readonly bytes: Uint8Array; readonly pages: number | null }> {
  switch (format) {
    case 'json':
      return { bytes: new TextEncoder().encode(reportJson(report)), pages: null };
    case 'sarif':
      return { bytes: new TextEncoder().encode(reportSarifText(report)), pages: null };
    case 'html':
    case 'pdf': {
      if (renderer === undefined) throw rendererUnavailable(format);
      onProgress(`rendering the ${format.toUpperCase()}`);
      const out = await renderer.render(report, format, onProgress);
      return { bytes: out.bytes, pages: format === 'pdf' ? out.pages : null };
    }
    default:
      return assertNever(format, 'report format');
  }
}

/** The error for an HTML or PDF report without a renderer. */
export function rendererUnavailable(format: 'html' | 'pdf'): BulkheadError {
  return new BulkheadError(
    'report-renderer-unavailable',
    `A ${format.toUpperCase()} report needs a renderer (Chromium), and none is wired into this engine; JSON and SARIF work without one.`,
  );
}
