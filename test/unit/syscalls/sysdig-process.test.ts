import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import { SYSDIG_FORMAT } from '../../../shared/domain/syscalls/sysdig-line.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import type { SysdigOutcome } from '../../../electron/adapters/syscalls/sysdig-process.js';
import {
  captureArgs,
  classifySysdigFailure,
  ENTER_FILTER,
  LIVE_FILTER,
  liveArgs,
  runSysdig,
  validateCapturePath,
} from '../../../electron/adapters/syscalls/sysdig-process.js';
import { systemClock } from '../../../electron/adapters/system-clock.js';
import { createFakeClock } from '../../support/fake-clock.js';

// sysdig 0.29.3's stderr, as printed on this kind of machine (no scap module) and for bad captures.
const NO_DRIVER =
  'Unable to load the driver\nerror opening device /dev/scap0. Make sure you have root credentials and that the scap module is loaded.\n';
const TRUNCATED =
  'res = 1\nexpecting 244 bytes, read 143 at ./userspace/libscap/scap_savefile.c, line 2851. Is the file truncated?\n';
const NOT_A_CAPTURE = 'Could not initialize reader: error reading from file (1)\n';
const CANNOT_OPEN = "can't open file /nonexistent.scap\n";

const base: SysdigOutcome = {
  mode: 'live',
  spawnError: null,
  exitCode: 1,
  signal: null,
  stderr: '',
  isRoot: true,
  devicePresent: false,
  program: 'sysdig',
};

describe('classifySysdigFailure', () => {
  it('exit 0 is no failure', () => {
    expect(classifySysdigFailure({ ...base, exitCode: 0 })).toBeNull();
  });

  it('no sysdig: sysdig-missing, saying how to install it', () => {
    const f = classifySysdigFailure({ ...base, spawnError: 'ENOENT', exitCode: null });
    expect(f?.code).toBe('sysdig-missing');
    expect(f?.message).toMatch(/^sysdig is not installed: sysdig was not found\. Install it/);
  });

  it('live without the kernel driver: sysdig-driver-missing with a clear sentence and sysdig’s words', () => {
    const f = classifySysdigFailure({ ...base, stderr: NO_DRIVER });
    expect(f?.code).toBe('sysdig-driver-missing');
    expect(f?.message).toMatch(
      /^sysdig is installed but its kernel driver is not loaded: it could not open \/dev\/scap0/,
    );
    expect(f?.message).toContain('error opening device /dev/scap0');
    expect(f?.message).toContain('modprobe scap');
  });

  it('live, driver loaded but not root: permission-denied', () => {
    const f = classifySysdigFailure({ ...base, stderr: NO_DRIVER, isRoot: false, devicePresent: true });
    expect(f?.code).toBe('permission-denied');
    expect(f?.message).toMatch(/^sysdig needs root/);
  });

  it('live, not root and no driver: the driver is what is missing', () => {
    expect(classifySysdigFailure({ ...base, stderr: NO_DRIVER, isRoot: false })?.code).toBe(
      'sysdig-driver-missing',
    );
  });

  it('live, another error: sysdig-failed with the exit code and the words', () => {
    const f = classifySysdigFailure({ ...base, exitCode: 2, stderr: 'filter error: unknown field\n' });
    expect(f).toEqual({
      code: 'sysdig-failed',
      message: 'sysdig stopped with exit code 2 (sysdig said: "filter error: unknown field").',
    });
  });

  it('killed by a signal: sysdig-failed', () => {
    expect(classifySysdigFailure({ ...base, exitCode: null, signal: 'SIGKILL' })?.message).toBe(
      'sysdig was stopped by SIGKILL.',
    );
  });

  it.each([
    [
      TRUNCATED,
      /^The capture \/x\/c\.scap is truncated: .*Is the file truncated\?"\)\. The 12 events read before the error are kept\.$/,
    ],
    [
      NOT_A_CAPTURE,
      /^sysdig cannot read \/x\/c\.scap: it is not a capture, it is damaged, or it was written by a newer sysdig/,
    ],
    [CANNOT_OPEN, /^sysdig cannot open the capture \/x\/c\.scap/],
  ])('capture errors are capture-unreadable: %j', (stderr, message) => {
    const f = classifySysdigFailure({ ...base, mode: 'capture', stderr, path: '/x/c.scap', eventsRead: 12 });
    expect(f?.code).toBe('capture-unreadable');
    expect(f?.message).toMatch(message);
    expect(f?.message).not.toContain('res = 1');
  });
});

