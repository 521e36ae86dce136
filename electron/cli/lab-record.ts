import { mkdir, rename } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

import type { ContainerId, EpochMillis } from '../../shared/domain/ids.js';
import { shortId } from '../../shared/domain/ids.js';
import type { AttackReport } from '../../shared/domain/lab.js';
import {
  attackStartLine,
  attackStepLine,
  attackSummaryLine,
  describeResult,
  upConflictLine,
  upHeaderLine,
} from '../../shared/domain/lab.js';
import { keepSubjects } from '../../shared/domain/syscalls/filter.js';
import type { SourceState, SyscallFrame } from '../../shared/domain/syscalls/model.js';
import { Channels, Pushes } from '../../shared/ipc/contract.js';
import type { ContainerDetails } from '../../shared/ipc/contract.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import {
  readScenarioOrNull,
  recordPosture,
  withLab,
  writeScenarioFile,
} from '../adapters/docker/demo-recorder.js';
import type { LabEngine } from '../adapters/docker/lab.js';
import { LAB_ROLE_SPECS, labAttack, labUp, roleOptions } from '../adapters/docker/lab.js';
import type { RecordingEntry } from '../adapters/syscalls/recording-replay.js';
import { RECORDING_FORMAT, writeRecording } from '../adapters/syscalls/recording-replay.js';
import type { AppCore, PushEnvelope } from '../services/app-core.js';
import type { EnginePort, HostEvidencePort } from '../services/ports.js';

/**
 * `bulkhead lab record` (maintainers): record a real lab session for the offline demo.
 *
 * Brings the lab up (`lab up`), records its containers into the demo scenario (inspect documents and, on
 * this machine, their /proc evidence — replacing the lab containers of an earlier session), starts the live
 * eBPF source through the app core as a window would, and runs the attack on the weak container, then on
 * the hardened one, with quiet seconds before, between and after. The frames the core pushed are written
 * as a Bulkhead recording (JSON lines), each with the wall time it arrived, keeping only the lab's
 * containers (other containers and the host's own syscalls are left out). The lab stays up afterwards.
 */

/** What the recorder needs, wired by the CLI's composition root. */
export interface LabRecordDeps {
  readonly lab: LabEngine;
  /** A core with the live eBPF source (the same syscall service the app uses). */
  readonly core: AppCore;
  /** The engine and host evidence the demo scenario is recorded through. */
  readonly engine: EnginePort;
  readonly host: HostEvidencePort;
  readonly now: () => EpochMillis;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
}

/** Where to write and how to pace the session. */
export interface LabRecordOptions {
  /** The recording (JSON lines). */
  readonly out: string;
  /** The demo scenario the lab containers are recorded into (it must exist: `bulkhead demo record`). */
  readonly scenario: string;
  /** Pause between attack steps. */
  readonly pauseMs: number;
  /** Quiet time before the first attack, between the two, and after the last. */
  readonly quietMs: number;
}

/** What was recorded. */
export interface LabRecordSummary {
  readonly frames: number;
  readonly durationMs: number;
  readonly containers: number;
  readonly weakAlerts: readonly string[];
  readonly hardenedAlerts: readonly string[];
}

/** How long the eBPF source may take to stream. */
const STREAMING_TIMEOUT_MS = 30_000;

