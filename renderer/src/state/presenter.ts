import type { ContainerId } from '../../../shared/domain/ids.js';
import { isContainerId } from '../../../shared/domain/ids.js';
import { assertNever } from '../../../shared/util/assert-never.js';

/**
 * Presenter mode as data: which container is on stage (and which second one in the split "before/after"
 * view), which aspect row the speaker is on, and the keys that move them. Pure; the store and the
 * components hold no logic of their own.
 *
 * Containers are kept by id, not by position, so a container starting or disappearing elsewhere does not
 * change what is on stage. Every function takes the containers in the grid's column order.
 */

/** Which way the last container switch went: the stage slides in from that side. */
export type PresenterDirection = 'next' | 'prev' | 'none';

/** What presenter mode remembers and shows. */
export interface PresenterState {
  readonly on: boolean;
  /** Two containers side by side. */
  readonly split: boolean;
  /** The container on stage (the left one in the split view); null until one is chosen. */
  readonly primary: ContainerId | null;
  /** The right one in the split view; kept while the split is off, so toggling it back shows the same pair. */
  readonly second: ContainerId | null;
  /** The aspect row the speaker moved to with ↑/↓ (an aspect id), or null before any. */
  readonly aspect: string | null;
  readonly direction: PresenterDirection;
}

/** Presenter mode off, nothing chosen yet. */
export const initialPresenterState: PresenterState = {
  on: false,
  split: false,
  primary: null,
  second: null,
  aspect: null,
  direction: 'none',
};

/** The part of the state that decides what is on stage. */
export type StageChoice = Pick<PresenterState, 'split' | 'primary' | 'second'>;

/** The containers actually on stage, resolved against the current list. */
export interface ShownContainers {
  readonly primary: ContainerId | null;
  /** Only in the split view, and only when there is a second container to show. */
  readonly second: ContainerId | null;
}

/** The chosen primary if it is still listed, else the first container (null when there are none). */
export function resolvePrimary(ids: readonly ContainerId[], state: StageChoice): ContainerId | null {
  if (state.primary !== null && ids.includes(state.primary)) return state.primary;
  return ids[0] ?? null;
}

/** The container `delta` steps from `id`, wrapping around and passing over `skip`; `id` itself if none. */
function after(
  ids: readonly ContainerId[],
  id: ContainerId,
  delta: number,
  skip: ContainerId | null,
): ContainerId {
  const n = ids.length;
  const start = ids.indexOf(id);
  for (let step = 1; step <= n; step++) {
    const candidate = ids[(((start + delta * step) % n) + n) % n];
    if (candidate !== undefined && candidate !== skip) return candidate;
  }
  return id;
}

/**
 * The second container of the split: the chosen one if it is still listed and not the primary, else the
 * one after the primary (wrapping). null when the split is off or there is only one container.
 */
export function resolveSecond(ids: readonly ContainerId[], state: StageChoice): ContainerId | null {
  const primary = resolvePrimary(ids, state);
  if (primary === null || ids.length < 2) return null;
  if (state.second !== null && state.second !== primary && ids.includes(state.second)) return state.second;
  return after(ids, primary, 1, primary);
}

/** What is on stage: one container, or two in the split view. */
export function shownContainers(ids: readonly ContainerId[], state: StageChoice): ShownContainers {
  return { primary: resolvePrimary(ids, state), second: state.split ? resolveSecond(ids, state) : null };
}

/**
 * Move the primary container one step (+1 next, -1 previous), wrapping around at the ends. In the split
 * view it skips the second container, so the two sides never show the same one.
 */
export function stepPrimary(
  ids: readonly ContainerId[],
  state: PresenterState,
  delta: 1 | -1,
): PresenterState {
  const primary = resolvePrimary(ids, state);
  if (primary === null) return state;
  const second = state.split ? resolveSecond(ids, state) : null;
  const next = after(ids, primary, delta, second);
  if (next === primary) return state;
  return {
    ...state,
    primary: next,
    second: state.split ? second : state.second,
    direction: delta > 0 ? 'next' : 'prev',
  };
}

/** Jump the primary to the first or last container; landing on the second container swaps the two. */
export function jumpPrimary(
  ids: readonly ContainerId[],
  state: PresenterState,
  to: 'first' | 'last',
): PresenterState {
  const primary = resolvePrimary(ids, state);
  const target = to === 'first' ? ids[0] : ids[ids.length - 1];
  if (primary === null || target === undefined || target === primary) return state;
  const second = state.split ? resolveSecond(ids, state) : state.second;
  return {
    ...state,
    primary: target,
    second: state.split && second === target ? primary : second,
    direction: ids.indexOf(target) > ids.indexOf(primary) ? 'next' : 'prev',
  };
}

/** Turn the split view on or off; turning it on shows the remembered second container, else the next one. */
export function toggleSplit(ids: readonly ContainerId[], state: PresenterState): PresenterState {
  if (state.split) return { ...state, split: false, direction: 'none' };
  return { ...state, split: true, second: resolveSecond(ids, state), direction: 'none' };
}

/**
 * Pick the second container one step on (+1) or back (-1), wrapping and skipping the primary. Turns the
 * split view on: choosing a second container is asking to see it.
 */
export function stepSecond(
  ids: readonly ContainerId[],
  state: PresenterState,
  delta: 1 | -1,
): PresenterState {
  const primary = resolvePrimary(ids, state);
  const current = resolveSecond(ids, state);
  if (primary === null || current === null) return { ...state, split: true };
  // Turning the split on shows the remembered second first; only an open split moves it.
  const second = state.split ? after(ids, current, delta, primary) : current;
  return { ...state, split: true, primary, second, direction: 'none' };
}

