import { spawn } from 'node:child_process';

import type { SyscallErrorCode } from '../../../shared/domain/syscalls/model.js';
import type { Clock, Disposable } from '../../services/ports.js';

/**
 * bpftrace as a child process, for both eBPF sources (the counting source and the sequence source): spawn
 * with an argument array, stdout to the caller as text, the last 8 KiB of stderr kept as diagnostics, the
 * end (a spawn failure, an exit, a signal) classified once into a code and a sentence, and `stop()` as
 * SIGTERM then SIGKILL after a timeout (STYLE §5). The sources keep their own state machines around it.
 */

/** Everything classifyBpftraceFailure looks at. */
export interface BpftraceOutcome {
  /** `code` of the spawn error (ENOENT, EACCES, …), null when the process ran. */
  readonly spawnError: string | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  readonly isRoot: boolean;
  readonly program: string;
}

/** The last meaningful lines of stderr (the memlock warning is noise here: bpftrace loads regardless). */
function bpftraceSaid(stderr: string, lines = 2): string {
  const tail = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/RLIMIT_MEMLOCK/.test(l) && !/^[~ ^]+$/.test(l))
    .slice(-lines)
    .join('; ');
  return tail === '' ? '' : ` (bpftrace said: "${tail.slice(0, 400)}")`;
}

/** Turn how bpftrace ended into an error code and a sentence that names the fix. It never ends well. */
export function classifyBpftraceFailure(o: BpftraceOutcome): { code: SyscallErrorCode; message: string } {
  if (o.spawnError !== null) {
    if (o.spawnError === 'ENOENT') {
      return {
        code: 'bpftrace-missing',
        message: `bpftrace is not installed: ${o.program} was not found. Install it (Debian/Ubuntu: apt-get install bpftrace) to see live syscalls through eBPF.`,
      };
    }
    if (o.spawnError === 'EACCES' || o.spawnError === 'EPERM') {
      return { code: 'permission-denied', message: `Bulkhead may not run ${o.program} (${o.spawnError}).` };
    }
    return { code: 'bpftrace-failed', message: `bpftrace could not be started: ${o.spawnError}.` };
  }
  const said = bpftraceSaid(o.stderr);
  if (
    !o.isRoot ||
    /only supports running as the root user|Operation not permitted|EPERM|Permission denied/i.test(o.stderr)
  ) {
    return {
      code: 'permission-denied',
      message: `bpftrace needs root (or CAP_BPF and CAP_PERFMON) to load its program${said}. Run Bulkhead as root to see live syscalls through eBPF.`,
    };
  }
  if (/tracepoint not found/i.test(o.stderr)) {
    return {
      code: 'bpftrace-failed',
      message: `bpftrace cannot find the raw_syscalls tracepoint: tracefs is not mounted${said}. Mount it (mount -t tracefs nodev /sys/kernel/tracing) and start the source again.`,
    };
  }
  if (o.exitCode === null) {
    return { code: 'bpftrace-failed', message: `bpftrace was stopped by ${o.signal ?? 'a signal'}${said}.` };
  }
  return { code: 'bpftrace-failed', message: `bpftrace stopped with exit code ${o.exitCode}${said}.` };
}

const STDERR_TAIL = 8 * 1024;

/** What runBpftrace needs. */
export interface BpftraceRunOptions {
  /** The binary (default `bpftrace`). */
  readonly program: string;
  /** Its argv (from bpftraceArgs: never a shell string). */
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv | Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  /** Whether Bulkhead runs as root; default: from process.getuid(). */
  readonly isRoot?: boolean;
  /** SIGTERM to SIGKILL, default 2000 ms. */
  readonly killTimeoutMs?: number;
  onStdout(text: string): void;
  /** Once, when the process could not start or has ended (however it ended: bpftrace never ends well). */
  onEnd(failure: { code: SyscallErrorCode; message: string }, stderr: string): void;
}

/** A running bpftrace. */
export interface BpftraceRun {
  /** Undefined when it could not be started. */
  readonly pid: number | undefined;
  /** SIGTERM now, SIGKILL after the timeout if it is still there. Idempotent; onEnd still follows. */
  stop(): void;
}

/** Spawn bpftrace. */
export function runBpftrace(options: BpftraceRunOptions): BpftraceRun {
  let stderr = '';
  let ended = false;
  let killTimer: Disposable | null = null;
  const end = (spawnError: string | null, exitCode: number | null, signal: string | null): void => {
    killTimer?.dispose();
    if (ended) return;
    ended = true;
    const failure = classifyBpftraceFailure({
      spawnError,
      exitCode,
      signal,
      stderr,
      isRoot: options.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0),
      program: options.program,
    });
    options.onEnd(failure, stderr);
  };
  const proc = spawn(options.program, [...options.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env,
  });
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (text: string) => options.onStdout(text));
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL);
  });
  proc.on('error', (e: NodeJS.ErrnoException) => {
    // A spawn failure has no pid and no exit; a later error (kill on a dead process) changes nothing.
    if (proc.pid === undefined) end(e.code ?? e.message, null, null);
  });
  proc.on('close', (code, signal) => end(null, code, signal));
  let stopping = false;
  return {
    get pid() {
      return proc.pid;
    },
    stop() {
      if (stopping) return;
      stopping = true;
      if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) {
        proc.kill('SIGTERM');
        killTimer = options.clock.setTimeout(() => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
        }, options.killTimeoutMs ?? 2000);
      }
    },
  };
}
