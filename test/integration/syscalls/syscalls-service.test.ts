import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import type { SyscallSummary } from '../../../electron/cli/format.js';
import { startCaptureReplay } from '../../../electron/adapters/syscalls/capture-replay.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import { createLocalCore } from '../../../electron/composition.js';
import type { AppCore } from '../../../electron/services/app-core.js';
import type { WebServer } from '../../../electron/web/server.js';
import { startWebServer } from '../../../electron/web/server.js';
import type { SourceState, SubjectTotals, SyscallFrame } from '../../../shared/domain/syscalls/model.js';
import { subjectToken } from '../../../shared/domain/syscalls/model.js';
import type { SyscallSourceInfo } from '../../../shared/ipc/contract.js';

// The syscall service end to end on a real capture read by the real sysdig: through the app core and the
// browser-mode WebSocket transport, and through the built CLI (dist/cli.cjs). Both are compared with the
// capture adapter's own totals (which test/integration/syscalls/sysdig-capture.test.ts checks against
// sysdig's output).

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.cjs');
const ERR502_REL = '../shared/data/scap/sysdig-inspect_502Error.scap';
const ERR502 = resolve(ROOT, ERR502_REL);
const TOKEN = 'syscalls-e2e-token-0123456789';

/** The adapter alone: every subject's totals once the capture is read to its end. */
async function adapterTotals(): Promise<readonly SubjectTotals[]> {
  let done: (s: SourceState) => void = () => undefined;
  const settled = new Promise<SourceState>((r) => (done = r));
  const source = startCaptureReplay(
    ERR502,
    'max',
    {
      onState: (s) => {
        if (s.phase === 'exited' || s.phase === 'failed') done(s);
      },
      onFrame: () => undefined,
    },
    { clock: systemClock },
  );
  expect(await settled).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
  const totals = source.totals();
  source.dispose();
  return totals;
}

let expected: readonly SubjectTotals[];
beforeAll(async () => {
  expected = await adapterTotals();
});

