import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from 'vitest';

import type { BpftraceSequenceSource } from '../../../electron/adapters/anomaly/bpftrace-sequence.js';
import { startBpftraceSequence } from '../../../electron/adapters/anomaly/bpftrace-sequence.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import type { AnomalyService } from '../../../electron/services/anomaly-service.js';
import { createAnomalyService } from '../../../electron/services/anomaly-service.js';
import type { PushEnvelope } from '../../../electron/services/app-core.js';
import type { MonitoredContainerState } from '../../../shared/domain/anomaly/monitor.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import type { PushOf } from '../../../shared/ipc/contract.js';
import { ensureTracefs } from '../../support/tracefs.js';

// The anomaly service's restart path with the real eBPF sequence source: bpftrace (root) started by the
// service, killed by the test (by its pid), restarted with backoff into the same detector — what the
// container learnt is kept, its window restarts across the gap, and the outage is in the pushes.

const run = promisify(execFile);
const hasBpftrace = (() => {
  try {
    execFileSync('bpftrace', ['--version'], { stdio: 'ignore' });
    return process.geteuid?.() === 0;
  } catch {
    return false;
  }
})();

const CLIENT = { id: 'anomaly-restart-test' };
const IMAGE = 'bulkhead-test/busybox:1';
const LOOP = 'while true; do cat /etc/hostname >/dev/null; usleep 2000; done';

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!hasBpftrace)('a live eBPF sequence tracer that dies is restarted (real bpftrace)', () => {
  const started: BpftraceSequenceSource[] = [];
  const pushes: PushEnvelope[] = [];
  let service: AnomalyService | null = null;
  let container = '';
  afterAll(async () => {
    service?.dispose();
    await Promise.all(started.map((s) => s.settled));
    if (container !== '') await run('docker', ['rm', '-f', container]).catch(() => undefined);
  });

  it('keeps the training across the restart, restarts the window, and reports the outage', async () => {
    await ensureTracefs();
    container = (
      await run('docker', ['run', '-d', '--label', 'bulkhead.test=1', IMAGE, 'sh', '-c', LOOP])
    ).stdout.trim();
    const key = container.slice(0, 12);
    service = createAnomalyService({
      ports: {
        bpf: {
          kind: 'bpf',
          start: (_spec, listener, { bosc, monitor }) => {
            const s = startBpftraceSequence(listener, {
              clock: systemClock,
              bosc,
              ...(monitor !== undefined ? { monitor } : {}),
            });
            started.push(s);
            return s;
          },
        },
      },
      clock: systemClock,
      publish: (push) => pushes.push(push),
      log: () => undefined,
    });
    const { subId } = service.subscribe(CLIENT, {
      source: { kind: 'bpf' },
      settings: { epochSize: 100, trainingEpochs: 5 },
    });
    const states = (): SourceState[] =>
      pushes
        .filter((p) => p.channel === 'anomaly:state')
        .map((p) => (p.payload as PushOf<'anomaly:state'>).state);
    const last = (): PushOf<'anomaly:snapshot'> | undefined =>
      pushes
        .filter((p) => p.channel === 'anomaly:snapshot')
        .map((p) => p.payload as PushOf<'anomaly:snapshot'>)
        .filter((p) => p.subId === subId)
        .at(-1);
    const mine = (): MonitoredContainerState | undefined =>
      last()?.snapshot.containers.find((c) => c.key === key);

    await until('the container to finish training', () => (mine()?.bosc?.epochs ?? 0) > 6, 20_000);
    const before = mine()!.bosc!;
    expect(before.phase).not.toBe('learning');
    expect(before.gaps).toBe(0);

    const pid = started[0]!.pid!;
    process.kill(pid, 'SIGKILL');
    await until('the failure', () => states().some((s) => s.phase === 'failed'), 5_000);
    await until('a second tracer', () => started.length === 2, 5_000);
    expect(started[1]!.monitor).toBe(started[0]!.monitor);
    await until(
      'the restarted tracer to stream',
      () => states().filter((s) => s.phase === 'streaming').length === 2,
      15_000,
    );
    await until(
      'syscalls after the restart',
      () => (mine()?.bosc?.syscalls ?? 0) > before.syscalls + 500,
      10_000,
    );

    const after = mine()!.bosc!;
    // Training is not lost: the container never went back to learning.
    expect(after.phase).not.toBe('learning');
    expect(after.epochs).toBeGreaterThan(before.epochs);
    expect(after.gaps).toBe(1);
    const outages = last()!.outages;
    expect(outages).toHaveLength(1);
    expect(outages[0]!.to).not.toBeNull();
    expect(outages[0]!.to!).toBeGreaterThanOrEqual(outages[0]!.from);
    expect(states().map((s) => s.phase)).toEqual([
      'starting',
      'streaming',
      'failed',
      'starting',
      'streaming',
    ]);
  });
});
