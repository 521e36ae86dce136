import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, read } from 'node:fs';
import { access, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { promisify } from 'node:util';

import type { SourceState, SyscallErrorCode } from '../../../shared/domain/syscalls/model.js';
import { SYSDIG_FORMAT } from '../../../shared/domain/syscalls/sysdig-line.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import type { Clock, Disposable } from '../../services/ports.js';

/**
 * sysdig as a child process: an explicit state machine (STYLE §5).
 *
 * `starting → streaming → exited | failed`, settled exactly once. Arguments are arrays (never a shell
 * string) built here from constants and a validated absolute path. stdout goes to the caller in large
 * chunks (the pipe's 64 KiB reads), stderr is kept as diagnostics (its last 8 KiB), a spawn failure or a
 * non-zero exit is classified into a code with a sentence a person can act on, and `dispose()` sends
 * SIGTERM, then SIGKILL after a timeout.
 */

/** Enter events only: one line per syscall (sysdig also prints the exit of each). */
export const ENTER_FILTER = 'evt.dir=>';
/**
 * Live: enter events of containers. `not container.id=host` rather than `container.id!=host`: the latter
 * also drops the events whose container is `<NA>`, which Bulkhead shows as unattributed.
 */
export const LIVE_FILTER = 'evt.dir=> and not container.id=host';

/** argv for replaying a capture: `sysdig -r PATH -p FORMAT FILTER`. `path` must come from validateCapturePath. */
export function captureArgs(path: string, includeHost = true): string[] {
  if (!path.startsWith('/')) throw new Error(`capture path must be absolute: ${path}`);
  return ['-r', path, '-p', SYSDIG_FORMAT, includeHost ? ENTER_FILTER : LIVE_FILTER];
}

/**
 * argv for a live capture: `sysdig -p FORMAT FILTER`.
 *
 * Output stays block-buffered (no `--unbuffered`): at the rates that matter the buffer fills in
 * milliseconds, and a write per event would make sysdig, not Bulkhead, the slow side.
 */
export function liveArgs(): string[] {
  return ['-p', SYSDIG_FORMAT, LIVE_FILTER];
}

/** Device node of sysdig's kernel module. */
export const SCAP_DEVICE = '/dev/scap0';

/** Everything classifySysdigFailure looks at. */
export interface SysdigOutcome {
  readonly mode: 'live' | 'capture';
  /** `code` of the spawn error (ENOENT, EACCES, …), null when the process ran. */
  readonly spawnError: string | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  /** Whether Bulkhead runs as root, and whether sysdig's device node exists. */
  readonly isRoot: boolean;
  readonly devicePresent: boolean;
  /** The program that was run (for messages). */
  readonly program: string;
  /** The capture, in capture mode. */
  readonly path?: string;
  /** Events read before a capture failed. */
  readonly eventsRead?: number;
}

/** The last non-empty lines of sysdig's stderr, joined into one quoted sentence part. */
function sysdigSaid(stderr: string, lines = 2): string {
  const tail = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^res = -?\d+$/.test(l))
    .slice(-lines)
    .join('; ');
  return tail === '' ? '' : ` (sysdig said: "${tail.slice(0, 400)}")`;
}

const DRIVER_TROUBLE =
  /error opening device \/dev\/scap|unable to load the driver|scap module|\/dev\/scap\d/i;

/**
 * Turn how sysdig ended into an error code and a message, or null when it ended well (exit 0).
 *
 * The sentences name the fix: install sysdig, load its driver, run as root, or use another capture.
 */
