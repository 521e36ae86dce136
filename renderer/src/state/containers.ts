import { CONTAINER_STATES } from '../../../shared/domain/container.js';
import type { ContainerList, ContainerSummary } from '../../../shared/domain/container.js';
import type { ErrorData, Result } from '../../../shared/ipc/result.js';
import { assertNever } from '../../../shared/util/assert-never.js';

/**
 * What the container view knows: the last list, or why there is none.
 *
 * Requests are numbered so that an answer overtaken by a newer one is ignored (a slow `containers:list`
 * must not overwrite the result of the re-fetch that followed it).
 */
export interface ContainersState {
  readonly list: ContainerList | null;
  readonly error: ErrorData | null;
  /** Number of the newest request sent. */
  readonly requested: number;
  /** Number of the newest request whose answer was applied. */
  readonly applied: number;
}

export const initialContainersState: ContainersState = { list: null, error: null, requested: 0, applied: 0 };

/** Whether an answer is still awaited for the newest request. */
export function isLoading(state: ContainersState): boolean {
  return state.requested > state.applied;
}

/** Record that a request went out; returns its number with the new state. */
export function beginListRequest(state: ContainersState): {
  readonly state: ContainersState;
  readonly seq: number;
} {
  const seq = state.requested + 1;
  return { state: { ...state, requested: seq }, seq };
}

/**
 * Apply the answer to request `seq`.
 *
 * Stale answers are ignored. A lost transport keeps the last list (the transport banner already says the
 * view is not live); any other failure replaces the list with the error, so stale containers are never
 * shown as if they were current.
 */
export function applyListResult(
  state: ContainersState,
  seq: number,
  result: Result<ContainerList>,
): ContainersState {
  if (seq <= state.applied) return state;
  if (result.ok) return { ...state, list: result.value, error: null, applied: seq };
  if (result.error.code === 'transport-closed' && state.list !== null) return { ...state, applied: seq };
  return { ...state, list: null, error: result.error, applied: seq };
}

/**
 * Columns in a stable order: by name, then id.
 *
 * A state change (start, stop) must not move a column, or the user loses their place while comparing.
 */
export function orderContainers(containers: readonly ContainerSummary[]): readonly ContainerSummary[] {
  return [...containers].sort((a, b) => {
    const byName = a.name.localeCompare(b.name, 'en');
    if (byName !== 0) return byName;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** `6 containers · 4 running · 1 created · 1 exited`: counts in lifecycle order, zero counts left out. */
export function summarizeStates(containers: readonly ContainerSummary[]): string {
  const total = containers.length === 1 ? '1 container' : `${containers.length} containers`;
  const parts = CONTAINER_STATES.map(
    (state) => [state, containers.filter((c) => c.state === state).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  return [total, ...parts].join(' · ');
}

/**
 * What the main area says when there is no list.
 *
 * Engine problems are already explained (with the endpoint and the retry) by the banner above, so this
 * does not repeat them; anything else shows its message.
 */
export function listUnavailableText(error: ErrorData): string {
  switch (error.code) {
    case 'docker-unreachable':
    case 'docker-permission-denied':
    case 'docker-error':
      return 'No containers to show until the engine answers; this view fills in by itself.';
    case 'transport-closed':
      return 'No containers yet: waiting for the Bulkhead engine.';
    case 'bad-request':
    case 'unknown-channel':
    case 'untrusted-sender':
    case 'not-found':
    case 'permission-denied':
    case 'demo-unavailable':
    case 'sysdig-missing':
    case 'sysdig-driver-missing':
    case 'sysdig-failed':
    case 'capture-unreadable':
    case 'bpftrace-missing':
    case 'bpftrace-failed':
    case 'disk-full':
    case 'write-failed':
    case 'report-renderer-unavailable':
    case 'chromium-missing':
    case 'internal':
      return `The container list could not be loaded: ${error.message}`;
    default:
      return assertNever(error.code, 'error code');
  }
}
