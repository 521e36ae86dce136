import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type { SourceState, SyscallFrame } from '../../shared/domain/syscalls/model.js';
import type { SyscallSourceRequest } from '../../shared/ipc/contract.js';
import { Channels, Pushes } from '../../shared/ipc/contract.js';
import type { ErrorData } from '../../shared/ipc/result.js';
import { createWaker, followUntilDone } from './follow.js';
import type { AppCore, PushEnvelope } from '../services/app-core.js';
import type { SyscallSummary } from './format.js';
import { formatSyscallSummary, summarizeSyscallFrame } from './format.js';

/**
 * `bulkhead syscalls --source bpf|sysdig|capture:FILE|recording:FILE [--json] [--duration 10s] [--top N]`.
 *
 * Subscribes through the app core like a window does and keeps the last frame it is sent: a capture or a
 * recording is replayed at full speed to its end (`--duration` does not apply), a live source runs for the
 * duration; then each subject's top syscalls since the start are printed. A source that cannot start
 * (no sysdig driver, no bpftrace, an unreadable capture) is a clear error.
 */

/** Most a live run may last. */
export const MAX_SYSCALLS_DURATION_MS = 3_600_000;
/** Longest --top. */
export const MAX_SYSCALLS_TOP = 1000;

/** What the syscalls command gets from run.ts. */
export interface SyscallsCommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** A parsed command line, or the usage error. */
export type SyscallsArgs =
  | {
      readonly ok: true;
      readonly label: string;
      readonly source: SyscallSourceRequest;
      readonly json: boolean;
      readonly durationMs: number;
      readonly top: number;
    }
  | { readonly ok: false; readonly message: string };

/** Parse `10s`, `500ms`, `2m`, or a bare number of seconds. Null when it is none of these. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (m === null) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

/** Parse the arguments of `bulkhead syscalls`. Paths are made absolute against `cwd`. */
export function parseSyscallsArgs(args: readonly string[], cwd: string): SyscallsArgs {
  const { values } = parseArgs({
    args: [...args],
    options: {
      source: { type: 'string' },
      json: { type: 'boolean' },
      duration: { type: 'string' },
      top: { type: 'string' },
    },
    strict: true,
  });
  const raw = values.source;
  if (raw === undefined) return { ok: false, message: '--source is required (bpf, sysdig or capture:FILE)' };
  let source: SyscallSourceRequest;
  if (raw === 'bpf') source = { kind: 'bpf' };
  else if (raw === 'sysdig') source = { kind: 'sysdig-live' };
  else if (raw.startsWith('capture:') && raw.length > 'capture:'.length) {
    source = { kind: 'sysdig-capture', path: resolve(cwd, raw.slice('capture:'.length)), speed: 'max' };
  } else if (raw.startsWith('recording:') && raw.length > 'recording:'.length) {
    source = { kind: 'recording', path: resolve(cwd, raw.slice('recording:'.length)), speed: 'max' };
  } else {
    return {
      ok: false,
      message: `--source must be bpf, sysdig, capture:FILE or recording:FILE (got ${JSON.stringify(raw)})`,
    };
  }
  const durationMs = parseDuration(values.duration ?? '10s');
  if (durationMs === null || durationMs < 1 || durationMs > MAX_SYSCALLS_DURATION_MS) {
    return {
      ok: false,
      message: `--duration must be like 10s, 500ms or 2m, at most 1 hour (got ${JSON.stringify(values.duration)})`,
    };
  }
  const top = Number(values.top ?? '10');
  if (!Number.isInteger(top) || top < 1 || top > MAX_SYSCALLS_TOP) {
    return { ok: false, message: `--top must be a whole number from 1 to ${MAX_SYSCALLS_TOP}` };
  }
  return { ok: true, label: raw, source, json: values.json === true, durationMs, top };
}

/** What a run ended with. */
export type SyscallsOutcome =
  { readonly ok: true; readonly summary: SyscallSummary } | { readonly ok: false; readonly error: ErrorData };

/**
 * Subscribe to the source through `core`, follow its frames and states, and summarise the last frame.
 *
 * Replays end at their end of input; live sources after `durationMs` (a live tracer that dies after it
 * streamed is restarted by the service, so only a failure before streaming ends the run early).
 */
export async function collectSyscalls(
  core: AppCore,
  args: Extract<SyscallsArgs, { ok: true }>,
  sleep: (ms: number) => { promise: Promise<void>; cancel(): void },
  /** Called with the subscription before it is ended (e.g. to ask for its seccomp profile). */
  beforeUnsubscribe?: (subId: string) => Promise<void>,
): Promise<SyscallsOutcome> {
  const live = args.source.kind === 'bpf' || args.source.kind === 'sysdig-live';
  // Pushes can arrive while subscribe is answered: keep them all and sort them out by subId afterwards.
  const seen: PushEnvelope[] = [];
  const waker = createWaker();
  const stop = core.pushes.subscribe((push) => {
    if (push.channel === Pushes.syscallsFrame || push.channel === Pushes.syscallsState) {
      seen.push(push);
      waker.wake();
    }
  });
  try {
    const subscribed = await core.dispatch(Channels.syscallsSubscribe, { source: args.source });
    if (!subscribed.ok) return { ok: false, error: subscribed.error };
    const { subId } = subscribed.value as { subId: string };
    let frame: SyscallFrame | null = null;
    let state: SourceState | null = null;
    let streamed = false;
    const drain = (): void => {
      for (const push of seen.splice(0)) {
        if (push.channel === Pushes.syscallsFrame) {
          const p = push.payload as { subId: string; frame: SyscallFrame };
          if (p.subId === subId) frame = p.frame;
        } else {
          const p = push.payload as { subId: string; state: SourceState };
          if (p.subId !== subId) continue;
          state = p.state;
          if (p.state.phase === 'streaming') streamed = true;
        }
      }
    };
    await followUntilDone({
      live,
      durationMs: args.durationMs,
      sleep,
      waker,
      drain,
      state: () => state,
      streamed: () => streamed,
    });
    const last = state as SourceState | null;
    if (last?.phase === 'failed' && (!live || !streamed)) return { ok: false, error: last.error };
    if (beforeUnsubscribe !== undefined) await beforeUnsubscribe(subId);
    await core.dispatch(Channels.syscallsUnsubscribe, { subId });
    return { ok: true, summary: summarizeSyscallFrame(args.label, frame, state, args.top) };
  } finally {
    stop();
  }
}

/** The summary as the user asked for it: JSON or the table. */
export function renderSyscalls(summary: SyscallSummary, json: boolean): string {
  return json ? JSON.stringify(summary, null, 2) : formatSyscallSummary(summary);
}
