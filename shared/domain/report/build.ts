import { ADVISORY_SEVERITIES } from '../advisories/severity.js';
import type { AdvisorySeverity } from '../advisories/severity.js';
import type { AlertRecord } from '../anomaly/alerts.js';
import { ruleForSyscall } from '../anomaly/alerts.js';
import type { AnomalySnapshot } from '../anomaly/monitor.js';
import type { ContainerState, DataSource } from '../container.js';
import type { EngineInfo } from '../engine.js';
import type { EpochMillis } from '../ids.js';
import type { AdvisoryDbSummary, AdvisoryFinding, ImageScanReport } from '../images/report.js';
import type { ContainerPosture, EnginePosture } from '../posture/evaluate.js';
import type { EvidenceKind, Finding, Severity } from '../posture/model.js';
import { SEVERITIES } from '../posture/model.js';
import type { SeccompReport } from '../seccomp/report.js';
import type { EpochSeconds, SubjectTotals, SyscallAlertHit, SyscallWindowCounts } from '../syscalls/model.js';
import {
  REPORT_FORMAT_VERSION,
  REPORT_MAX_HIGHLIGHTS,
  REPORT_SECTIONS,
  REPORT_TOP_SYSCALLS,
} from './model.js';
import type {
  MethodologyNote,
  Report,
  ReportAnomalies,
  ReportContainer,
  ReportHighlight,
  ReportHost,
  ReportImage,
  ReportPosture,
  ReportSeccomp,
  ReportSection,
  ReportSummary,
  ReportSyscalls,
  ReportWindow,
} from './model.js';

/**
 * buildReport: the Report from what the services gathered, as plain domain data. Pure and deterministic:
 * the time (`generatedAt`), the window and every datum are inputs; every list comes out sorted; the same
 * inputs give a deep-equal report (and byte-equal JSON).
 */

/** Something that could not be had, and why (one sentence). */
export interface Unavailable {
  readonly state: 'unavailable';
  readonly reason: string;
}

/** One selected container and what was gathered for it. Sections not asked for may be left undefined. */
export interface ReportContainerInput {
  /** The full id. */
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly imageId: string;
  readonly state: ContainerState;
  readonly posture?: ContainerPosture | Unavailable;
  /** The scan of the container's image (shared by the containers using it). */
  readonly imageScan?: { readonly state: 'scanned'; readonly report: ImageScanReport } | Unavailable;
  /** A profile generated from what the syscall source saw the container call. */
  readonly seccomp?: { readonly state: 'generated'; readonly report: SeccompReport } | Unavailable;
}

/** The syscall source the runtime sections come from. */
export interface ReportRuntimeInput {
  /** E.g. `eBPF (bpftrace), live`. */
  readonly label: string;
  readonly kind: 'bpf' | 'sysdig-live' | 'sysdig-capture' | 'recording';
  /** Whether it carries the syscall order (sysdig) or counts only (eBPF counts, recordings). */
  readonly sequence: boolean;
  readonly live: boolean;
  /** The window's counts; null when the source had counted nothing (yet) or was being restarted. */
  readonly counts: SyscallWindowCounts | null;
  /** Times a live tracer died and was restarted during the subscription. */
  readonly restarts: number;
  /** The window length asked for, in seconds; null: everything the source held. */
  readonly requestedSeconds: number | null;
}

/** The anomaly subscription the anomaly sections come from. */
export interface ReportAnomalyInput {
  /** E.g. `the eBPF sequence source`. */
  readonly label: string;
  /** Null before its source started. */
  readonly snapshot: AnomalySnapshot | null;
  readonly trainingEpochs: number;
  readonly epochSize: number;
  readonly windowSize: number;
}

