import { create } from 'zustand';

import type { ContainerId } from '../../../shared/domain/ids.js';
import {
  applyPresenterAction,
  choosePrimary,
  parseStoredPresenter,
  serializePresenter,
} from '../state/presenter.js';
import type { PresenterAction, PresenterState } from '../state/presenter.js';

const PRESENTER_KEY = 'bulkhead.presenter';

// Storage can be unavailable (a sandboxed page, storage disabled); the mode is then not remembered.
function readStored(): string | null {
  try {
    return window.localStorage.getItem(PRESENTER_KEY);
  } catch {
    return null;
  }
}

function remember(state: PresenterState): void {
  try {
    window.localStorage.setItem(PRESENTER_KEY, serializePresenter(state));
  } catch {
    // Not remembered; the mode still applies to this window.
  }
}

/** Presenter mode: on or off, what is on stage, and the aspect row; remembered across reloads. */
export const usePresenterStore = create<PresenterState>()(() => parseStoredPresenter(readStored()));

function update(next: PresenterState): void {
  const before = usePresenterStore.getState();
  if (next === before) return;
  usePresenterStore.setState(next, true);
  if (
    next.on !== before.on ||
    next.split !== before.split ||
    next.primary !== before.primary ||
    next.second !== before.second
  )
    remember(next);
}

/**
 * Apply a key's action over the containers in column order and the aspect rows top to bottom.
 */
export function dispatchPresenter(
  action: PresenterAction,
  ids: readonly ContainerId[],
  aspects: readonly string[],
): void {
  update(applyPresenterAction(usePresenterStore.getState(), action, ids, aspects));
}

/** Turn presenter mode on or off (the header button). */
export function togglePresenter(): void {
  update(applyPresenterAction(usePresenterStore.getState(), 'toggle', [], []));
}

/** Put this container on stage next time presenter mode opens (the card focused in the grid). */
export function choosePresenterContainer(id: ContainerId): void {
  update(choosePrimary(usePresenterStore.getState(), id));
}