export function classifySysdigFailure(o: SysdigOutcome): { code: SyscallErrorCode; message: string } | null {
  if (o.spawnError !== null) {
    if (o.spawnError === 'ENOENT') {
      return {
        code: 'sysdig-missing',
        message: `sysdig is not installed: ${o.program} was not found. Install it (Debian/Ubuntu: apt-get install sysdig) to see live syscalls or replay captures.`,
      };
    }
    if (o.spawnError === 'EACCES' || o.spawnError === 'EPERM') {
      return {
        code: 'permission-denied',
        message: `Bulkhead may not run ${o.program} (${o.spawnError}).`,
      };
    }
    return { code: 'sysdig-failed', message: `sysdig could not be started: ${o.spawnError}.` };
  }
  if (o.exitCode === 0) return null;
  const said = sysdigSaid(o.stderr);
  if (o.exitCode === null) {
    return { code: 'sysdig-failed', message: `sysdig was stopped by ${o.signal ?? 'a signal'}${said}.` };
  }
  if (o.mode === 'live') {
    if (DRIVER_TROUBLE.test(o.stderr)) {
      if (o.devicePresent && !o.isRoot) {
        return {
          code: 'permission-denied',
          message: `sysdig needs root to open its kernel driver (${SCAP_DEVICE})${said}. Run Bulkhead as root to see live syscalls, or replay a capture instead.`,
        };
      }
      return {
        code: 'sysdig-driver-missing',
        message: `sysdig is installed but its kernel driver is not loaded: it could not open ${SCAP_DEVICE}${said}. Install and load the scap driver for this kernel (Debian/Ubuntu: apt-get install sysdig-dkms, then modprobe scap), or replay a capture instead.`,
      };
    }
    return { code: 'sysdig-failed', message: `sysdig stopped with exit code ${o.exitCode}${said}.` };
  }
  const file = o.path ?? 'the capture';
  const kept =
    o.eventsRead !== undefined && o.eventsRead > 0
      ? ` The ${o.eventsRead} events read before the error are kept.`
      : '';
  if (/truncated/i.test(o.stderr)) {
    return {
      code: 'capture-unreadable',
      message: `The capture ${file} is truncated: sysdig stopped reading it in the middle${said}.${kept}`,
    };
  }
  if (/can't open file|cannot open|no such file/i.test(o.stderr)) {
    return { code: 'capture-unreadable', message: `sysdig cannot open the capture ${file}${said}.` };
  }
  return {
    code: 'capture-unreadable',
    message: `sysdig cannot read ${file}: it is not a capture, it is damaged, or it was written by a newer sysdig than this one${said}.${kept}`,
  };
}

/** Longest capture path accepted (PATH_MAX). */
const MAX_PATH = 4096;

/**
 * Check a capture path before it reaches argv: a non-empty string without NUL, resolved to an absolute path,
 * naming a readable regular file that starts like a capture (gzip, or a scap/pcapng block). Returns the
 * absolute path; throws BulkheadError `capture-unreadable` or `permission-denied` with the reason.
 */
export async function validateCapturePath(path: string): Promise<string> {
  if (typeof path !== 'string' || path === '' || path.includes('\0') || path.length > MAX_PATH) {
    throw new BulkheadError('capture-unreadable', 'A capture path must be a non-empty file path.');
  }
  const abs = resolve(path);
  let info;
  try {
    info = await stat(abs);
  } catch (e) {
    throw fileError(e, abs);
  }
  if (!info.isFile()) throw new BulkheadError('capture-unreadable', `${abs} is not a regular file.`);
  try {
    await access(abs, constants.R_OK);
  } catch (e) {
    throw fileError(e, abs);
  }
  if (info.size === 0) throw new BulkheadError('capture-unreadable', `${abs} is empty: it is not a capture.`);
  const head = Buffer.alloc(4);
  try {
    const handle = await open(abs, 'r');
    try {
      await handle.read(head, 0, 4, 0);
    } finally {
      await handle.close();
    }
  } catch (e) {
    throw fileError(e, abs);
  }
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  // Section header block type of the scap (pcapng-style) format, in either byte order.
  const scap = head.readUInt32LE(0) === 0x0a0d0d0a;
  if (!gzip && !scap) {
    throw new BulkheadError(
      'capture-unreadable',
      `${abs} is not a sysdig capture: it starts with neither a scap nor a gzip header.`,
    );
  }
  return abs;
}