/** Everything buildReport needs. */
export interface ReportInputs {
  readonly generatorVersion: string;
  readonly generatedAt: EpochMillis;
  /** The time range the runtime sections cover (from = to = generatedAt without a syscall source). */
  readonly window: ReportWindow;
  readonly source: DataSource;
  /** Absent: every section. */
  readonly sections?: readonly ReportSection[];
  readonly endpoint: string;
  /** The engine that answered (for demo data: the one it was recorded on); null: none did. */
  readonly engine: EngineInfo | null;
  /** Why no engine answered, when none did. */
  readonly engineUnreachable?: string | null;
  readonly enginePosture: EnginePosture | Unavailable;
  /** The posture assessment's evidence: kernel (local engine, /proc read) or configuration only. */
  readonly evidenceKind: EvidenceKind;
  readonly containers: readonly ReportContainerInput[];
  /** The advisory database as a whole at report time; null when none is imported. */
  readonly db: AdvisoryDbSummary | null;
  /** Null: no syscall source was running for this report. */
  readonly runtime: ReportRuntimeInput | null;
  /** Null: no anomaly detection was running for this report. */
  readonly anomaly: ReportAnomalyInput | null;
}

const NO_SYSCALL_SOURCE = 'not observed: no syscall source was running';
const NO_ANOMALY_SOURCE = 'not observed: no anomaly detection (syscall sequence source) was running';
const DAY_MS = 86_400_000;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const rank = (s: Severity): number => SEVERITIES.indexOf(s);
const advisoryRank = (s: AdvisorySeverity): number => ADVISORY_SEVERITIES.indexOf(s);

function emptyCounts(): Record<AdvisorySeverity, number> {
  const out = {} as Record<AdvisorySeverity, number>;
  for (const s of ADVISORY_SEVERITIES) out[s] = 0;
  return out;
}

