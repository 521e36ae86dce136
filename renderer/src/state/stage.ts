import type { ConnectionState } from '../../../shared/domain/engine.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import type { SyscallSourceInfo, SyscallSourceRequest } from '../../../shared/ipc/contract.js';
import { isLive } from './syscalls.js';

/**
 * On stage: when the engine or the live syscall source dies mid-talk, one line says so and offers to
 * switch to the recorded lab session (`r`); once on the recording, a way back when live is there again.
 * Pure functions over what the stores hold; the stage controller moves them.
 */

/** A live source that failed or stopped, as the renderer heard it. */
export interface SourceTrouble {
  /** The source's label in the picker, e.g. `eBPF (bpftrace), live`. */
  readonly label: string;
  /** When the failure was heard (ms). */
  readonly since: number;
  /** What it said (`bpftrace-failed: …`), or that it stopped. */
  readonly message: string;
  /** The engine restarts a live tracer that had streamed; one that never streamed stays failed. */
  readonly restarting: boolean;
  /** When it streamed again, or null. */
  readonly recoveredAt: number | null;
}

/** Why the user switched to the recording, and from what (to go back to). */
export interface StageSwitch {
  readonly from: SyscallSourceRequest | null;
  readonly cause: 'engine' | 'source';
  readonly at: number;
}

/** How long the line stays after a restarted tracer streams again. */
export const RECOVERED_NOTICE_MS = 10_000;

/**
 * The trouble after a `syscalls:state` of the current subscription, `previous` being its state before.
 * Only live sources (a replay that fails says so in the Syscalls view): `failed`, or an `exited` that was
 * not asked for, starts it; `streaming` again marks it recovered.
 */
export function nextTrouble(
  trouble: SourceTrouble | null,
  request: SyscallSourceRequest | null,
  label: string,
  previous: SourceState | null,
  state: SourceState | null,
  now: number,
): SourceTrouble | null {
  if (!isLive(request) || state === null) return trouble;
  const streamed = previous?.phase === 'streaming' || trouble?.restarting === true;
  switch (state.phase) {
    case 'failed':
      if (trouble !== null && trouble.recoveredAt === null) return trouble;
      return {
        label,
        since: now,
        message: `${state.error.code}: ${state.error.message.replace(/\.$/, '')}`,
        restarting: streamed,
        recoveredAt: null,
      };
    case 'exited':
      if (state.reason !== 'end-of-input') return trouble;
      if (trouble !== null && trouble.recoveredAt === null) return trouble;
      return { label, since: now, message: 'it stopped', restarting: true, recoveredAt: null };
    case 'streaming':
      return trouble !== null && trouble.recoveredAt === null ? { ...trouble, recoveredAt: now } : trouble;
    case 'starting':
      return trouble;
    default:
      return trouble;
  }
}

/** The one-line notice, and what it offers. */
export type StageNotice =
  | {
      readonly kind: 'lost';
      readonly cause: 'engine' | 'source';
      readonly text: string;
      /** The recorded lab session ships: offer "Switch to recording (R)". */
      readonly canSwitch: boolean;
    }
  | { readonly kind: 'back'; readonly text: string };

/** What the notice is derived from. */
export interface StageInput {
  readonly connection: ConnectionState | null;
  /** The engine was connected at some point since the window opened (so losing it is news). */
  readonly sawEngine: boolean;
  readonly request: SyscallSourceRequest | null;
  readonly trouble: SourceTrouble | null;
  readonly sources: readonly SyscallSourceInfo[] | null;
  readonly switched: StageSwitch | null;
  readonly now: number;
}

/** `14:03:27`, the viewer's clock. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function available(
  sources: readonly SyscallSourceInfo[] | null,
  kind: SyscallSourceRequest['kind'],
): boolean {
  return sources?.find((s) => s.kind === kind)?.available === true;
}

/**
 * The notice to show, or null.
 *
 * On a live source (or none): the engine lost after it was seen — the cards fall back to demo data — or
 * the live tracer failed (restarting, restarted a moment ago, or for good). On the recording the user
 * switched to: "Back to live" once the engine answers again (when it was the engine) and the source they
 * left can start.
 */
export function stageNotice(input: StageInput): StageNotice | null {
  const { connection, request, trouble, sources, switched } = input;
  const canSwitch = available(sources, 'lab-session');
  if (request?.kind === 'lab-session') {
    if (switched === null) return null;
    const engineBack = switched.cause !== 'engine' || connection?.phase === 'connected';
    const from = switched.from;
    const sourceBack = from === null || !isLive(from) || available(sources, from.kind);
    if (!engineBack || !sourceBack) return null;
    return {
      kind: 'back',
      text: `Showing the recorded lab session (RECORDING) since ${clockTime(switched.at)}; live is available again.`,
    };
  }
  if (request !== null && !isLive(request)) return null;
  if (input.sawEngine && connection?.phase === 'disconnected')
    return {
      kind: 'lost',
      cause: 'engine',
      text: `Live data stopped at ${clockTime(connection.since)}: the Docker engine at ${connection.endpoint.url} is not answering.`,
      canSwitch,
    };
  if (trouble !== null && request !== null) {
    if (trouble.recoveredAt !== null && input.now - trouble.recoveredAt >= RECOVERED_NOTICE_MS) return null;
    const at = clockTime(trouble.since);
    const text =
      trouble.recoveredAt !== null
        ? `The ${trouble.label} source stopped at ${at} (${trouble.message}) and was restarted at ${clockTime(trouble.recoveredAt)}.`
        : trouble.restarting
          ? `The ${trouble.label} source stopped at ${at} (${trouble.message}); restarting it…`
          : `The ${trouble.label} source failed at ${at}: ${trouble.message}.`;
    return { kind: 'lost', cause: 'source', text, canSwitch };
  }
  return null;
}

/** Whether a key press switches to the recording: `r` with no modifier, outside text fields and dialogs. */
export function isSwitchKey(event: {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
  readonly typing: boolean;
  readonly inDialog: boolean;
}): boolean {
  if (event.typing || event.inDialog || event.ctrlKey || event.altKey || event.metaKey) return false;
  return event.key === 'r' || event.key === 'R';
}
