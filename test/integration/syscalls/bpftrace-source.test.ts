import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BpftraceSource } from '../../../electron/adapters/syscalls/bpftrace-source.js';
import { startBpftraceSource } from '../../../electron/adapters/syscalls/bpftrace-source.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import type { SyscallSourceListener } from '../../../electron/services/syscall-ports.js';
import type { SourceState, SubjectTotals, SyscallFrame } from '../../../shared/domain/syscalls/model.js';
import { ensureTracefs } from '../../support/tracefs.js';

// The eBPF source against the real kernel (bpftrace as root) and the real dockerd.
const run = promisify(execFile);
const IMAGE = 'bulkhead-test/busybox:1';
const LABEL = 'bulkhead.test=1';
const DD_COUNT = 200_000;

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function recorder(): SyscallSourceListener & { states: SourceState[]; frames: SyscallFrame[] } {
  const states: SourceState[] = [];
  const frames: SyscallFrame[] = [];
  return { states, frames, onState: (s) => states.push(s), onFrame: (f) => frames.push(f) };
}

function totalsOf(totals: readonly SubjectTotals[], id: string): SubjectTotals | undefined {
  return totals.find((t) => t.subject.kind === 'container' && id.startsWith(t.subject.id));
}

const started: string[] = [];
let source: BpftraceSource | null = null;

beforeAll(ensureTracefs);

afterAll(async () => {
  source?.dispose();
  if (started.length > 0) await docker('rm', '-f', ...started).catch(() => undefined);
});

describe('bpftrace source on the real kernel and dockerd', () => {
  it('counts a dd in one container within ±0.1 % while another container runs cat, both started after the source', async () => {
    const rec = recorder();
    source = startBpftraceSource(rec, { clock: systemClock });
    expect(rec.states[0]?.phase).toBe('starting');
    await until('streaming', () => source?.state.phase === 'streaming', 20_000);

    // Started after the source: picked up by the resolver's refresh (on demand and every second).
    const cat = await docker(
      'run',
      '-d',
      '--label',
      LABEL,
      IMAGE,
      'sh',
      '-c',
      'while true; do cat /etc/passwd > /dev/null; done',
    );
    started.push(cat);
    const dd = await docker(
      'run',
      '-d',
      '--label',
      LABEL,
      IMAGE,
      'sh',
      '-c',
      `sleep 1; dd bs=1 count=${DD_COUNT} if=/dev/zero of=/dev/null 2>/dev/null; sleep 1`,
    );
    started.push(dd);
    expect(await docker('wait', dd)).toBe('0');
    await sleep(800); // two more snapshots after the container is gone

    const totals = source.totals();
    const ddTotals = totalsOf(totals, dd);
    const catTotals = totalsOf(totals, cat);
    expect(ddTotals, 'dd container counted').toBeDefined();
    expect(catTotals, 'cat container counted').toBeDefined();
    const reads = ddTotals!.bySyscall['read'] ?? 0;
    const writes = ddTotals!.bySyscall['write'] ?? 0;
    process.stdout.write(
      `bpftrace dd container: read ${reads}, write ${writes}, all ${ddTotals!.total}; cat container: all ${catTotals!.total}\n`,
    );
    expect(Math.abs(reads - DD_COUNT) / DD_COUNT).toBeLessThanOrEqual(0.001);
    expect(Math.abs(writes - (DD_COUNT + 1)) / (DD_COUNT + 1)).toBeLessThanOrEqual(0.001);
    // Runtime set-up and the shell add about 1 400 syscalls, not hundreds of thousands.
    expect(ddTotals!.total - reads - writes).toBeLessThan(20_000);
    // The cat loop is its own subject: it opens files, which dd never does after start-up.
    expect(catTotals!.bySyscall['open'] ?? catTotals!.bySyscall['openat'] ?? 0).toBeGreaterThan(100);
    expect(catTotals!.subject).not.toEqual(ddTotals!.subject);
    // Frames went out, no faster than every 250 ms, and nothing was malformed.
    expect(rec.frames.length).toBeGreaterThan(3);
    expect(rec.frames.at(-1)!.dropped.malformed).toBe(0);
    const framed = rec.frames
      .at(-1)!
      .subjects.find((s) => s.subject.kind === 'container' && dd.startsWith(s.subject.id));
    expect(framed?.total).toBe(ddTotals!.total);

    source.dispose();
    expect(source.state.phase).toBe('exited');
  });

  it('settles failed within 1 s when bpftrace is killed', async () => {
    const rec = recorder();
    const s = startBpftraceSource(rec, { clock: systemClock });
    source = s;
    await until('streaming', () => s.state.phase === 'streaming', 20_000);
    expect(s.pid).toBeTypeOf('number');
    const killedAt = Date.now();
    process.kill(s.pid!, 'SIGKILL');
    await until('failed', () => s.state.phase === 'failed', 1000);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(1000);
    const last = s.state;
    expect(last.phase === 'failed' && last.error.code).toBe('bpftrace-failed');
    expect(last.phase === 'failed' && last.error.message).toMatch(/SIGKILL/);
    // Settled once: starting, streaming, failed.
    expect(rec.states.map((x) => x.phase)).toEqual(['starting', 'streaming', 'failed']);
  });

  it('settles bpftrace-missing when there is no bpftrace', async () => {
    const rec = recorder();
    const s = startBpftraceSource(rec, { clock: systemClock, program: '/nonexistent/bpftrace' });
    await until('failed', () => s.state.phase === 'failed', 2000);
    expect(s.state.phase === 'failed' && s.state.error.code).toBe('bpftrace-missing');
  });
});
