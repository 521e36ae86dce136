import { execFileSync } from 'node:child_process';

import { afterAll, describe, expect, it } from 'vitest';

import type { BpftraceSource } from '../../../electron/adapters/syscalls/bpftrace-source.js';
import { startBpftraceSource } from '../../../electron/adapters/syscalls/bpftrace-source.js';
import { createToolProbe } from '../../../electron/adapters/syscalls/tool-probe.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import type { PushEnvelope } from '../../../electron/services/app-core.js';
import type { SyscallService } from '../../../electron/services/syscall-service.js';
import { createSyscallService } from '../../../electron/services/syscall-service.js';
import type { SourceState, SyscallFrame } from '../../../shared/domain/syscalls/model.js';

// The restart path with a real tracer: bpftrace (root, on PATH) started by the syscall service, killed by
// the test, noticed, restarted with backoff, and the outage marked in the frames that follow.

const hasBpftrace = (() => {
  try {
    execFileSync('bpftrace', ['--version'], { stdio: 'ignore' });
    return process.geteuid?.() === 0;
  } catch {
    return false;
  }
})();

const CLIENT = { id: 'restart-test' };

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!hasBpftrace)('a live tracer that dies is restarted (real bpftrace)', () => {
  const started: BpftraceSource[] = [];
  const pushes: { at: number; push: PushEnvelope }[] = [];
  let service: SyscallService | null = null;
  afterAll(() => service?.dispose());

  it('notices the death at once, restarts after 250 ms, and marks the outage as tracer-restart', async () => {
    service = createSyscallService({
      ports: {
        bpf: {
          kind: 'bpf',
          start: (_spec, listener) => {
            const s = startBpftraceSource(listener, { clock: systemClock });
            started.push(s);
            return s;
          },
        },
      },
      probe: createToolProbe(),
      clock: systemClock,
      publish: (push) => pushes.push({ at: Date.now(), push }),
      log: () => undefined,
    });
    expect((await service.sources())[0]).toMatchObject({ kind: 'bpf', available: true, sequence: false });
    const { subId } = service.subscribe(CLIENT, { source: { kind: 'bpf' } });
    const states = (): { at: number; state: SourceState }[] =>
      pushes
        .filter((p) => p.push.channel === 'syscalls:state')
        .map((p) => ({ at: p.at, state: (p.push.payload as { state: SourceState }).state }));
    const frames = (): SyscallFrame[] =>
      pushes
        .filter((p) => p.push.channel === 'syscalls:frame')
        .map((p) => (p.push.payload as { subId: string; frame: SyscallFrame }).frame);
    await until('streaming', () => states().some((s) => s.state.phase === 'streaming'), 30_000);
    await until('a first frame', () => frames().length > 0, 5_000);
    expect(pushes.every((p) => p.push.to === CLIENT.id)).toBe(true);

    const killedAt = Date.now();
    process.kill(started[0]!.pid!, 'SIGKILL');
    await until('failed', () => states().some((s) => s.state.phase === 'failed'), 1_000);
    const failedAt = states().find((s) => s.state.phase === 'failed')!.at;
    expect(failedAt - killedAt).toBeLessThanOrEqual(1_000);

    await until('a second bpftrace', () => started.length === 2, 2_000);
    await until(
      'streaming again',
      () => states().filter((s) => s.state.phase === 'streaming').length === 2,
      30_000,
    );
    const framesBefore = frames().length;
    await until(
      'a frame of the new tracer',
      () =>
        frames().length > framesBefore &&
        frames()
          .at(-1)!
          .gaps.some((g) => g.reason === 'tracer-restart'),
      5_000,
    );
    const gap = frames()
      .at(-1)!
      .gaps.find((g) => g.reason === 'tracer-restart')!;
    expect(gap.from).toBe(Math.floor(failedAt / 1000));
    expect(gap.to).toBeGreaterThanOrEqual(gap.from);
    // Sequence numbers go on across the restart.
    const seqs = frames().map((f) => f.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(states().map((s) => s.state.phase)).toEqual([
      'starting',
      'streaming',
      'failed',
      'starting',
      'streaming',
    ]);
    // Totals add up both runs.
    expect(service.totals(CLIENT, subId).length).toBeGreaterThan(0);

    service.unsubscribe(CLIENT, { subId });
    expect(started.map((s) => s.state.phase)).toEqual(['failed', 'exited']);
  });
});
