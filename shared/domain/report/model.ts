import type { AlertRecord } from '../anomaly/alerts.js';
import type { BoscContainerState } from '../anomaly/bosc.js';
import type { ContainerState, DataSource } from '../container.js';
import type { EpochMillis } from '../ids.js';
import type { AdvisoryDbSummary, ImageLintFinding, PackageDbSummary } from '../images/report.js';
import type { AdvisoryFinding, AdvisorySeverity } from '../images/report.js';
import type { EvidenceKind, Finding, Severity } from '../posture/model.js';
import type { PostureScore } from '../posture/score.js';
import type { SyscallAlertHit } from '../syscalls/model.js';

/**
 * The report: one document that combines the host, every selected container's posture, image findings and
 * runtime behaviour, with the methodology behind each. Plain data, deterministic given its inputs (no clock,
 * no randomness: `generatedAt` is an input). The HTML/PDF rendering, the JSON export (validated against
 * REPORT_JSON_SCHEMA) and the SARIF export are all made from this value.
 */

/** Bump when a field changes meaning or is removed; adding optional fields does not bump it. */
export const REPORT_FORMAT_VERSION = 1;

/** The parts a report can contain; the host and the summary are always there. */
export const REPORT_SECTIONS = ['posture', 'images', 'syscalls', 'seccomp', 'anomalies'] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