/** Whether a source's container id (sysdig: 12 hex digits) and an engine id name the same container. */
export function sameContainer(sourceId: string, engineId: string): boolean {
  if (sourceId.length < 12 || engineId.length < 12) return sourceId === engineId;
  return engineId.startsWith(sourceId) || sourceId.startsWith(engineId);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// ----- sections --------------------------------------------------------------------------------------

function hostOf(inputs: ReportInputs): ReportHost {
  const e = inputs.engine;
  const p = inputs.enginePosture;
  let posture: ReportHost['posture'];
  if (p.state === 'assessed')
    posture = {
      state: 'assessed',
      score: p.score,
      findings: p.findings,
      evidenceKind: inputs.evidenceKind,
      notes: [...p.notes],
    };
  else if (p.state === 'error') posture = { state: 'unavailable', reason: p.error.message };
  else posture = p;
  return {
    endpoint: inputs.endpoint,
    engine:
      e === null
        ? null
        : {
            name: e.name,
            version: e.version,
            apiVersion: e.apiVersion,
            os: e.os,
            arch: e.arch,
            kernelVersion: e.kernelVersion,
            operatingSystem: e.operatingSystem,
          },
    posture,
  };
}

function postureOf(input: ReportContainerInput): ReportPosture {
  const p = input.posture;
  if (p === undefined) return { state: 'unavailable', reason: 'posture was not assessed' };
  if (p.state === 'assessed')
    return {
      state: 'assessed',
      score: p.score,
      findings: p.findings,
      evidenceKind: p.evidenceKind,
      notes: [...p.notes],
    };
  if (p.state === 'error')
    return { state: 'unavailable', reason: `the inspect document could not be read: ${p.error.message}` };
  return p;
}

/** Worst first, then package, version and advisory id. */
function sortVulnerabilities(list: readonly AdvisoryFinding[]): AdvisoryFinding[] {
  return [...list].sort(
    (a, b) =>
      advisoryRank(a.severity.level) - advisoryRank(b.severity.level) ||
      cmp(a.package.name, b.package.name) ||
      cmp(a.package.version, b.package.version) ||
      cmp(a.advisoryId, b.advisoryId),
  );
}

function imageOf(input: ReportContainerInput): ReportImage {
  const s = input.imageScan;
  if (s === undefined) return { state: 'unavailable', reason: 'the image was not scanned' };
  if (s.state !== 'scanned') return s;
  const r = s.report;
  return {
    state: 'scanned',
    imageId: r.imageId,
    refs: [...r.refs].sort(),
    ageDays: r.ageDays,
    os:
      r.os === null
        ? null
        : (r.os.prettyName ?? `${r.os.id}${r.os.versionId !== null ? ` ${r.os.versionId}` : ''}`),
    ecosystem: r.ecosystem,
    packageDb: r.packageDb,
    db: r.db,
    severityCounts: { ...emptyCounts(), ...r.severityCounts },
    vulnerabilities: sortVulnerabilities(r.vulnerabilities),
    lint: r.lint,
    scannedAt: r.scannedAt,
  };
}

function findTotals(subjects: readonly SubjectTotals[], id: string): SubjectTotals | null {
  for (const t of subjects) if (t.subject.kind === 'container' && sameContainer(t.subject.id, id)) return t;
  return null;
}

/** The built-in syscall alerts of one subject's window counts, worst first, then latest, then by name. */
export function windowAlerts(
  t: SubjectTotals,
  window: { from: EpochSeconds; to: EpochSeconds },
): SyscallAlertHit[] {
  const hits: SyscallAlertHit[] = [];
  for (const [syscall, total] of Object.entries(t.bySyscall)) {
    const rule = ruleForSyscall(syscall);
    if (rule === null || total <= 0) continue;
    hits.push({
      subject: t.subject,
      syscall,
      ruleId: rule.id,
      title: rule.title,
      severity: rule.severity,
      firstSeen: t.firstSeen?.[syscall] ?? window.from,
      lastSeen: t.lastSeen?.[syscall] ?? window.to,
      total,
    });
  }
  return hits.sort(
    (a, b) => rank(a.severity) - rank(b.severity) || b.lastSeen - a.lastSeen || cmp(a.syscall, b.syscall),
  );
}

function syscallsOf(input: ReportContainerInput, runtime: ReportRuntimeInput | null): ReportSyscalls {
  if (runtime === null) return { state: 'unavailable', reason: NO_SYSCALL_SOURCE };
  const counts = runtime.counts;
  if (counts === null)
    return {
      state: 'unavailable',
      reason: `not observed: ${runtime.label} had counted nothing when the report was made`,
    };
  const t = findTotals(counts.subjects, input.id);
  const all = t === null ? [] : Object.entries(t.bySyscall).map(([syscall, count]) => ({ syscall, count }));
  all.sort((a, b) => b.count - a.count || cmp(a.syscall, b.syscall));
  const top = all.slice(0, REPORT_TOP_SYSCALLS);
  const rest = all.slice(REPORT_TOP_SYSCALLS);
  return {
    state: 'observed',
    total: all.reduce((n, c) => n + c.count, 0),
    top,
    rest: { syscalls: rest.length, count: rest.reduce((n, c) => n + c.count, 0) },
    alerts: t === null ? [] : windowAlerts(t, counts),
    ...(counts.topOnly ? { topOnly: true } : {}),
  };
}

function seccompOf(input: ReportContainerInput, runtime: ReportRuntimeInput | null): ReportSeccomp {
  if (runtime === null) return { state: 'unavailable', reason: NO_SYSCALL_SOURCE };
  const s = input.seccomp;
  if (s === undefined) return { state: 'unavailable', reason: 'no profile was generated' };
  if (s.state !== 'generated') return s;
  const r = s.report;
  const allowed = r.whole.metadata.allowed.length;
  const vs = r.versusDefault;
  const reduction = vs.available ? vs.comparison.reduction : null;
  const notCompared = vs.available ? '' : vs.reason;
  const running = r.phases?.running ?? null;
  return {
    state: 'generated',
    observedNames: r.observedNames,
    allowed,
    defaultAllowed: reduction?.defaultAllowed ?? null,
    reductionPct: reduction?.reductionPct ?? null,
    sentence:
      reduction !== null
        ? reduction.sentence
        : `this profile allows ${allowed} syscalls; not compared with Docker's default (${notCompared})`,
    runningPhase:
      running === null || r.phases === null
        ? null
        : {
            allowed: running.metadata.allowed.length,
            reductionPct: r.phases.reduction?.reductionPct ?? null,
            startupOnly: [...r.phases.startupOnly],
          },
  };
}

function alertsFor(snapshot: AnomalySnapshot, id: string): AlertRecord[] {
  return snapshot.alerts
    .filter((a) => a.container !== null && sameContainer(a.container.id, id))
    .sort(
      (a, b) =>
        rank(a.severity) - rank(b.severity) ||
        b.lastSeen - a.lastSeen ||
        cmp(a.source, b.source) ||
        cmp(a.ruleId, b.ruleId) ||
        cmp(a.key, b.key),
    );
}

function anomaliesOf(input: ReportContainerInput, anomaly: ReportAnomalyInput | null): ReportAnomalies {
  if (anomaly === null) return { state: 'unavailable', reason: NO_ANOMALY_SOURCE };
  const snap = anomaly.snapshot;
  if (snap === null)
    return {
      state: 'unavailable',
      reason: `not observed: ${anomaly.label} had not started when the report was made`,
    };
  const state = snap.containers.find((c) => sameContainer(c.key, input.id));
  return { state: 'monitored', bosc: state?.bosc ?? null, alerts: alertsFor(snap, input.id) };
}

// ----- summary ---------------------------------------------------------------------------------------

/** Plain sentences for the failed posture checks a manager should hear about, by rule id. */
const POSTURE_SENTENCES: Readonly<Record<string, string>> = {
  privileged: 'runs privileged: it can do almost anything root on the host can',
  'docker-socket':
    'has the Docker engine socket mounted: whoever controls it controls every container and the host',
  'cap-add-all': 'was given every Linux capability (--cap-add ALL): root inside is close to root on the host',
  'host-pid': "shares the host's process namespace: it sees and can signal the host's processes",
  'host-network': "shares the host's network namespace: it can reach every port the host can",
  'host-ipc': "shares the host's IPC namespace: it can read other processes' shared memory",
  seccomp: 'runs without a seccomp filter: every system call of the kernel is open to it',
  'sensitive-mounts': 'has sensitive host paths mounted',
  'host-devices': 'has host devices passed in',
  'systempaths-unconfined': 'sees the unmasked /proc and /sys of the host (systempaths=unconfined)',
  capabilities: 'holds dangerous Linux capabilities beyond Docker’s default',
  'host-userns': 'opted out of user-namespace remapping: root inside is root on the host',
  'exec-privileged': 'had a privileged exec session opened in it',
  'daemon-tls':
    'the Docker engine listens on TCP without TLS: anyone who can reach the port controls the host',
};

function postureSentence(f: Finding): string {
  return (
    POSTURE_SENTENCES[f.ruleId] ??
    `fails the check “${f.title}”${f.cisId !== null ? ` (CIS ${f.cisId})` : ''}`
  );
}

interface Candidate extends ReportHighlight {
  readonly order: number;
}

function highlightsOf(
  host: ReportHost,
  containers: readonly ReportContainer[],
  inputs: ReportInputs,
  sections: ReadonlySet<ReportSection>,
): { list: ReportHighlight[]; more: number } {
  const out: Candidate[] = [];
  const add = (severity: Severity, container: string | null, text: string, order = 0): void => {
    out.push({ severity, container, text, order });
  };
  if (host.posture.state === 'assessed') {
    for (const f of host.posture.findings)
      if (f.status === 'fail' && rank(f.severity) <= rank('high'))
        add(f.severity, null, `The Docker engine: ${postureSentence(f)}.`);
  }
  // An image shared by several containers is named once, with the first container using it.
  const imagesSeen = new Set<string>();
  for (const c of containers) {
    const p = c.posture;
    if (p?.state === 'assessed')
      for (const f of p.findings)
        if (f.status === 'fail' && rank(f.severity) <= rank('high'))
          add(f.severity, c.name, `${postureSentence(f)}.`);
    const img = c.imageFindings;
    if (img?.state === 'scanned' && !imagesSeen.has(img.imageId)) {
      imagesSeen.add(img.imageId);
      const users = containers.filter(
        (o) => o.imageFindings?.state === 'scanned' && o.imageFindings.imageId === img.imageId,
      ).length;
      const also = users > 1 ? ` (also used by ${plural(users - 1, 'other container')})` : '';
      const crit = img.severityCounts.critical;
      const high = img.severityCounts.high;
      if (crit > 0 || high > 0) {
        const worst = img.vulnerabilities[0];
        const example = worst !== undefined ? `, e.g. ${worst.advisoryId} in ${worst.package.name}` : '';
        const counts = [crit > 0 ? `${crit} critical` : null, high > 0 ? `${high} high` : null]
          .filter((x) => x !== null)
          .join(' and ');
        add(
          crit > 0 ? 'critical' : 'high',
          c.name,
          `its image ${img.refs[0] ?? img.imageId} has ${counts} vulnerabilities${example}${also}.`,
        );
      }
    }
    const sc = c.syscalls;
    if (sc?.state === 'observed')
      for (const a of sc.alerts)
        if (rank(a.severity) <= rank('high'))
          add(
            a.severity,
            c.name,
            `called ${a.syscall} ${plural(a.total, 'time')} during the window: ${a.title}.`,
          );
    const an = c.anomalies;
    if (an?.state === 'monitored') {
      if (an.bosc?.phase === 'anomalous') {
        const hint = an.bosc.hint[0];
        add(
          'high',
          c.name,
          `behaved unlike what it was learned doing: ${plural(an.bosc.anomalousEpochs, 'anomalous epoch')}${hint !== undefined ? ` (most over-represented: ${hint.syscall})` : ''}.`,
        );
      }
      // A built-in rule already named from the window's counts is not named twice.
      const named = new Set(c.syscalls?.state === 'observed' ? c.syscalls.alerts.map((h) => h.ruleId) : []);
      for (const a of an.alerts)
        if (rank(a.severity) <= rank('high') && !(a.source === 'builtin' && named.has(a.ruleId)))
          add(
            a.severity,
            c.name,
            `${a.source === 'falco' ? 'Falco alert' : 'alert'}: ${a.title} (${plural(a.count, 'time')}).`,
          );
    }
  }
  if (sections.has('images')) {
    const db = inputs.db;
    if (db === null)
      add(
        'medium',
        null,
        'No advisory database is imported: image vulnerabilities were not checked (this is not "none found").',
        1,
      );
    else if (db.stale)
      add(
        'medium',
        null,
        `The advisory database is ${Math.floor(db.ageMs / DAY_MS)} days old: vulnerabilities published since are missing.`,
        1,
      );
  }
  out.sort(
    (a, b) =>
      rank(a.severity) - rank(b.severity) ||
      a.order - b.order ||
      (a.container === null ? (b.container === null ? 0 : -1) : b.container === null ? 1 : 0) ||
      cmp(a.container ?? '', b.container ?? '') ||
      cmp(a.text, b.text),
  );
  const list = out.slice(0, REPORT_MAX_HIGHLIGHTS).map(({ severity, container, text }) => ({
    severity,
    container,
    text,
  }));
  return { list, more: Math.max(0, out.length - REPORT_MAX_HIGHLIGHTS) };
}

function summaryOf(
  host: ReportHost,
  containers: readonly ReportContainer[],
  inputs: ReportInputs,
  sections: ReadonlySet<ReportSection>,
): ReportSummary {
  const vulnerabilities = emptyCounts();
  const counted = new Set<string>();
  const rows = containers.map((c) => {
    const p = c.posture;
    const img = c.imageFindings;
    if (img?.state === 'scanned' && !counted.has(img.imageId)) {
      counted.add(img.imageId);
      for (const s of ADVISORY_SEVERITIES) vulnerabilities[s] += img.severityCounts[s];
    }
    // Distinct rules: a built-in rule seen both in the window's counts and by the anomaly monitor is one.
    const rules = new Set<string>();
    if (c.syscalls?.state === 'observed') for (const a of c.syscalls.alerts) rules.add(`builtin:${a.ruleId}`);
    if (c.anomalies?.state === 'monitored')
      for (const a of c.anomalies.alerts) rules.add(`${a.source}:${a.ruleId}`);
    return {
      id: c.id,
      name: c.name,
      score: p?.state === 'assessed' ? p.score.value : null,
      grade: p?.state === 'assessed' ? p.score.grade : null,
      vulnerabilities: img?.state === 'scanned' ? img.severityCounts : null,
      alerts: rules.size,
      anomalous: c.anomalies?.state === 'monitored' && c.anomalies.bosc?.phase === 'anomalous',
    };
  });
  const { list, more } = highlightsOf(host, containers, inputs, sections);
  return {
    containers: containers.length,
    rows,
    hostScore: host.posture.state === 'assessed' ? host.posture.score.value : null,
    vulnerabilities,
    highlights: list,
    ...(more > 0 ? { moreHighlights: more } : {}),
  };
}

// ----- methodology -----------------------------------------------------------------------------------

function days(ms: number): string {
  const d = Math.floor(ms / DAY_MS);
  return d === 0 ? 'less than a day' : plural(d, 'day');
}

function methodologyOf(
  inputs: ReportInputs,
  host: ReportHost,
  containers: readonly ReportContainer[],
  sections: ReadonlySet<ReportSection>,
): MethodologyNote[] {
  const notes: MethodologyNote[] = [];
  const note = (section: MethodologyNote['section'], text: string): void => {
    notes.push({ section, text });
  };
  const src = inputs.source;
  if (src.kind === 'demo')
    note(
      'host',
      `DEMO DATA: this report shows the embedded demo scenario recorded on ${src.recordedOn} at ${iso(src.recordedAt)}, not a live engine (${src.reason}).`,
    );
  const e = host.engine;
  note(
    'host',
    e === null
      ? `No Docker engine answered at ${inputs.endpoint}${inputs.engineUnreachable != null ? ` (${inputs.engineUnreachable})` : ''}; the host section has no engine facts.`
      : `Engine reached at ${inputs.endpoint}: Docker ${e.version} (API ${e.apiVersion}) on ${e.operatingSystem}, ${e.os}/${e.arch}, kernel ${e.kernelVersion}. The host score rates the daemon's own settings (docker info, docker version${inputs.evidenceKind === 'kernel' ? ", dockerd's command line and daemon.json" : ''}).`,
  );
  note(
    'host',
    `Posture and image findings are as of ${iso(inputs.generatedAt)}; runtime sections cover ${iso(inputs.window.from)} to ${iso(inputs.window.to)}.`,
  );

  if (sections.has('posture')) {
    const all = containers.flatMap((c) => (c.posture?.state === 'assessed' ? c.posture.findings : []));
    const judged = all.filter((f) => f.status !== 'na' && f.status !== 'info');
    const kernel = judged.filter((f) => f.evidenceKind === 'kernel').length;
    note(
      'posture',
      inputs.evidenceKind === 'kernel'
        ? `Kernel evidence: for running containers on this machine's engine, verdicts marked "kernel" were read from /proc of the container's init process (capabilities, seccomp mode, no_new_privs, uid map, LSM label, namespaces): what the kernel enforces. ${kernel} of ${judged.length} verdicts rest on it. The others are configuration-only: they rest on docker inspect — what the engine was told — because the container was not running or the kernel does not expose the setting.`
        : 'Configuration only: every verdict rests on docker inspect — what the engine was told, not what the kernel enforces — because the engine is remote (or its /proc could not be read here). A container could be confined less than it looks.',
    );
    note(
      'posture',
      "Scores: 100 minus the failed checks' weights (critical 40, high 20, medium 8, low 3; a warning costs half); grade A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 55, else F. Checks that do not apply or could not be judged do not move the score.",
    );
  }

  if (sections.has('images')) {
    const scanned = new Map<string, ReportImage & { state: 'scanned' }>();
    for (const c of containers)
      if (c.imageFindings?.state === 'scanned') scanned.set(c.imageFindings.imageId, c.imageFindings);
    const db = inputs.db;
    note(
      'images',
      db === null
        ? 'No advisory database is imported: OS packages were read but not matched, so no vulnerability is reported — which does not mean there are none (bulkhead db update imports osv.dev data).'
        : `Advisories: the offline OSV database from ${db.source}, imported ${iso(db.importedAt)} (${days(db.ageMs)} old${db.stale ? ', STALE: older than 7 days, newer advisories are missing' : ''}), covering ${db.ecosystems.join(', ') || 'no ecosystem'}. Installed OS packages (dpkg, apk, rpm databases in the image) are matched by version range; language packages are not scanned.`,
    );
    note(
      'images',
      `${plural(scanned.size, 'distinct image')} scanned for the selected containers; an image shared by several containers is counted once in the totals.`,
    );
  }

  const rt = inputs.runtime;
  if (sections.has('syscalls') || sections.has('seccomp')) {
    if (rt === null)
      note(
        'syscalls',
        'No syscall source was running, so the runtime sections say "not observed": nothing is known about what the containers called.',
      );
    else {
      const c = rt.counts;
      const range =
        c === null
          ? 'it had counted nothing when the report was made'
          : `the window is ${iso(c.from * 1000)} to ${iso((c.to + 1) * 1000)} (${plural(c.to - c.from + 1, 'second')}${rt.requestedSeconds !== null && c.to - c.from + 1 < rt.requestedSeconds ? `, shorter than the ${rt.requestedSeconds} s asked for: the source held no more` : ''})`;
      note('syscalls', `Syscall source: ${rt.label}; ${range}.`);
      if (rt.kind === 'bpf')
        note(
          'syscalls',
          'eBPF counts: syscalls are counted per container in the kernel (raw_syscalls:sys_enter), without their order or arguments. That tracepoint fires after seccomp has decided, so calls the seccomp filter rejected are not counted. Calls made by the container runtime itself while setting the container up are listed under runc:<name>.',
        );
      else if (rt.kind === 'recording')
        note(
          'syscalls',
          "A Bulkhead recording keeps per-second counts of each container's top syscalls only: the other syscalls are missing from the counts, and alert times are the window's bounds.",
        );
      else
        note(
          'syscalls',
          `sysdig: every syscall enter event in order, placed in its container by sysdig (no arguments kept here). Its driver also hooks the syscall-entry tracepoint, after seccomp, so calls the seccomp filter rejected are not seen.${rt.kind === 'sysdig-capture' ? ' A capture shows the time it was recorded (possibly on another machine): containers of this engine may not appear in it.' : ''}`,
        );
      if (c !== null && (c.dropped.overflow > 0 || c.dropped.late > 0 || c.dropped.malformed > 0))
        note(
          'syscalls',
          `Not counted: ${c.dropped.overflow} events beyond the bound on distinct (container, syscall) pairs, ${c.dropped.late} that arrived older than the window, ${c.dropped.malformed} malformed lines.`,
        );
      if (rt.restarts > 0)
        note(
          'syscalls',
          `The live tracer stopped and was restarted ${plural(rt.restarts, 'time')}; the window starts at the last restart.`,
        );
    }
  }
  if (sections.has('seccomp') && rt !== null)
    note(
      'seccomp',
      "Seccomp profiles allow what each container was seen calling since the syscall source started, plus what the runtime needs; a code path not exercised while watched is not in the profile. They are compared with Docker's default profile, for the next start of the container.",
    );
  if (sections.has('anomalies')) {
    const a = inputs.anomaly;
    note(
      'anomalies',
      a === null
        ? 'No anomaly detection was running, so the anomaly sections say "not observed".'
        : `Anomaly detection: Bag of System Calls on ${a.label} (windows of ${a.windowSize} syscalls, epochs of ${a.epochSize}; the first ${a.trainingEpochs} epochs of each container train it), plus the built-in syscall alert rules and any imported Falco alerts. It covers everything the detector has seen since it started, not only the report window.`,
    );
  }
  return notes;
}

// ----- the report ------------------------------------------------------------------------------------

/** Build the report (see the module comment). */
export function buildReport(inputs: ReportInputs): Report {
  const chosen = new Set<ReportSection>(inputs.sections ?? REPORT_SECTIONS);
  // In the canonical order, whatever order they were asked in.
  const sections = REPORT_SECTIONS.filter((s) => chosen.has(s));
  const host = hostOf(inputs);
  const containers: ReportContainer[] = [...inputs.containers]
    .sort((a, b) => cmp(a.name, b.name) || cmp(a.id, b.id))
    .map((c) => ({
      id: c.id,
      name: c.name,
      image: c.image,
      state: c.state,
      ...(chosen.has('posture') ? { posture: postureOf(c) } : {}),
      ...(chosen.has('images') ? { imageFindings: imageOf(c) } : {}),
      ...(chosen.has('syscalls') ? { syscalls: syscallsOf(c, inputs.runtime) } : {}),
      ...(chosen.has('seccomp') ? { seccomp: seccompOf(c, inputs.runtime) } : {}),
      ...(chosen.has('anomalies') ? { anomalies: anomaliesOf(c, inputs.anomaly) } : {}),
    }));
  return {
    format: 'bulkhead-report',
    formatVersion: REPORT_FORMAT_VERSION,
    generator: { name: 'Bulkhead', version: inputs.generatorVersion },
    generatedAt: inputs.generatedAt,
    window: { from: inputs.window.from, to: inputs.window.to },
    source: inputs.source,
    sections,
    host,
    summary: summaryOf(host, containers, inputs, chosen),
    containers,
    methodology: methodologyOf(inputs, host, containers, chosen),
    runtimeSource: inputs.runtime?.label ?? null,
  };
}