/** Record the session; throws BulkheadError when the lab, the engine or the tracer fails. */
export async function recordLabSession(
  deps: LabRecordDeps,
  options: LabRecordOptions,
): Promise<LabRecordSummary> {
  const { lab, log } = deps;
  const base = await readScenarioOrNull(options.scenario);
  if (base === null)
    throw new BulkheadError(
      'not-found',
      `there is no demo scenario at ${options.scenario}: record it first (bulkhead demo record)`,
    );

  log(upHeaderLine(lab.endpoint.url));
  const up = await labUp(lab, { onEntry: (e) => log(e.line) });
  const conflicts = upConflictLine(up);
  if (conflicts !== null) throw new BulkheadError('docker-error', conflicts);
  const ids = up.entries.map((e) => e.id).filter((id): id is ContainerId => id !== null);
  // Let the containers settle before their inspect and /proc are read.
  await deps.sleep(1000);
  const containers: ContainerDetails[] = [];
  for (const id of ids) containers.push(await deps.engine.inspectContainer(id));
  const posture = await recordPosture(deps.engine, deps.host, containers);

  const frames = await traceSession(deps, options);
  const shorts = new Set(ids.map((id) => shortId(id)));
  const entries: RecordingEntry[] = frames.map(({ at, frame }) => ({
    at,
    frame: keepSubjects(frame, (s) => s.kind === 'container' && shorts.has(s.id.slice(0, 12))),
  }));
  const first = entries[0];
  const lastEntry = entries[entries.length - 1];
  if (first === undefined || lastEntry === undefined)
    throw new BulkheadError('bpftrace-failed', 'the eBPF source sent no frames');

  const recordedAt = deps.now();
  const steps = `lab up; ${options.quietMs / 1000} s quiet; lab attack weak (${options.pauseMs / 1000} s apart); ${options.quietMs / 1000} s quiet; lab attack hardened; ${options.quietMs / 1000} s quiet`;
  const recordedWith = `bulkhead lab record on ${lab.endpoint.url}: the live eBPF source (bpftrace) through the app core; ${steps}; the lab's containers only`;
  await writeAtomically(options.out, (tmp) =>
    writeRecording(tmp, { format: RECORDING_FORMAT, recordedAt, recordedWith }, entries),
  );
  const labRoles = LAB_ROLE_SPECS.map((s) =>
    `  bulkhead-lab-${s.role}: docker run ${roleOptions(s)}`.trimEnd(),
  );
  await writeScenarioFile(
    options.scenario,
    withLab(base, {
      containers,
      kernels: posture.containers,
      meta: {
        recordedAt,
        recordedWith: [recordedWith, ...labRoles].join('\n'),
        recording: basename(options.out),
      },
    }),
  );

  const alertsOf = (role: string): readonly string[] => {
    const id = up.entries.find((e) => e.role === role)?.id;
    if (id == null) return [];
    return (lastEntry.frame.alerts ?? [])
      .filter((a) => a.subject.kind === 'container' && id.startsWith(a.subject.id))
      .map((a) => `${a.syscall} ×${a.total}`);
  };
  const summary: LabRecordSummary = {
    frames: entries.length,
    durationMs: lastEntry.at - first.at,
    containers: containers.length,
    weakAlerts: alertsOf('weak'),
    hardenedAlerts: alertsOf('hardened'),
  };
  log(
    `recorded ${summary.frames} frames over ${Math.round(summary.durationMs / 100) / 10} s into ${options.out}; ${summary.containers} lab containers into ${options.scenario}`,
  );
  log(
    `alerts on weak: ${summary.weakAlerts.join(', ') || 'none'}; on hardened: ${summary.hardenedAlerts.join(', ') || 'none'}`,
  );
  return summary;
}

/** Subscribe to the live eBPF source, run the two attacks, and hand back every frame with when it came. */
async function traceSession(
  deps: LabRecordDeps,
  options: LabRecordOptions,
): Promise<{ at: EpochMillis; frame: SyscallFrame }[]> {
  const { core, log } = deps;
  const pushes: PushEnvelope[] = [];
  const stop = core.pushes.subscribe((p) => {
    if (p.channel === Pushes.syscallsFrame || p.channel === Pushes.syscallsState) pushes.push(p);
  });
  let subId: string | null = null;
  const frames: { at: EpochMillis; frame: SyscallFrame }[] = [];
  let state: SourceState | null = null;
  const drain = (): void => {
    for (const p of pushes.splice(0)) {
      if (p.channel === Pushes.syscallsFrame) {
        const { subId: id, frame } = p.payload as { subId: string; frame: SyscallFrame };
        if (id === subId) frames.push({ at: deps.now(), frame });
      } else {
        const { subId: id, state: s } = p.payload as { subId: string; state: SourceState };
        if (id === subId) state = s;
      }
    }
  };
  try {
    const subscribed = await core.dispatch(Channels.syscallsSubscribe, { source: { kind: 'bpf' } });
    if (!subscribed.ok) throw new BulkheadError(subscribed.error.code, subscribed.error.message);
    subId = (subscribed.value as { subId: string }).subId;
    // Frames are stamped as they are drained: drain often.
    const ticker = setInterval(drain, 20);
    try {
      const until = Date.now() + STREAMING_TIMEOUT_MS;
      while ((state as SourceState | null)?.phase !== 'streaming') {
        const s = state as SourceState | null;
        if (s?.phase === 'failed') throw new BulkheadError(s.error.code, s.error.message);
        if (Date.now() > until)
          throw new BulkheadError('bpftrace-failed', 'the eBPF source did not stream within 30 s');
        await deps.sleep(50);
      }
      log(`eBPF source streaming; ${options.quietMs / 1000} s quiet`);
      await deps.sleep(options.quietMs);
      await attack(deps, 'weak', options.pauseMs);
      await deps.sleep(options.quietMs);
      await attack(deps, 'hardened', options.pauseMs);
      await deps.sleep(options.quietMs);
    } finally {
      clearInterval(ticker);
    }
    drain();
    await core.dispatch(Channels.syscallsUnsubscribe, { subId });
    return frames;
  } finally {
    stop();
  }
}

async function attack(
  deps: LabRecordDeps,
  role: 'weak' | 'hardened',
  pauseMs: number,
): Promise<AttackReport> {
  const report = await labAttack(deps.lab, role, {
    pauseMs,
    onStart: (c, steps) => deps.log(attackStartLine(c, steps, pauseMs)),
    onStepStart: (step, i, of) => deps.log(attackStepLine(step, i, of)),
    onStepResult: (r) => deps.log(`      ${describeResult(r)}`),
  });
  deps.log(attackSummaryLine(report));
  return report;
}

/** Write through a temporary file beside `path` and a rename, so a failed run leaves the old file. */
async function writeAtomically(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await write(tmp);
  await rename(tmp, path);
}
