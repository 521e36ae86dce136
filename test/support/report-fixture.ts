import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ADVISORY_SEVERITIES } from '../../shared/domain/advisories/severity.js';
import type { AdvisorySeverity } from '../../shared/domain/advisories/severity.js';
import type { AlertRecord } from '../../shared/domain/anomaly/alerts.js';
import type { BoscContainerState } from '../../shared/domain/anomaly/bosc.js';
import type { DataSource } from '../../shared/domain/container.js';
import type { EpochMillis } from '../../shared/domain/ids.js';
import { assessContainer } from '../../shared/domain/posture/evaluate.js';
import type { ContainerPosture } from '../../shared/domain/posture/evaluate.js';
import {
  REPORT_FORMAT_VERSION,
  REPORT_SECTIONS,
  REPORT_TOP_SYSCALLS,
} from '../../shared/domain/report/model.js';
import type {
  Report,
  ReportContainer,
  ReportHighlight,
  ReportImage,
  ReportPosture,
  ReportSection,
  ReportSummary,
} from '../../shared/domain/report/model.js';
import type { EpochSeconds, SyscallAlertHit, SysdigContainerId } from '../../shared/domain/syscalls/model.js';
import { FIXTURE_NAMES, recordedEnginePosture } from './posture-report.js';
import { alpineSampleReport } from './image-report.js';
import { FIXTURE_DIR, MANIFEST, loadInspect, loadKernel, loadLocalHost } from '../unit/posture/fixtures.js';
import type { FixtureName } from '../unit/posture/fixtures.js';

/**
 * A Report for rendering tests and the report benchmark. A DETERMINISTIC FAKE, assembled by hand around
 * real parts — it is never shown to a user as real data:
 *
 * - posture: the REAL pure core (`assessContainer`) over the inspect documents and /proc files recorded from
 *   real containers (test/fixtures/posture), the host score from the recorded `docker info`/`version`;
 * - images: the REAL apk parser and OSV matcher over the Alpine sample (test/support/image-report.ts);
 * - syscalls, seccomp, anomalies, highlights and methodology: made-up, fixed numbers and sentences (the
 *   report's shape, not a measurement), so a render test can assert exact text.
 *
 * The hostile container carries attacker-style strings in every field a container controls (its name, its
 * Config.User as evidence, a process name, image refs): see HOSTILE.
 */

/** Attacker-controlled strings, one per trap. */
export const HOSTILE = {
  markup: '<img src=x onerror="window.__pwned=1">',
  script: '<script>window.__pwned=2</script>',
  /** U+202E RIGHT-TO-LEFT OVERRIDE: would reorder what follows ("Trojan source"). */
  rtl: '\u202Eevil',
  /** U+200B ZERO WIDTH SPACE. */
  zeroWidth: 'zero\u200Bwidth',
  arabic: 'حاوية-اختبار',
  cjk: '容器测试',
} as const;

/** The hostile value put into Config.User (and so into the runs-as-root evidence). */
export const HOSTILE_USER = `${HOSTILE.markup}${HOSTILE.rtl}${HOSTILE.script}`;

/** A 10 kB container name made of the hostile parts and padding. */
export const HOSTILE_NAME =
  `${HOSTILE.markup}${HOSTILE.script}${HOSTILE.zeroWidth}-${HOSTILE.arabic}-${HOSTILE.cjk}-`.padEnd(
    10_240,
    'x',
  );

/** Options of {@link reportFixture}. */
export interface ReportFixtureOptions {
  /** Containers made from the recorded fixtures, round robin (default 3). */
  readonly containers?: number;
  /** Add the hostile container (first). */
  readonly hostile?: boolean;
  /** Label the report as demo data. */
  readonly demo?: boolean;
  /** The sections chosen (default: all). */
  readonly sections?: readonly ReportSection[];
  /** Make every optional section of the second container unavailable (the empty states). */
  readonly unavailable?: boolean;
}

const RECORDING = JSON.parse(readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8')) as {
  readonly recordedAt: string;
  readonly kernel: string;
};
const GENERATED_AT = Date.parse(RECORDING.recordedAt) as EpochMillis;
const WINDOW_MS = 5 * 60 * 1000;
const DAY = 24 * 60 * 60 * 1000;