/** The export formats of `report:export` and `bulkhead report --format`. */
export const REPORT_FORMATS = ['pdf', 'html', 'json', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The time range the runtime sections cover (posture and images are as of `generatedAt`). */
export interface ReportWindow {
  readonly from: EpochMillis;
  readonly to: EpochMillis;
}

/** The host and its engine. */
export interface ReportHost {
  /** How the engine is reached, e.g. `unix:///var/run/docker.sock`. */
  readonly endpoint: string;
  /** Null when no engine answered (the report then says so; demo data carries the recorded engine). */
  readonly engine: {
    readonly name: string;
    readonly version: string;
    readonly apiVersion: string;
    readonly os: string;
    readonly arch: string;
    readonly kernelVersion: string;
    readonly operatingSystem: string;
  } | null;
  /** The daemon checks (userns-remap, authorization plugins, live-restore, TLS …) and their score. */
  readonly posture:
    | {
        readonly state: 'assessed';
        readonly score: PostureScore;
        readonly findings: readonly Finding[];
        readonly evidenceKind: EvidenceKind;
        /** Why some daemon facts are undecided (dockerd's command line unreadable, a remote engine …). */
        readonly notes?: readonly string[];
      }
    | { readonly state: 'unavailable'; readonly reason: string };
}

/** One container's posture section. */
export type ReportPosture =
  | {
      readonly state: 'assessed';
      readonly score: PostureScore;
      /** Every finding, in rule order (the matrix), with its evidence. */
      readonly findings: readonly Finding[];
      readonly evidenceKind: EvidenceKind;
      readonly notes: readonly string[];
    }
  | { readonly state: 'unavailable'; readonly reason: string };

/** One container's image section. */
export type ReportImage =
  | {
      readonly state: 'scanned';
      readonly imageId: string;
      readonly refs: readonly string[];
      readonly ageDays: number | null;
      readonly os: string | null;
      readonly ecosystem: string | null;
      readonly packageDb: PackageDbSummary;
      /** Null when no advisory database is imported (every finding is then absent, and the report says why). */
      readonly db: AdvisoryDbSummary | null;
      readonly severityCounts: Readonly<Record<AdvisorySeverity, number>>;
      /** Worst first, then by package and advisory id. */
      readonly vulnerabilities: readonly AdvisoryFinding[];
      readonly lint: readonly ImageLintFinding[];
      readonly scannedAt: EpochMillis;
    }
  | { readonly state: 'unavailable'; readonly reason: string };

/** One syscall and its count over the report window. */
export interface ReportSyscallCount {
  readonly syscall: string;
  readonly count: number;
}

/** One container's runtime section: what it was seen calling during the window. */
export type ReportSyscalls =
  | {
      readonly state: 'observed';
      /** Events in the window, all syscalls. */
      readonly total: number;
      /** The top syscalls by count in the window (ties: by name), at most REPORT_TOP_SYSCALLS. */
      readonly top: readonly ReportSyscallCount[];
      /** What the top list leaves out. */
      readonly rest: { readonly syscalls: number; readonly count: number };
      /** Built-in syscall alerts seen (ptrace, mount, unshare …) in the window, worst first. */
      readonly alerts: readonly SyscallAlertHit[];
      /**
       * True when the source kept only each subject's top syscalls (a recording): counts of the others are
       * missing, and alert first/last seconds are the window's bounds.
       */
      readonly topOnly?: boolean;
    }
  | { readonly state: 'unavailable'; readonly reason: string };

/** One container's generated seccomp profile, summarised. */
export type ReportSeccomp =
  | {
      readonly state: 'generated';
      readonly observedNames: number;
      /** Syscalls the generated profile allows, and Docker's default for the same container. */
      readonly allowed: number;
      readonly defaultAllowed: number | null;
      readonly reductionPct: number | null;
      /** "this profile allows 77 of the 295 syscalls the default allows: −74 %". */
      readonly sentence: string;
      /** The running-phase profile, when a start-up boundary was found. */
      readonly runningPhase: {
        readonly allowed: number;
        readonly reductionPct: number | null;
        readonly startupOnly: readonly string[];
      } | null;
    }
  | { readonly state: 'unavailable'; readonly reason: string };

/** One container's anomaly section. */
export type ReportAnomalies =
  | {
      readonly state: 'monitored';
      /**
       * Null when the detector has no state for the container: it saw none of its syscalls, or it followed
       * as many containers as it may already (the detector was full).
       */
      readonly bosc: BoscContainerState | null;
      /** Alerts on this container from every source (built-in rules, Falco), worst first. */
      readonly alerts: readonly AlertRecord[];
    }
  | { readonly state: 'unavailable'; readonly reason: string };

/** Everything the report says about one container. Sections not chosen are absent. */
export interface ReportContainer {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly posture?: ReportPosture;
  readonly imageFindings?: ReportImage;
  readonly syscalls?: ReportSyscalls;
  readonly seccomp?: ReportSeccomp;
  readonly anomalies?: ReportAnomalies;
}

/** One line of the summary page: the few facts a manager needs, each tied to a container (or the host). */
export interface ReportHighlight {
  readonly severity: Severity;
  /** Container name, or null for the host. */
  readonly container: string | null;
  /** A plain sentence, e.g. "runs privileged: it can do almost anything root on the host can". */
  readonly text: string;
}

/** The summary page. */
export interface ReportSummary {
  readonly containers: number;
  /** Per container: name, posture score and grade (null when not assessed), vulnerabilities by severity. */
  readonly rows: readonly {
    readonly id: string;
    readonly name: string;
    readonly score: number | null;
    readonly grade: string | null;
    readonly vulnerabilities: Readonly<Record<AdvisorySeverity, number>> | null;
    /** Distinct alert rules that fired on it (window syscall alerts and the anomaly timeline, deduplicated). */
    readonly alerts: number;
    readonly anomalous: boolean;
  }[];
  readonly hostScore: number | null;
  /** Sum over the distinct images of the selected containers (an image shared by two is counted once). */
  readonly vulnerabilities: Readonly<Record<AdvisorySeverity, number>>;
  /** Worst first, at most REPORT_MAX_HIGHLIGHTS. */
  readonly highlights: readonly ReportHighlight[];
  /** Highlights left out by the bound (the sections list them all). */
  readonly moreHighlights?: number;
}

/** How each part was obtained: the source, the DB, configuration-only vs kernel evidence. */
export interface MethodologyNote {
  readonly section: ReportSection | 'host';
  readonly text: string;
}

/** The report. */
export interface Report {
  readonly format: 'bulkhead-report';
  readonly formatVersion: typeof REPORT_FORMAT_VERSION;
  readonly generator: { readonly name: 'Bulkhead'; readonly version: string };
  readonly generatedAt: EpochMillis;
  readonly window: ReportWindow;
  /** Live data, or the embedded demo scenario (then every page says so). */
  readonly source: DataSource;
  readonly sections: readonly ReportSection[];
  readonly host: ReportHost;
  readonly summary: ReportSummary;
  readonly containers: readonly ReportContainer[];
  readonly methodology: readonly MethodologyNote[];
  /** The syscall source the runtime sections came from, e.g. "eBPF (bpftrace, counts per 250 ms)"; null: none. */
  readonly runtimeSource: string | null;
}

/** Bounds that keep a report readable and its size bounded. */
export const REPORT_TOP_SYSCALLS = 20;
export const REPORT_MAX_HIGHLIGHTS = 12;