describe('argv', () => {
  it('is an array built from constants and an absolute path', () => {
    expect(captureArgs('/data/x.scap')).toEqual(['-r', '/data/x.scap', '-p', SYSDIG_FORMAT, ENTER_FILTER]);
    expect(captureArgs('/data/x.scap', false)).toEqual([
      '-r',
      '/data/x.scap',
      '-p',
      SYSDIG_FORMAT,
      LIVE_FILTER,
    ]);
    expect(() => captureArgs('-x.scap')).toThrow(/absolute/);
    expect(liveArgs()).toEqual(['-p', SYSDIG_FORMAT, 'evt.dir=> and not container.id=host']);
  });
});

describe('validateCapturePath', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-capture-path-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const expectError = async (path: string, code: string, message: RegExp): Promise<void> => {
    const e: unknown = await validateCapturePath(path).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BulkheadError);
    expect((e as BulkheadError).code).toBe(code);
    expect((e as BulkheadError).message).toMatch(message);
  };

  it('accepts gzip and scap files and returns the absolute path', async () => {
    const gz = join(dir, 'a.scap');
    writeFileSync(gz, gzipSync(Buffer.from('anything')));
    expect(await validateCapturePath(gz)).toBe(gz);
    const raw = join(dir, 'b.scap');
    writeFileSync(raw, Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 1, 2, 3]));
    expect(await validateCapturePath(raw)).toBe(raw);
  });

  it('refuses what is not a readable capture file, saying why', async () => {
    await expectError('', 'capture-unreadable', /non-empty file path/);
    await expectError('a\0b', 'capture-unreadable', /non-empty file path/);
    await expectError(join(dir, 'missing.scap'), 'capture-unreadable', /^There is no file at /);
    mkdirSync(join(dir, 'sub'));
    await expectError(join(dir, 'sub'), 'capture-unreadable', /is not a regular file/);
    writeFileSync(join(dir, 'empty.scap'), '');
    await expectError(join(dir, 'empty.scap'), 'capture-unreadable', /is empty/);
    writeFileSync(join(dir, 'text.scap'), 'hello, not a capture\n');
    await expectError(join(dir, 'text.scap'), 'capture-unreadable', /is not a sysdig capture/);
  });
});

/** Collect a process's states and text until it settles. */
function collect(): { states: SourceState[]; text: string[]; settled: Promise<SourceState> } & {
  onState: (s: SourceState) => void;
  onText: (t: string) => void;
} {
  const states: SourceState[] = [];
  const text: string[] = [];
  let resolve: (s: SourceState) => void = () => undefined;
  const settled = new Promise<SourceState>((r) => (resolve = r));
  return {
    states,
    text,
    settled,
    onState: (s) => {
      states.push(s);
      if (s.phase === 'exited' || s.phase === 'failed') resolve(s);
    },
    onText: (t) => text.push(t),
  };
}