describe('syscalls through the app core and the WebSocket transport', () => {
  let core: AppCore;
  let server: WebServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulkhead-syscalls-ws-'));
    mkdirSync(join(dir, 'renderer'));
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>t</title>');
    core = createLocalCore({ mode: 'browser' });
    server = await startWebServer({
      core,
      staticDir: join(dir, 'renderer'),
      token: TOKEN,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await server.close();
    await core.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (): Promise<{ ws: WebSocket; messages: unknown[] }> => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${TOKEN}`, {
      origin: `http://127.0.0.1:${server.port}`,
    });
    const messages: unknown[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
    await new Promise((r, j) => {
      ws.once('open', r);
      ws.once('error', j);
    });
    return { ws, messages };
  };

  const waitFor = async (check: () => boolean, what: string, ms = 30_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  type Res = { t: 'res'; id: number; result: { ok: boolean; value?: unknown; error?: { code: string } } };
  type Push = {
    t: 'push';
    channel: string;
    payload: { subId: string; frame?: SyscallFrame; state?: SourceState };
  };

  const request = async (
    c: { ws: WebSocket; messages: unknown[] },
    id: number,
    channel: string,
    payload: unknown,
  ): Promise<Res['result']> => {
    c.ws.send(JSON.stringify({ t: 'req', id, channel, payload }));
    let found: Res | undefined;
    await waitFor(() => {
      found = c.messages.find((m): m is Res => (m as Res).t === 'res' && (m as Res).id === id);
      return found !== undefined;
    }, `answer ${id}`);
    return found!.result;
  };

  it('lists the sources with what is available here', async () => {
    const c = await open();
    const r = await request(c, 1, 'syscalls:sources', {});
    expect(r.ok).toBe(true);
    const infos = r.value as SyscallSourceInfo[];
    expect(infos.map((i) => i.kind)).toEqual([
      'bpf',
      'sysdig-live',
      'sysdig-capture',
      'recording',
      'lab-session',
    ]);
    // The recorded lab session ships in assets/demo/.
    expect(infos.find((i) => i.kind === 'lab-session')).toMatchObject({ available: true, sequence: false });
    // sysdig is installed here (it reads the captures); its kernel driver is not loaded.
    expect(infos.find((i) => i.kind === 'sysdig-capture')).toMatchObject({ available: true, sequence: true });
    expect(infos.find((i) => i.kind === 'sysdig-live')?.available).toBe(existsSync('/dev/scap0'));
    c.ws.close();
  });

  it('replays a capture: frames only to the subscriber, at most 4 Hz, final totals equal the adapter’s', async () => {
    const a = await open();
    const b = await open();
    const r = await request(a, 1, 'syscalls:subscribe', {
      source: { kind: 'sysdig-capture', path: ERR502, speed: 'max' },
    });
    expect(r.ok).toBe(true);
    const { subId } = r.value as { subId: string };
    const pushes = (): Push[] =>
      a.messages.filter((m): m is Push => (m as Push).t === 'push' && (m as Push).payload.subId === subId);
    const frameTimes: number[] = [];
    let seenFrames = 0;
    await waitFor(() => {
      const frames = pushes().filter((p) => p.channel === 'syscalls:frame');
      for (; seenFrames < frames.length; seenFrames++) frameTimes.push(Date.now());
      return pushes().some((p) => p.channel === 'syscalls:state' && p.payload.state?.phase === 'exited');
    }, 'end of the capture');
    const states = pushes()
      .filter((p) => p.channel === 'syscalls:state')
      .map((p) => p.payload.state!.phase);
    expect(states).toEqual(['starting', 'streaming', 'exited']);
    const frames = pushes()
      .filter((p) => p.channel === 'syscalls:frame')
      .map((p) => p.payload.frame!);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    for (let i = 1; i < frameTimes.length; i++) {
      // Arrival times (polled every 10 ms, so with jitter) of frames sent at least 250 ms apart; the exact
      // bound is checked with a fake clock in the unit tests.
      expect(frameTimes[i]! - frameTimes[i - 1]!).toBeGreaterThanOrEqual(100);
    }

    const last = frames.at(-1)!;
    expect(last.replay).toMatchObject({ complete: true });
    expect(last.dropped).toEqual({ overflow: 0, late: 0, malformed: 0 });
    const wanted = new Map(expected.map((t) => [subjectToken(t.subject), t]));
    expect(last.totalEvents).toBe(expected.reduce((n, t) => n + t.total, 0));
    expect(last.subjects.map((s) => subjectToken(s.subject)).sort()).toEqual([...wanted.keys()].sort());
    for (const s of last.subjects) {
      const t = wanted.get(subjectToken(s.subject))!;
      expect(s.total).toBe(t.total);
      for (const c of s.top) expect(c.total).toBe(t.bySyscall[c.syscall]);
      const counts = Object.values(t.bySyscall).sort((x, y) => y - x);
      // The frame's top list (10 by default) is the adapter's 10 biggest, and the rest adds up.
      expect(s.top.map((c) => c.total)).toEqual(counts.slice(0, s.top.length));
      expect(s.rest.total).toBe(counts.slice(s.top.length).reduce((n, x) => n + x, 0));
    }
    // The other client got none of it.
    expect(
      b.messages.filter((m) => (m as Push).t === 'push' && (m as Push).channel.startsWith('syscalls:')),
    ).toEqual([]);

    // Controls go to the replay; the other client cannot touch the subscription.
    const seek = await request(a, 2, 'syscalls:control', { subId, seek: 0 });
    expect(seek.ok).toBe(true);
    const foreign = await request(b, 1, 'syscalls:unsubscribe', { subId });
    expect(foreign.error?.code).toBe('not-found');
    // Closing the socket releases the subscription: unsubscribing afterwards finds nothing.
    a.ws.close();
    await new Promise((r) => setTimeout(r, 100));
    const c = await open();
    const gone = await request(c, 1, 'syscalls:control', { subId, playing: true });
    expect(gone.error?.code).toBe('not-found');
    b.ws.close();
    c.ws.close();
  });
});

describe('bulkhead syscalls (dist/cli.cjs) on a real capture', () => {
  it('prints per-subject totals equal to the capture adapter’s, as JSON', () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    const r = spawnSync(
      process.execPath,
      [CLI, 'syscalls', '--source', `capture:${ERR502_REL}`, '--json', '--top', '1000'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as SyscallSummary;
    expect(summary.state).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
    const actual = summary.subjects.map((s) => ({
      token: subjectToken(s.subject),
      total: s.total,
      bySyscall: Object.fromEntries(s.top.map((c) => [c.syscall, c.count])),
      others: s.others.syscalls,
    }));
    expect(actual.sort((x, y) => (x.token < y.token ? -1 : 1))).toEqual(
      expected
        .map((t) => ({ token: subjectToken(t.subject), total: t.total, bySyscall: t.bySyscall, others: 0 }))
        .sort((x, y) => (x.token < y.token ? -1 : 1)),
    );
  });

  it('a missing capture is a clear error with exit 1', () => {
    const r = spawnSync(process.execPath, [CLI, 'syscalls', '--source', 'capture:/nonexistent/x.scap'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bulkhead: .*\/nonexistent\/x\.scap.*\[capture-unreadable\]/);
  });

  it.skipIf(existsSync('/dev/scap0'))(
    'live sysdig without its kernel driver is a clear error with exit 1',
    () => {
      const r = spawnSync(process.execPath, [CLI, 'syscalls', '--source', 'sysdig', '--duration', '5s'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/\[sysdig-driver-missing\]/);
    },
  );
});