function fileError(e: unknown, abs: string): BulkheadError {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  if (code === 'EACCES' || code === 'EPERM') {
    return new BulkheadError('permission-denied', `Bulkhead may not read ${abs}.`, { cause: e });
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new BulkheadError('capture-unreadable', `There is no file at ${abs}.`, { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new BulkheadError('capture-unreadable', `${abs} cannot be read: ${message}`, { cause: e });
}

/**
 * How sysdig's stdout reaches Bulkhead.
 *
 * `fifo` (the default): a named pipe in a private temporary directory, removed as soon as both ends are
 * open. sysdig 0.29 flushes every line with its own write(2); Node's `'pipe'` stdio is a Unix socket pair,
 * where those writes cost sysdig 35–45 % more CPU than the same writes to /dev/null (k8s capture: 0.72 s
 * against 0.52 s), while into a kernel pipe read as below they cost 6–13 % — so with a FIFO sysdig, not
 * Bulkhead, stays the bottleneck. Needs `mkfifo` (coreutils); when it is not there, `pipe` is used.
 * `pipe`: Node's own stdio pipe.
 */
export type SysdigTransport = 'fifo' | 'pipe';

/** How to run sysdig. */
export interface SysdigRunOptions {
  readonly mode: 'live' | 'capture';
  readonly args: readonly string[];
  readonly clock: Clock;
  /** stdout text, in chunks cut anywhere (multi-byte characters are kept whole). */
  readonly onText: (text: string) => void;
  /**
   * Each state after `starting`. The settling state (`exited`/`failed`) comes after the last `onText`, so
   * the receiver can finish its parse first.
   */
  readonly onState: (state: SourceState) => void;
  /** The sysdig program; default `sysdig` (found on PATH). */
  readonly program?: string;
  /** SIGKILL this long after SIGTERM; default 2000 ms. */
  readonly killTimeoutMs?: number;
  /** Live: `streaming` once sysdig has run this long without failing, even before any output; default 1500 ms. */
  readonly streamingAfterMs?: number;
  /** Default `fifo`. */
  readonly transport?: SysdigTransport;
  /** For capture messages: the path and a count of events read so far. */
  readonly path?: string;
  readonly eventsRead?: () => number;
}

/** A running sysdig. */
export interface SysdigProcess extends Disposable {
  readonly state: SourceState;
  /** The last 8 KiB of stderr. */
  readonly diagnostics: string;
  /** Resolves once the process is gone and its output read (whatever the state). */
  readonly closed: Promise<void>;
}

const STDERR_TAIL = 8 * 1024;
const execFileAsync = promisify(execFile);
const readAsync = promisify(read);

/** sysdig's output as Bulkhead reads it: text chunks, then `onEnd` once (end of output, or stopped). */
interface OutputReader {
  begin(onText: (text: string) => void, onEnd: () => void): void;
  /** Stop reading and let go of the pipe; sysdig then gets EPIPE on its next write. */
  stop(): void;
}

/** How long the FIFO reader waits after a read that found data, so that the next read takes a fuller pipe. */
const FIFO_COALESCE_MS = 1;
/**
 * Longest wait between reads of an empty FIFO. The pipe (64 KiB) holds about 7 ms of sysdig's output at
 * full speed (a capture), and a sysdig blocked on a full pipe is time lost to the replay: a capture is
 * polled at most 2 ms apart (measured on the k8s capture against 2/4 ms: 1.06–1.12× sysdig alone instead
 * of 1.11–1.21×); a live source, whose rate is the containers' syscall rate, backs off to 20 ms while quiet.
 */
const FIFO_IDLE_MAX_MS = { capture: 2, live: 20 } as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Read a FIFO's non-blocking read end by pulling: one read, then a short pause (2 ms after data, backing
 * off while idle). sysdig writes one line per write(2), so a reader woken by every write does about
 * 15 000 reads for the k8s capture and spends ~170 ms of CPU in them; pulling with a pause takes ~100
 * reads of a nearly full pipe and ~20 ms. No thread is parked on a blocking read.
 */
function fifoReader(fd: number, idleMaxMs: number): OutputReader {
  let stopped = false;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    closeSync(fd);
  };
  return {
    begin(onText, onEnd) {
      const buffer = Buffer.allocUnsafe(256 * 1024);
      const decoder = new StringDecoder('utf8');
      const pump = async (): Promise<void> => {
        let idle = FIFO_COALESCE_MS;
        while (!stopped) {
          let n: number;
          try {
            n = (await readAsync(fd, buffer, 0, buffer.length, null)).bytesRead;
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') break;
            await sleep(idle);
            idle = Math.min(idle * 2, idleMaxMs);
            continue;
          }
          if (n === 0) break; // every writer has closed: the end of sysdig's output
          if (stopped) break;
          onText(decoder.write(buffer.subarray(0, n)));
          idle = FIFO_COALESCE_MS;
          if (n < buffer.length) await sleep(FIFO_COALESCE_MS);
        }
        if (!stopped) {
          const rest = decoder.end();
          if (rest !== '') onText(rest);
        }
      };
      void pump().finally(() => {
        close();
        onEnd();
      });
    },
    stop() {
      stopped = true;
    },
  };
}

/** Read a Node stream (the `pipe` transport). */
function streamReader(stream: Readable): OutputReader {
  return {
    begin(onText, onEnd) {
      stream.setEncoding('utf8');
      stream.on('data', onText);
      stream.on('error', () => undefined); // a reset pipe ends like a closed one
      stream.on('close', onEnd);
    },
    stop() {
      stream.destroy();
    },
  };
}

/** A FIFO for sysdig's stdout: its write end for the child, its read end for Bulkhead. */
interface Fifo {
  readonly writeFd: number;
  readonly readFd: number;
}

/** Open a FIFO in a private directory and remove its name; null when that is not possible here. */
async function openFifo(): Promise<Fifo | null> {
  let dir: string | null = null;
  try {
    dir = await mkdtemp(join(tmpdir(), 'bulkhead-sysdig-'));
    const path = join(dir, 'out');
    await execFileAsync('mkfifo', ['-m', '600', path]);
    // The read end first and non-blocking, so opening the write end does not wait for a reader; the
    // write end stays blocking, so a full pipe makes sysdig wait rather than fail.
    const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      return { readFd, writeFd: openSync(path, constants.O_WRONLY) };
    } catch (e) {
      closeSync(readFd);
      throw e;
    }
  } catch {
    return null;
  } finally {
    if (dir !== null) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Start sysdig; the returned process is `starting`. */
export function runSysdig(options: SysdigRunOptions): SysdigProcess {
  const { clock } = options;
  const program = options.program ?? 'sysdig';
  let state: SourceState = { phase: 'starting', since: clock.now() };
  let settled = false;
  let disposed = false;
  let stderr = '';
  let child: ChildProcess | null = null;
  let output: OutputReader | null = null;
  let killTimer: Disposable | null = null;
  let streamingTimer: Disposable | null = null;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const setState = (next: SourceState): void => {
    state = next;
    options.onState(next);
  };
  const toStreaming = (): void => {
    if (!settled && state.phase === 'starting') setState({ phase: 'streaming', since: clock.now() });
  };
  const settle = (next: SourceState): void => {
    if (settled) return;
    settled = true;
    streamingTimer?.dispose();
    setState(next);
  };

  const finish = (spawnError: string | null, exitCode: number | null, signal: string | null): void => {
    killTimer?.dispose();
    resolveClosed();
    if (settled) return;
    const failure = classifySysdigFailure({
      mode: options.mode,
      spawnError,
      exitCode,
      signal,
      stderr,
      isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
      devicePresent: existsSync(SCAP_DEVICE),
      program,
      ...(options.path !== undefined ? { path: options.path } : {}),
      ...(options.eventsRead !== undefined ? { eventsRead: options.eventsRead() } : {}),
    });
    const since = clock.now();
    settle(
      failure === null
        ? { phase: 'exited', since, reason: 'end-of-input' }
        : { phase: 'failed', since, error: failure, diagnostics: stderr },
    );
  };

  const start = (fifo: Fifo | null): void => {
    if (disposed) {
      if (fifo !== null) {
        closeSync(fifo.writeFd);
        closeSync(fifo.readFd);
      }
      resolveClosed();
      return;
    }
    const proc = spawn(program, [...options.args], {
      stdio: ['ignore', fifo === null ? 'pipe' : fifo.writeFd, 'pipe'],
    });
    child = proc;
    // The child has its own copy of the write end; ours must go, or the reader never sees the end.
    if (fifo !== null) closeSync(fifo.writeFd);
    const reader =
      fifo !== null ? fifoReader(fifo.readFd, FIFO_IDLE_MAX_MS[options.mode]) : streamReader(proc.stdout!);
    output = reader;

    // Settle once the process has exited and all of its output has been read.
    let exit: { code: number | null; signal: string | null } | null = null;
    let outputDone = false;
    const maybeFinish = (): void => {
      if (exit !== null && outputDone) finish(null, exit.code, exit.signal);
    };
    reader.begin(
      (text) => {
        if (disposed || settled) return;
        toStreaming();
        options.onText(text);
      },
      () => {
        outputDone = true;
        maybeFinish();
      },
    );
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_TAIL);
    });
    proc.on('error', (e: NodeJS.ErrnoException) => {
      // A spawn failure has no pid and no exit; a later error (e.g. kill on a dead process) changes nothing.
      if (proc.pid === undefined) {
        reader.stop();
        finish(e.code ?? e.message, null, null);
      }
    });
    // 'close' rather than 'exit': stderr is complete by then, so its words are in the classification.
    proc.on('close', (code, signal) => {
      exit = { code, signal };
      maybeFinish();
    });
  };

  if (options.mode === 'live') {
    streamingTimer = clock.setTimeout(toStreaming, options.streamingAfterMs ?? 1500);
  }

  if ((options.transport ?? 'fifo') === 'fifo') void openFifo().then(start);
  else start(null);

  return {
    get state() {
      return state;
    },
    get diagnostics() {
      return stderr;
    },
    closed,
    dispose() {
      if (disposed) return;
      disposed = true;
      settle({ phase: 'exited', since: clock.now(), reason: 'disposed' });
      const proc = child;
      if (proc === null) return; // not spawned yet: start() cleans up
      output?.stop();
      if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) {
        proc.kill('SIGTERM');
        killTimer = clock.setTimeout(() => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
        }, options.killTimeoutMs ?? 2000);
      }
    },
  };
}