// The state machine, driven with real child processes. Stand-ins for sysdig are small Node programs run by
// this Node binary (sysdig's own behaviour is covered by test/integration/syscalls/sysdig-capture.test.ts).
describe('runSysdig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-sysdig-proc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const node = process.execPath;

  it('a missing program fails once with sysdig-missing', async () => {
    const c = collect();
    const p = runSysdig({
      mode: 'live',
      args: liveArgs(),
      clock: systemClock,
      program: join(dir, 'no-sysdig'),
      ...c,
    });
    const end = await c.settled;
    await p.closed;
    expect(end.phase).toBe('failed');
    expect(end.phase === 'failed' && end.error.code).toBe('sysdig-missing');
    expect(c.states.map((s) => s.phase)).toEqual(['failed']);
    p.dispose();
    expect(c.states).toHaveLength(1);
  });

  it.each(['fifo', 'pipe'] as const)(
    'starting → streaming → exited, all stdout delivered first (%s)',
    async (transport) => {
      const c = collect();
      const script = 'for (let i = 0; i < 5000; i++) process.stdout.write(`1 host read host ${i}\\n`);';
      const before = readdirSync(tmpdir()).filter((n) => n.startsWith('bulkhead-sysdig-')).length;
      const p = runSysdig({
        mode: 'capture',
        args: ['-e', script],
        clock: systemClock,
        program: node,
        transport,
        ...c,
      });
      expect(p.state.phase).toBe('starting');
      const end = await c.settled;
      expect(end).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
      expect(c.states.map((s) => s.phase)).toEqual(['streaming', 'exited']);
      const all = c.text.join('');
      expect(all.split('\n')).toHaveLength(5001);
      expect(all.endsWith('1 host read host 4999\n')).toBe(true);
      // The FIFO's private directory is gone once both ends are open.
      expect(
        readdirSync(tmpdir()).filter((n) => n.startsWith('bulkhead-sysdig-')).length,
      ).toBeLessThanOrEqual(before);
    },
  );

  it('live: output that comes in bursts with quiet gaps is all delivered, in order', async () => {
    const c = collect();
    const script =
      'let i = 0; const t = setInterval(() => { process.stdout.write(`burst ${i}\\n`); if (++i === 4) clearInterval(t); }, 60);';
    runSysdig({ mode: 'live', args: ['-e', script], clock: systemClock, program: node, ...c });
    expect(await c.settled).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
    expect(c.text.join('')).toBe('burst 0\nburst 1\nburst 2\nburst 3\n');
  });

  it('a live failure is classified from stderr and kept as diagnostics', async () => {
    const c = collect();
    const script = `process.stderr.write(${JSON.stringify(NO_DRIVER)}); process.exit(1);`;
    runSysdig({ mode: 'live', args: ['-e', script], clock: systemClock, program: node, ...c });
    const end = await c.settled;
    expect(end.phase).toBe('failed');
    if (end.phase !== 'failed') return;
    const root = process.getuid?.() === 0;
    expect(end.error.code).toBe(
      existsSync('/dev/scap0') && !root ? 'permission-denied' : 'sysdig-driver-missing',
    );
    expect(end.error.message).toContain('/dev/scap0');
    expect(end.diagnostics).toBe(NO_DRIVER);
    expect(c.states.map((s) => s.phase)).toEqual(['failed']);
  });

  it('live: streaming once it has run a while without output', async () => {
    const clock = createFakeClock();
    const c = collect();
    const p = runSysdig({
      mode: 'live',
      args: ['-e', 'setTimeout(() => {}, 30000)'],
      clock,
      program: node,
      streamingAfterMs: 1000,
      ...c,
    });
    await clock.advance(999);
    expect(p.state.phase).toBe('starting');
    await clock.advance(1);
    expect(p.state.phase).toBe('streaming');
    p.dispose();
    await p.closed;
    expect(c.states.map((s) => s.phase)).toEqual(['streaming', 'exited']);
  });

  it('dispose: SIGTERM, then SIGKILL after the timeout for a process that ignores SIGTERM; settles once', async () => {
    const clock = createFakeClock();
    const c = collect();
    const script = join(dir, 'stubborn.js');
    writeFileSync(
      script,
      "process.on('SIGTERM', () => undefined);\nprocess.stdout.write('ready\\n');\nsetInterval(() => {}, 1000);\n",
    );
    chmodSync(script, 0o755);
    const p = runSysdig({ mode: 'capture', args: [script], clock, program: node, killTimeoutMs: 2000, ...c });
    await new Promise<void>((r) => {
      const check = (): void => (c.text.join('').includes('ready') ? r() : void setTimeout(check, 10));
      check();
    });
    p.dispose();
    expect(p.state).toMatchObject({ phase: 'exited', reason: 'disposed' });
    let closed = false;
    void p.closed.then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(false); // SIGTERM was ignored
    await clock.advance(2000);
    await p.closed;
    expect(c.states.map((s) => s.phase)).toEqual(['streaming', 'exited']);
    p.dispose();
    expect(c.states).toHaveLength(2);
  });
});