// Made-up syscall mix (the shape of a busybox `sleep` loop); scaled per container so charts differ.
const SYSCALL_MIX: readonly (readonly [string, number])[] = [
  ['clock_nanosleep', 600],
  ['read', 420],
  ['write', 380],
  ['openat', 210],
  ['close', 205],
  ['fstat', 160],
  ['mmap', 90],
  ['rt_sigaction', 64],
  ['getpid', 40],
  ['wait4', 22],
  ['execve', 12],
  ['ptrace', 3],
];

function zeroCounts(): Record<AdvisorySeverity, number> {
  return Object.fromEntries(ADVISORY_SEVERITIES.map((s) => [s, 0])) as Record<AdvisorySeverity, number>;
}

function postureOf(result: ContainerPosture): ReportPosture {
  if (result.state !== 'assessed') return { state: 'unavailable', reason: result.error.message };
  return {
    state: 'assessed',
    score: result.score,
    findings: result.findings,
    evidenceKind: result.evidenceKind,
    notes: result.notes,
  };
}

function imageOf(): ReportImage {
  const scan = alpineSampleReport({ now: GENERATED_AT, dbAgeDays: 9 });
  return {
    state: 'scanned',
    imageId: scan.imageId,
    refs: scan.refs,
    ageDays: 412,
    os: 'Alpine Linux v3.18',
    ecosystem: scan.ecosystem,
    packageDb: scan.packageDb,
    db: scan.db,
    severityCounts: scan.severityCounts,
    vulnerabilities: scan.vulnerabilities,
    lint: [
      {
        id: 'image-user-root',
        reference: 'CIS 4.1',
        title: 'Image runs as a non-root user',
        severity: 'medium',
        status: 'fail',
        message: 'The image runs as root by default (no USER, or USER root).',
        evidence: ['Config.User = ""'],
      },
      {
        id: 'image-healthcheck',
        reference: 'CIS 4.6',
        title: 'Image has a HEALTHCHECK',
        severity: 'low',
        status: 'warn',
        message: 'The image defines no HEALTHCHECK.',
        evidence: ['Config.Healthcheck = null'],
      },
    ],
    scannedAt: GENERATED_AT,
  };
}

