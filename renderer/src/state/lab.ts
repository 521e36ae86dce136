import type { DataSource } from '../../../shared/domain/container.js';
import type { LabRole } from '../../../shared/domain/lab.js';
import { labContainerName } from '../../../shared/domain/lab.js';
import type { LabLine, LabOp, LabOpView, LabStatusReport, PushOf } from '../../../shared/ipc/contract.js';
import type { ErrorData, Result } from '../../../shared/ipc/result.js';

/**
 * The Lab panel as the renderer knows it: the engine's word on the lab (`lab:status`), the operation
 * running or last run with its lines (from `lab:progress` pushes), and what each button may do now.
 */
export interface LabViewState {
  readonly open: boolean;
  readonly status: LabStatusReport | null;
  readonly statusError: ErrorData | null;
  readonly op: LabOpView | null;
  /** An operation asked for and not yet answered. */
  readonly pending: LabOp | null;
  /** Why the last start was refused (busy, no engine). */
  readonly startError: ErrorData | null;
}

export const initialLabState: LabViewState = {
  open: false,
  status: null,
  statusError: null,
  op: null,
  pending: null,
  startError: null,
};

/** The operation with more to say: the same one with more lines (or its end), else the newer one. */
function newer(a: LabOpView | null, b: LabOpView | null): LabOpView | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.opId !== b.opId) return b.startedAt >= a.startedAt ? b : a;
  if (a.done !== null && b.done === null) return a;
  if (b.done !== null && a.done === null) return b;
  return b.lines.length >= a.lines.length ? b : a;
}

/** Apply the answer to `lab:status`. */
export function applyLabStatus(state: LabViewState, result: Result<LabStatusReport>): LabViewState {
  if (!result.ok) return { ...state, statusError: result.error };
  return { ...state, status: result.value, statusError: null, op: newer(state.op, result.value.op) };
}

/** Apply a `lab:progress` push: a line of the operation, or its end; `now` dates one first seen here. */
export function applyLabProgress(
  state: LabViewState,
  push: PushOf<'lab:progress'>,
  now: number,
): LabViewState {
  const base: LabOpView =
    state.op?.opId === push.opId
      ? state.op
      : {
          opId: push.opId,
          op: push.op,
          target: push.target,
          startedAt: now as LabOpView['startedAt'],
          lines: [],
          done: null,
        };
  const lines: readonly LabLine[] = push.line !== null ? [...base.lines, push.line] : base.lines;
  return { ...state, op: { ...base, lines, done: push.done ?? base.done } };
}

/** A start request went out. */
export function beginLabStart(state: LabViewState, op: LabOp): LabViewState {
  return { ...state, pending: op, startError: null };
}

/** The answer to a start request. */
export function applyLabStartResult(
  state: LabViewState,
  result: Result<{ readonly opId: string }>,
): LabViewState {
  if (!result.ok) return { ...state, pending: null, startError: result.error };
  return { ...state, pending: null, startError: null };
}

/** One button of the panel. */
export interface LabAction {
  readonly id: 'up' | 'attack-weak' | 'attack-hardened' | 'down';
  readonly label: string;
  readonly op: LabOp;
  readonly target: LabRole | null;
  /** Why it cannot run now, or null when it can. */
  readonly reason: string | null;
}

const ACTIONS: readonly Omit<LabAction, 'reason'>[] = [
  { id: 'up', label: 'Up', op: 'up', target: null },
  { id: 'attack-weak', label: 'Attack weak', op: 'attack', target: 'weak' },
  { id: 'attack-hardened', label: 'Attack hardened', op: 'attack', target: 'hardened' },
  { id: 'down', label: 'Down', op: 'down', target: null },
];

/** The opening of the reason why nothing runs (shared by every button). */
function blockedReason(state: LabViewState, source: DataSource | null, transportUp: boolean): string | null {
  if (!transportUp) return 'Not connected to the Bulkhead engine.';
  if (source?.kind === 'demo') return 'Demo data is shown: the lab needs the local Docker engine.';
  if (state.status === null)
    return state.statusError !== null
      ? `The lab's state is unknown: ${state.statusError.message}`
      : 'Asking the engine about the lab…';
  if (state.status.blocked !== null) return state.status.blocked;
  const running = state.op !== null && state.op.done === null ? state.op : null;
  if (state.pending !== null || running !== null)
    return `Busy: ${describeOp(running, state.pending)} is running.`;
  return null;
}

function describeOp(op: LabOpView | null, pending: LabOp | null): string {
  const what = op?.op ?? pending ?? 'an operation';
  if (what === 'attack') return `the attack on ${op?.target ?? 'a lab container'}`;
  return what === 'an operation' ? what : `lab ${what}`;
}

/** The panel's buttons, each with why it cannot run now (demo data, no engine, remote, busy, nothing to attack). */
export function labActions(
  state: LabViewState,
  source: DataSource | null,
  transportUp: boolean,
): readonly LabAction[] {
  const blocked = blockedReason(state, source, transportUp);
  const containers = state.status?.containers ?? [];
  return ACTIONS.map((a) => {
    if (blocked !== null) return { ...a, reason: blocked };
    switch (a.op) {
      case 'up':
        return { ...a, reason: state.status?.upBlocked ?? null };
      case 'attack': {
        const name = labContainerName(a.target!);
        const c = containers.find((x) => x.role === a.target && x.name === name);
        if (c === undefined) return { ...a, reason: `There is no ${name}: press Up first.` };
        return { ...a, reason: c.running ? null : `${name} is not running (${c.state}).` };
      }
      case 'down':
        return { ...a, reason: containers.length === 0 ? 'There are no lab containers to remove.' : null };
      default:
        return { ...a, reason: null };
    }
  });
}

/** The one line a failed operation ends with, or null. */
export function labErrorLine(state: LabViewState): string | null {
  if (state.startError !== null) return state.startError.message;
  const done = state.op?.done;
  if (done != null && !done.ok) return done.error.message;
  return null;
}