/**
 * The aspect row after a step (+1 down, -1 up), stopping at the first and last rows. Before any row was
 * chosen, either step goes to the first.
 */
export function stepAspect(aspects: readonly string[], current: string | null, delta: 1 | -1): string | null {
  if (aspects.length === 0) return null;
  const at = current === null ? -1 : aspects.indexOf(current);
  if (at < 0) return aspects[0] ?? null;
  return aspects[Math.min(aspects.length - 1, Math.max(0, at + delta))] ?? null;
}

/** Choose the container on stage directly (a card the user focused in the grid). */
export function choosePrimary(state: PresenterState, id: ContainerId): PresenterState {
  if (state.primary === id) return state;
  return { ...state, primary: id, second: state.second === id ? state.primary : state.second };
}

// ---------------------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------------------

/** What a key press asks presenter mode to do. */
export type PresenterAction =
  | 'toggle'
  | 'exit'
  | 'next'
  | 'prev'
  | 'first'
  | 'last'
  | 'split'
  | 'second-next'
  | 'second-prev'
  | 'aspect-next'
  | 'aspect-prev';

/** The parts of a keydown event the key map reads. */
export interface PresenterKey {
  readonly key: string;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly altKey: boolean;
  readonly metaKey: boolean;
  /** The event's target takes text or a choice (input, select, textarea, contenteditable). */
  readonly typing: boolean;
  /** A modal dialog (a findings panel) is open: its keys are its own. */
  readonly inDialog: boolean;
}

/**
 * The action a key asks for, or null for keys presenter mode leaves alone.
 *
 * `p` toggles from anywhere; the rest only while presenter mode is on. Keys typed into a field, keys in an
 * open dialog and shortcuts with Ctrl, Alt or Meta (the browser's and the system's) are never taken.
 * PageDown/PageUp are what presentation clickers send: they step containers like →/←.
 */
export function presenterKeyAction(event: PresenterKey, on: boolean): PresenterAction | null {
  if (event.typing || event.inDialog || event.ctrlKey || event.altKey || event.metaKey) return null;
  if (event.key === 'p' || event.key === 'P') return 'toggle';
  if (!on) return null;
  switch (event.key) {
    case 'Escape':
      return 'exit';
    case 'ArrowRight':
      return event.shiftKey ? 'second-next' : 'next';
    case 'ArrowLeft':
      return event.shiftKey ? 'second-prev' : 'prev';
    case 'PageDown':
      return 'next';
    case 'PageUp':
      return 'prev';
    case 'Home':
      return 'first';
    case 'End':
      return 'last';
    case 'ArrowDown':
      return 'aspect-next';
    case 'ArrowUp':
      return 'aspect-prev';
    case '2':
      return 'split';
    default:
      return null;
  }
}

/** The state after an action, over the containers in column order and the aspect rows top to bottom. */
export function applyPresenterAction(
  state: PresenterState,
  action: PresenterAction,
  ids: readonly ContainerId[],
  aspects: readonly string[],
): PresenterState {
  switch (action) {
    case 'toggle':
      return { ...state, on: !state.on, direction: 'none' };
    case 'exit':
      return { ...state, on: false, direction: 'none' };
    case 'next':
      return stepPrimary(ids, state, 1);
    case 'prev':
      return stepPrimary(ids, state, -1);
    case 'first':
      return jumpPrimary(ids, state, 'first');
    case 'last':
      return jumpPrimary(ids, state, 'last');
    case 'split':
      return toggleSplit(ids, state);
    case 'second-next':
      return stepSecond(ids, state, 1);
    case 'second-prev':
      return stepSecond(ids, state, -1);
    case 'aspect-next':
      return { ...state, aspect: stepAspect(aspects, state.aspect, 1) };
    case 'aspect-prev':
      return { ...state, aspect: stepAspect(aspects, state.aspect, -1) };
    default:
      return assertNever(action, 'presenter action');
  }
}

/** `2 of 5`: where the container on stage is in the column order. */
export function positionText(ids: readonly ContainerId[], id: ContainerId): string {
  return `${ids.indexOf(id) + 1} of ${ids.length}`;
}

// ---------------------------------------------------------------------------------------------------------
// Remembering it
// ---------------------------------------------------------------------------------------------------------

/** The part of the state kept across reloads. */
export type StoredPresenter = Pick<PresenterState, 'on' | 'split' | 'primary' | 'second'>;

/** The value written to storage. */
export function serializePresenter(state: PresenterState): string {
  const stored: StoredPresenter = {
    on: state.on,
    split: state.split,
    primary: state.primary,
    second: state.second,
  };
  return JSON.stringify(stored);
}

function storedId(value: unknown): ContainerId | null {
  return typeof value === 'string' && isContainerId(value) ? value : null;
}

/**
 * The remembered presenter state. Anything unrecognised (nothing stored, an old or hand-edited value) is
 * presenter mode off; a field of the wrong type falls back on its own, without losing the others.
 */
export function parseStoredPresenter(value: string | null): PresenterState {
  if (value === null) return initialPresenterState;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return initialPresenterState;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return initialPresenterState;
  const record = parsed as Record<string, unknown>;
  const primary = storedId(record.primary);
  const second = storedId(record.second);
  return {
    ...initialPresenterState,
    on: record.on === true,
    split: record.split === true,
    primary,
    second: second === primary ? null : second,
  };
}
