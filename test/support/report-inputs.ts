import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { createSeccompService } from '../../electron/services/seccomp-service.js';
import {
  createAnomalyMonitor,
  monitorContainer,
  monitorSnapshot,
  observe,
  syscallIndex,
} from '../../shared/domain/anomaly/monitor.js';
import type { EngineInfo } from '../../shared/domain/engine.js';
import type { EpochMillis } from '../../shared/domain/ids.js';
import type { ImageScanReport } from '../../shared/domain/images/report.js';
import type {
  ReportContainerInput,
  ReportInputs,
  ReportRuntimeInput,
} from '../../shared/domain/report/build.js';
import type { ReportSection } from '../../shared/domain/report/model.js';
import type { SeccompReport } from '../../shared/domain/seccomp/report.js';
import {
  addCount,
  advanceTo,
  createAggregate,
  createKeyTable,
  internKey,
  readWindow,
  subjectTotals,
} from '../../shared/domain/syscalls/aggregate.js';
import type { Subject, SysdigContainerId } from '../../shared/domain/syscalls/model.js';
import { alpineSampleReport } from './image-report.js';
import { buildScenario } from './posture-report.js';
import type { ReportKind } from './posture-report.js';

/**
 * ReportInputs made by the REAL code, for the report's unit tests: posture by the real core over the
 * recorded fixtures (test/support/posture-report.ts), the image by the real parser and matcher over the
 * Alpine sample (test/support/image-report.ts), window counts by the real fold, seccomp profiles by the
 * real seccomp service (against Docker's real default profile in ../shared/data/seccomp), anomaly alerts
 * by the real monitor.
 *
 * The syscall events themselves are a DETERMINISTIC FAKE — a fixed workload per container (a read/write
 * loop; ptrace and mount calls for the `cap-add-all` fixture) — since a unit test cannot run a tracer. The
 * engine is the recorded one (docker info of the fixtures).
 */

export const NOW = Date.parse('2026-12-03T20:00:00Z') as EpochMillis;
const T0 = Math.floor(NOW / 1000) - 60;

const DEFAULT_PROFILE = fileURLToPath(
  new URL('../../../shared/data/seccomp/moby-profiles_seccomp_default.json', import.meta.url),
);

export const RECORDED_ENGINE: EngineInfo = {
  id: 'recorded',
  name: 'fixture-host',
  version: '20.10.24+dfsg1',
  apiVersion: '1.41',
  os: 'linux',
  arch: 'amd64',
  kernelVersion: '6.18.44-fc-v1147',
  operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
};

/** The fixed workload: per container (by name suffix), the syscalls per second and the odd ones once. */
function workload(name: string): { steady: readonly string[]; odd: readonly string[] } {
  if (name.includes('cap-add-all'))
    return { steady: ['read', 'write', 'futex'], odd: ['ptrace', 'mount', 'unshare'] };
  if (name.includes('hardened')) return { steady: ['read', 'nanosleep'], odd: [] };
  return { steady: ['read', 'write', 'nanosleep', 'openat', 'close'], odd: [] };
}

/** Options of realReportInputs. */
export interface RealInputsOptions {
  readonly kind?: ReportKind;
  readonly sections?: readonly ReportSection[];
  /** Days since the advisory DB import; null: none imported. Default 3. */
  readonly dbAgeDays?: number | null;
  /** Include the syscall source (window counts, seccomp profiles); default true. */
  readonly runtime?: boolean;
  /** Include the anomaly monitor; default true. */
  readonly anomaly?: boolean;
  /** Seconds of window asked for; default null (all). */
  readonly windowSeconds?: number | null;
}

/** ReportInputs over every recorded fixture (see the module comment). */
export async function realReportInputs(options: RealInputsOptions = {}): Promise<ReportInputs> {
  const kind = options.kind ?? 'local';
  const scenario = await buildScenario(kind);
  const image: ImageScanReport = alpineSampleReport({
    now: NOW,
    dbAgeDays: options.dbAgeDays === undefined ? 3 : options.dbAgeDays,
  });
  const summaries = scenario.list.containers;

  // The fold, over the fixed workload, for every container (sysdig-style 12-digit ids).
  const agg = createAggregate(createKeyTable(), 600);
  const monitor = createAnomalyMonitor({ bosc: { trainingEpochs: 1, epochSize: 10, windowSize: 2 } });
  for (let s = 0; s < 30; s++) {
    for (const c of summaries) {
      const subject: Subject = {
        kind: 'container',
        id: c.id.slice(0, 12) as SysdigContainerId,
        name: c.name,
      };
      const w = workload(c.name);
      const calls = s === 20 ? [...w.steady, ...w.odd] : w.steady;
      const mc = monitorContainer(monitor, c.id.slice(0, 12), c.name);
      for (const syscall of calls) {
        addCount(agg, T0 + s, internKey(agg.keys, subject, syscall), syscall === 'read' ? 10 : 1);
        if (mc !== null) observe(monitor, mc, syscallIndex(monitor, syscall), T0 + s, 'app');
      }
    }
  }
  advanceTo(agg, T0 + 30);
  const counts = readWindow(agg, options.windowSeconds ?? null);
  const totals = subjectTotals(agg);
  const seccomp = createSeccompService({
    totals: () => totals,
    arch: 'x86_64',
    defaultProfile: {
      read: () => Promise.resolve({ path: DEFAULT_PROFILE, text: readFileSync(DEFAULT_PROFILE, 'utf8') }),
    },
  });
  const runtime: ReportRuntimeInput | null =
    options.runtime === false
      ? null
      : {
          label: 'eBPF (bpftrace), live',
          kind: 'bpf',
          sequence: false,
          live: true,
          counts,
          restarts: 0,
          requestedSeconds: options.windowSeconds ?? null,
        };

  const containers: ReportContainerInput[] = [];
  for (const c of summaries) {
    const entry = scenario.report.containers.find((e) => e.id === c.id);
    let profile: SeccompReport | null = null;
    if (runtime !== null) profile = await seccomp.generate({ id: 't' }, { subId: 's', subject: c.id });
    containers.push({
      id: c.id,
      name: c.name,
      image: c.image,
      imageId: c.imageId,
      state: c.state,
      posture:
        entry === undefined
          ? { state: 'unavailable', reason: 'not assessed' }
          : entry.result.state === 'unavailable'
            ? { state: 'unavailable', reason: entry.result.error.message }
            : entry.result,
      imageScan: { state: 'scanned', report: { ...image, imageId: c.imageId } },
      ...(profile !== null ? { seccomp: { state: 'generated', report: profile } } : {}),
    });
  }
  const window =
    counts === null
      ? { from: NOW, to: NOW }
      : { from: (counts.from * 1000) as EpochMillis, to: ((counts.to + 1) * 1000) as EpochMillis };
  return {
    generatorVersion: '0.1.0',
    generatedAt: NOW,
    window,
    source: scenario.report.source,
    ...(options.sections !== undefined ? { sections: options.sections } : {}),
    endpoint: kind === 'remote' ? 'tcp://10.0.0.5:2376' : 'unix:///var/run/docker.sock',
    engine: RECORDED_ENGINE,
    engineUnreachable: null,
    enginePosture: scenario.report.engine,
    evidenceKind: scenario.report.evidenceKind,
    containers,
    db: image.db,
    runtime,
    anomaly:
      options.anomaly === false
        ? null
        : {
            label: 'the eBPF sequence source',
            snapshot: monitorSnapshot(monitor, NOW),
            trainingEpochs: 1,
            epochSize: 10,
            windowSize: 2,
          },
  };
}