async function assessed(
  fixture: FixtureName,
  index: number,
  change?: (inspect: Record<string, unknown>) => void,
): Promise<{ id: string; name: string; image: string; posture: ReportPosture }> {
  const host = await loadLocalHost();
  const inspect = loadInspect(fixture);
  const id = `${index.toString(16).padStart(8, '0')}${String(inspect.Id).slice(8)}`;
  inspect.Id = id;
  inspect.Name = `/report-${String(index).padStart(2, '0')}-${fixture}`;
  change?.(inspect);
  const result = assessContainer({ inspect, kernel: await loadKernel(fixture) }, host);
  const config = inspect.Config as { Image?: unknown };
  return {
    id,
    name: String(inspect.Name).replace(/^\//, ''),
    image: typeof config.Image === 'string' ? config.Image : '',
    posture: postureOf(result),
  };
}

function syscallsOf(index: number, name: string, process: string): ReportContainer['syscalls'] {
  const scale = 1 + (index % 4);
  const counts = SYSCALL_MIX.map(([syscall, n]) => ({ syscall, count: n * scale + index }));
  const top = counts.slice(0, REPORT_TOP_SYSCALLS);
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  const second = Math.floor((GENERATED_AT - 60_000) / 1000) as EpochSeconds;
  const alert: SyscallAlertHit = {
    subject: { kind: 'container', id: `${index}`.padStart(12, '0') as SysdigContainerId, name },
    syscall: 'ptrace',
    ruleId: 'syscall-ptrace',
    title: `ptrace called by ${process}`,
    severity: 'high',
    firstSeen: second,
    lastSeen: second,
    total: 3,
  };
  return {
    state: 'observed',
    total,
    top,
    rest: { syscalls: 0, count: 0 },
    alerts: index % 2 === 0 ? [alert] : [],
  };
}

function anomaliesOf(
  index: number,
  key: string,
  name: string,
  process: string,
): ReportContainer['anomalies'] {
  const common = {
    key,
    syscalls: 12_000 + index,
    windows: 11_990,
    epochs: 6,
    database: { bags: 41, maxBags: 10_000, full: 0 },
    current: { windows: 120, mismatches: 0 },
    mismatches: index % 2 === 0 ? 14 : 0,
    gaps: 0,
    firstSecond: Math.floor((GENERATED_AT - WINDOW_MS) / 1000) as EpochSeconds,
    lastSecond: Math.floor(GENERATED_AT / 1000) as EpochSeconds,
  };
  const bosc: BoscContainerState =
    index % 2 === 0
      ? {
          ...common,
          phase: 'anomalous',
          epochsWatched: 3,
          anomalousEpochs: 1,
          anomalies: [
            {
              epoch: 4,
              from: common.firstSecond,
              to: common.lastSecond,
              windows: 2000,
              mismatches: 14,
              hint: [{ syscall: 'ptrace', inMismatches: 30, share: 0.02, trainingShare: 0, ratio: 40 }],
            },
          ],
          anomalousMismatches: 14,
          hint: [{ syscall: 'ptrace', inMismatches: 30, share: 0.02, trainingShare: 0, ratio: 40 }],
        }
      : { ...common, phase: 'watching', epochsWatched: 3 };
  const alerts: AlertRecord[] =
    index % 2 === 0
      ? [
          {
            key: `builtin:syscall-ptrace:${key}`,
            source: 'builtin',
            ruleId: 'syscall-ptrace',
            title: 'Process tracing (ptrace)',
            severity: 'high',
            rationale: 'ptrace lets a process read and change another process’s memory.',
            container: { id: key, name },
            firstSeen: (GENERATED_AT - 60_000) as EpochMillis,
            lastSeen: (GENERATED_AT - 59_000) as EpochMillis,
            count: 3,
            syscalls: [{ name: 'ptrace', count: 3 }],
            processes: [process],
            detail: null,
            tags: [],
            hostname: null,
          },
        ]
      : [];
  return { state: 'monitored', bosc, alerts };
}

function seccompOf(index: number): ReportContainer['seccomp'] {
  const allowed = 40 + index;
  const defaultAllowed = 295;
  const reductionPct = Math.round((1 - allowed / defaultAllowed) * 100);
  return {
    state: 'generated',
    observedNames: allowed - 3,
    allowed,
    defaultAllowed,
    reductionPct,
    sentence: `this profile allows ${allowed} of the ${defaultAllowed} syscalls the default allows: −${reductionPct} %`,
    runningPhase: {
      allowed: allowed - 9,
      reductionPct: reductionPct + 3,
      startupOnly: ['execve', 'mprotect'],
    },
  };
}

function unavailable(reason: string): { readonly state: 'unavailable'; readonly reason: string } {
  return { state: 'unavailable', reason };
}

function containerOf(
  base: { id: string; name: string; image: string; posture: ReportPosture },
  index: number,
  sections: readonly ReportSection[],
  opts: { readonly process: string; readonly missing: boolean },
): ReportContainer {
  const key = base.id.slice(0, 12);
  const has = (s: ReportSection): boolean => sections.includes(s);
  const gone = opts.missing;
  return {
    id: base.id,
    name: base.name,
    image: base.image,
    state: 'running',
    ...(has('posture')
      ? { posture: gone ? unavailable('No such container: it was removed') : base.posture }
      : {}),
    ...(has('images')
      ? { imageFindings: gone ? unavailable('the image could not be exported: not found') : imageOf() }
      : {}),
    ...(has('syscalls')
      ? {
          syscalls: gone
            ? unavailable('no syscall source was running')
            : syscallsOf(index, base.name, opts.process),
        }
      : {}),
    ...(has('seccomp')
      ? { seccomp: gone ? unavailable('no syscalls were observed for this container') : seccompOf(index) }
      : {}),
    ...(has('anomalies')
      ? {
          anomalies: gone
            ? unavailable('anomaly detection was not running')
            : anomaliesOf(index, key, base.name, opts.process),
        }
      : {}),
  };
}

function summaryOf(containers: readonly ReportContainer[], hostScore: number | null): ReportSummary {
  const total = zeroCounts();
  const seen = new Set<string>();
  const rows = containers.map((c) => {
    const image = c.imageFindings?.state === 'scanned' ? c.imageFindings : null;
    if (image !== null && !seen.has(image.imageId)) {
      seen.add(image.imageId);
      for (const s of ADVISORY_SEVERITIES) total[s] += image.severityCounts[s];
    }
    const posture = c.posture?.state === 'assessed' ? c.posture : null;
    const anomalies = c.anomalies?.state === 'monitored' ? c.anomalies : null;
    return {
      id: c.id,
      name: c.name,
      score: posture?.score.value ?? null,
      grade: posture?.score.grade ?? null,
      vulnerabilities: image?.severityCounts ?? null,
      alerts: anomalies?.alerts.length ?? 0,
      anomalous: anomalies?.bosc?.phase === 'anomalous',
    };
  });
  const highlights: ReportHighlight[] = [];
  for (const c of containers) {
    if (c.posture?.state !== 'assessed') continue;
    for (const f of c.posture.findings)
      if (f.status === 'fail' && (f.severity === 'critical' || f.severity === 'high'))
        highlights.push({ severity: f.severity, container: c.name, text: `${f.title}: ${f.message}` });
  }
  highlights.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1));
  return {
    containers: containers.length,
    rows,
    hostScore,
    vulnerabilities: total,
    highlights: highlights.slice(0, 12),
  };
}

