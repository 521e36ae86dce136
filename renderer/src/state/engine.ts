import type { ConnectionState } from '../../../shared/domain/engine.js';
import type { AppDescription } from '../../../shared/ipc/contract.js';
import type { ErrorData, Result } from '../../../shared/ipc/result.js';

/**
 * The engine connection and app facts as the renderer knows them.
 *
 * `version` counts applied connection updates: an `engine:describe` answer is applied only if no
 * `engine:state` push arrived while it was in flight, because the push is newer.
 */
export interface EngineViewState {
  readonly connection: ConnectionState | null;
  readonly version: number;
  readonly app: AppDescription | null;
  /** Set while a `demo:configure` request is in flight. */
  readonly demoBusy: boolean;
  /** Why the last `demo:configure` failed, if it did. */
  readonly demoError: ErrorData | null;
}

export const initialEngineViewState: EngineViewState = {
  connection: null,
  version: 0,
  app: null,
  demoBusy: false,
  demoError: null,
};

/** An `engine:state` push: always the newest word. */
export function applyConnectionPush(state: EngineViewState, connection: ConnectionState): EngineViewState {
  return { ...state, connection, version: state.version + 1 };
}

/** The answer to an `engine:describe` sent when the state was at `sentAtVersion`. */
export function applyDescribeResult(
  state: EngineViewState,
  sentAtVersion: number,
  result: Result<ConnectionState>,
): EngineViewState {
  if (!result.ok || state.version !== sentAtVersion) return state;
  return { ...state, connection: result.value, version: state.version + 1 };
}

/** The answer to `app:describe` or `demo:configure` (both return the AppDescription). */
export function applyAppResult(state: EngineViewState, result: Result<AppDescription>): EngineViewState {
  if (!result.ok) return { ...state, demoBusy: false, demoError: result.error };
  return { ...state, app: result.value, demoBusy: false, demoError: null };
}