/** The fixture Report (see the module comment for what is real and what is made up). */
export async function reportFixture(opts: ReportFixtureOptions = {}): Promise<Report> {
  const count = opts.containers ?? 3;
  const sections = opts.sections ?? REPORT_SECTIONS;
  const containers: ReportContainer[] = [];
  if (opts.hostile === true) {
    const base = await assessed('default', 0xbad, (inspect) => {
      (inspect.Config as Record<string, unknown>).User = HOSTILE_USER;
    });
    containers.push(
      containerOf(
        { ...base, name: HOSTILE_NAME, image: `bulkhead-test/${HOSTILE.cjk}:${HOSTILE.arabic}` },
        0,
        sections,
        { process: `${HOSTILE.script}${HOSTILE.rtl}`, missing: false },
      ),
    );
  }
  for (let i = 0; i < count; i++) {
    const fixture = FIXTURE_NAMES[i % FIXTURE_NAMES.length] ?? 'default';
    const base = await assessed(fixture, i + 1);
    containers.push(
      containerOf(base, i + 1, sections, {
        process: 'busybox',
        missing: opts.unavailable === true && i === 1,
      }),
    );
  }
  const engine = recordedEnginePosture();
  const source: DataSource =
    opts.demo === true
      ? {
          kind: 'demo',
          recordedAt: GENERATED_AT,
          recordedOn: `Docker ${MANIFEST.engine} on linux/amd64`,
          reason: 'the Docker engine is not reachable (test fixture)',
        }
      : { kind: 'live' };
  return {
    format: 'bulkhead-report',
    formatVersion: REPORT_FORMAT_VERSION,
    generator: { name: 'Bulkhead', version: '0.1.0' },
    generatedAt: GENERATED_AT,
    window: { from: (GENERATED_AT - WINDOW_MS) as EpochMillis, to: GENERATED_AT },
    source,
    sections,
    host: {
      endpoint: 'unix:///var/run/docker.sock',
      engine: {
        name: 'vm',
        version: MANIFEST.engine,
        apiVersion: '1.41',
        os: 'linux',
        arch: 'amd64',
        kernelVersion: RECORDING.kernel,
        operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
      },
      posture:
        engine.state === 'assessed'
          ? {
              state: 'assessed',
              score: engine.score,
              findings: engine.findings,
              evidenceKind: 'configuration-only',
            }
          : { state: 'unavailable', reason: engine.error.message },
    },
    summary: summaryOf(containers, engine.state === 'assessed' ? engine.score.value : null),
    containers,
    methodology: [
      {
        section: 'host',
        text: 'The daemon checks read `docker info`, `docker version` and the daemon’s configuration.',
      },
      {
        section: 'posture',
        text: 'Each container’s checks read `docker inspect` and, on this local engine, /proc.',
      },
      {
        section: 'images',
        text: 'OS packages matched against the offline OSV database (fixture: the Alpine sample).',
      },
      { section: 'syscalls', text: 'FIXTURE: made-up syscall counts, not a measurement.' },
      { section: 'seccomp', text: 'FIXTURE: made-up profile sizes, not a generated profile.' },
      { section: 'anomalies', text: 'FIXTURE: made-up BoSC state and alerts.' },
    ].filter(
      (m) => m.section === 'host' || sections.includes(m.section as ReportSection),
    ) as Report['methodology'],
    runtimeSource: sections.some((s) => s === 'syscalls' || s === 'anomalies')
      ? 'FIXTURE (no source ran)'
      : null,
  };
}

/** Days, for tests that check the DB age text. */
export const FIXTURE_DB_AGE_DAYS = 9;
/** The fixture's generation time. */
export const FIXTURE_GENERATED_AT = GENERATED_AT;
/** One day in milliseconds. */
export const DAY_MS = DAY;
