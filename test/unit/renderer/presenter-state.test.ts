import { describe, expect, it } from 'vitest';

import {
  applyPresenterAction,
  choosePrimary,
  initialPresenterState,
  jumpPrimary,
  parseStoredPresenter,
  positionText,
  presenterKeyAction,
  resolvePrimary,
  serializePresenter,
  shownContainers,
  stepAspect,
  stepPrimary,
  stepSecond,
  toggleSplit,
} from '../../../renderer/src/state/presenter.js';
import type { PresenterKey, PresenterState } from '../../../renderer/src/state/presenter.js';
import { id } from './fixtures.js';

const [a, b, c, d] = [id('a'), id('b'), id('c'), id('d')];
const ids = [a, b, c, d];
const ASPECTS = ['overview', 'posture', 'syscalls', 'image'];

const on = (patch: Partial<PresenterState> = {}): PresenterState => ({
  ...initialPresenterState,
  on: true,
  ...patch,
});

const press = (key: string, patch: Partial<PresenterKey> = {}): PresenterKey => ({
  key,
  shiftKey: false,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  typing: false,
  inDialog: false,
  ...patch,
});

describe('the container on stage', () => {
  it('is the first one until one is chosen, and the first again when the chosen one is gone', () => {
    expect(resolvePrimary(ids, on())).toBe(a);
    expect(resolvePrimary(ids, on({ primary: c }))).toBe(c);
    expect(resolvePrimary([a, b], on({ primary: c }))).toBe(a);
    expect(resolvePrimary([], on({ primary: c }))).toBeNull();
  });

  it('steps to the next and previous container, wrapping around at both ends', () => {
    const walk = (delta: 1 | -1, steps: number): (string | null)[] => {
      let state = on();
      const seen: (string | null)[] = [];
      for (let i = 0; i < steps; i++) {
        state = stepPrimary(ids, state, delta);
        seen.push(state.primary);
      }
      return seen;
    };
    expect(walk(1, 5)).toEqual([b, c, d, a, b]);
    expect(walk(-1, 5)).toEqual([d, c, b, a, d]);
    expect(stepPrimary(ids, on({ primary: d }), 1).direction).toBe('next');
    expect(stepPrimary(ids, on({ primary: a }), -1).direction).toBe('prev');
  });

  it('does not move with one container or none', () => {
    const one = on({ primary: a });
    expect(stepPrimary([a], one, 1)).toBe(one);
    expect(stepPrimary([], on(), -1)).toEqual(on());
  });

  it('jumps to the first and last container (Home/End)', () => {
    expect(jumpPrimary(ids, on({ primary: b }), 'last')).toMatchObject({ primary: d, direction: 'next' });
    expect(jumpPrimary(ids, on({ primary: c }), 'first')).toMatchObject({ primary: a, direction: 'prev' });
    const atStart = on({ primary: a });
    expect(jumpPrimary(ids, atStart, 'first')).toBe(atStart);
  });

  it('stays on its container when others come and go', () => {
    const state = stepPrimary(ids, on(), 1); // b
    expect(shownContainers([id('0'), ...ids], state).primary).toBe(b);
    expect(shownContainers([b, d], state).primary).toBe(b);
  });

  it('says where it is: 2 of 4', () => {
    expect(positionText(ids, b)).toBe('2 of 4');
  });
});

describe('the split view (before/after)', () => {
  it('shows the primary and the one after it by default, wrapping', () => {
    expect(shownContainers(ids, toggleSplit(ids, on({ primary: b })))).toEqual({ primary: b, second: c });
    expect(shownContainers(ids, toggleSplit(ids, on({ primary: d })))).toEqual({ primary: d, second: a });
  });

  it('shows one container alone when there is no second, and none beside it when the split is off', () => {
    expect(shownContainers([a], toggleSplit([a], on()))).toEqual({ primary: a, second: null });
    expect(shownContainers(ids, on({ primary: a, second: c }))).toEqual({ primary: a, second: null });
  });

  it('picks the second container with Shift+←/→, skipping the primary and wrapping', () => {
    let state = toggleSplit(ids, on({ primary: b })); // b | c
    state = stepSecond(ids, state, 1);
    expect(shownContainers(ids, state)).toEqual({ primary: b, second: d });
    state = stepSecond(ids, state, 1);
    expect(shownContainers(ids, state)).toEqual({ primary: b, second: a });
    state = stepSecond(ids, state, 1); // skips b
    expect(shownContainers(ids, state)).toEqual({ primary: b, second: c });
    state = stepSecond(ids, state, -1); // back past b
    expect(shownContainers(ids, state)).toEqual({ primary: b, second: a });
  });

  it('turns the split on when a second container is picked, showing the remembered one first', () => {
    const state = stepSecond(ids, on({ primary: a, second: c }), 1);
    expect(state.split).toBe(true);
    expect(shownContainers(ids, state)).toEqual({ primary: a, second: c });
  });

  it('remembers the pair when the split is turned off and on again', () => {
    const pair = stepSecond(ids, toggleSplit(ids, on({ primary: a })), 1); // a | c
    const back = toggleSplit(ids, toggleSplit(ids, pair));
    expect(shownContainers(ids, back)).toEqual({ primary: a, second: c });
  });

  it('never shows one container on both sides: ←/→ skip the second, Home/End swap with it', () => {
    const state = toggleSplit(ids, on({ primary: a })); // a | b
    expect(shownContainers(ids, stepPrimary(ids, state, 1))).toEqual({ primary: c, second: b });
    expect(shownContainers(ids, stepPrimary(ids, state, -1))).toEqual({ primary: d, second: b });
    const atEnd = stepSecond(ids, state, -1); // a | d
    expect(shownContainers(ids, jumpPrimary(ids, atEnd, 'last'))).toEqual({ primary: d, second: a });
    expect(shownContainers(ids, choosePrimary(atEnd, d))).toEqual({ primary: d, second: a });
  });

  it('with two containers, ←/→ have nowhere else to go', () => {
    const state = toggleSplit([a, b], on({ primary: a }));
    expect(shownContainers([a, b], stepPrimary([a, b], state, 1))).toEqual({ primary: a, second: b });
  });

  it('picks another second when the chosen one is gone', () => {
    const state = on({ split: true, primary: a, second: c });
    expect(shownContainers([a, b, d], state)).toEqual({ primary: a, second: b });
  });
});

describe('the aspect rows (↑/↓)', () => {
  it('start at the first row and stop at both ends', () => {
    expect(stepAspect(ASPECTS, null, 1)).toBe('overview');
    expect(stepAspect(ASPECTS, null, -1)).toBe('overview');
    expect(stepAspect(ASPECTS, 'overview', 1)).toBe('posture');
    expect(stepAspect(ASPECTS, 'image', 1)).toBe('image');
    expect(stepAspect(ASPECTS, 'overview', -1)).toBe('overview');
    expect(stepAspect(ASPECTS, 'gone', 1)).toBe('overview');
    expect(stepAspect([], null, 1)).toBeNull();
  });
});

describe('the keys', () => {
  it.each([
    ['ArrowRight', {}, 'next'],
    ['ArrowLeft', {}, 'prev'],
    ['PageDown', {}, 'next'],
    ['PageUp', {}, 'prev'],
    ['Home', {}, 'first'],
    ['End', {}, 'last'],
    ['ArrowDown', {}, 'aspect-next'],
    ['ArrowUp', {}, 'aspect-prev'],
    ['2', {}, 'split'],
    ['ArrowRight', { shiftKey: true }, 'second-next'],
    ['ArrowLeft', { shiftKey: true }, 'second-prev'],
    ['p', {}, 'toggle'],
    ['P', { shiftKey: true }, 'toggle'],
    ['Escape', {}, 'exit'],
    ['x', {}, null],
    ['ArrowRight', { altKey: true }, null],
    ['p', { ctrlKey: true }, null],
    ['p', { metaKey: true }, null],
  ] as const)('%s %j in presenter mode → %s', (key, patch, action) => {
    expect(presenterKeyAction(press(key, patch), true)).toBe(action);
  });

  it('only p does anything while presenter mode is off', () => {
    expect(presenterKeyAction(press('p'), false)).toBe('toggle');
    for (const key of ['ArrowRight', 'ArrowLeft', 'Home', 'End', 'ArrowDown', '2', 'Escape'])
      expect(presenterKeyAction(press(key), false), key).toBeNull();
  });

  it('leaves keys typed into a field or pressed in a dialog alone', () => {
    expect(presenterKeyAction(press('p', { typing: true }), false)).toBeNull();
    expect(presenterKeyAction(press('p', { typing: true }), true)).toBeNull();
    expect(presenterKeyAction(press('ArrowRight', { typing: true }), true)).toBeNull();
    expect(presenterKeyAction(press('Escape', { inDialog: true }), true)).toBeNull();
    expect(presenterKeyAction(press('ArrowDown', { inDialog: true }), true)).toBeNull();
  });

  it('applies each action to the state', () => {
    let state = applyPresenterAction(initialPresenterState, 'toggle', ids, ASPECTS);
    expect(state.on).toBe(true);
    state = applyPresenterAction(state, 'next', ids, ASPECTS);
    expect(state.primary).toBe(b);
    state = applyPresenterAction(state, 'split', ids, ASPECTS);
    expect(shownContainers(ids, state)).toEqual({ primary: b, second: c });
    state = applyPresenterAction(state, 'second-prev', ids, ASPECTS);
    expect(shownContainers(ids, state)).toEqual({ primary: b, second: a });
    state = applyPresenterAction(state, 'aspect-next', ids, ASPECTS);
    state = applyPresenterAction(state, 'aspect-next', ids, ASPECTS);
    expect(state.aspect).toBe('posture');
    state = applyPresenterAction(state, 'aspect-prev', ids, ASPECTS);
    expect(state.aspect).toBe('overview');
    state = applyPresenterAction(state, 'last', ids, ASPECTS);
    expect(shownContainers(ids, state)).toEqual({ primary: d, second: a });
    state = applyPresenterAction(state, 'first', ids, ASPECTS);
    expect(shownContainers(ids, state)).toEqual({ primary: a, second: d });
    state = applyPresenterAction(state, 'prev', ids, ASPECTS);
    expect(shownContainers(ids, state)).toEqual({ primary: c, second: d });
    state = applyPresenterAction(state, 'exit', ids, ASPECTS);
    expect(state.on).toBe(false);
  });
});

describe('the remembered state', () => {
  it('round-trips mode, split and the containers on stage, but not the row or the motion', () => {
    const state = on({ split: true, primary: b, second: d, aspect: 'image', direction: 'next' });
    expect(parseStoredPresenter(serializePresenter(state))).toEqual({
      ...state,
      aspect: null,
      direction: 'none',
    });
  });

  it.each([
    ['nothing stored', null],
    ['not JSON', 'on'],
    ['an old plain value', 'true'],
    ['an array', '[true]'],
    ['JSON null', 'null'],
    ['a string', '"presenter"'],
  ])('is presenter mode off for %s', (_what, value) => {
    expect(parseStoredPresenter(value)).toEqual(initialPresenterState);
  });

  it('drops a field of the wrong type on its own, keeping the others', () => {
    expect(parseStoredPresenter(JSON.stringify({ on: 'yes', split: true, primary: b }))).toEqual({
      ...initialPresenterState,
      split: true,
      primary: b,
    });
    expect(
      parseStoredPresenter(JSON.stringify({ on: true, primary: 'abc123', second: b.toUpperCase() })),
    ).toEqual({ ...initialPresenterState, on: true });
  });

  it('does not keep the same container on both sides', () => {
    expect(parseStoredPresenter(JSON.stringify({ on: true, primary: a, second: a }))).toMatchObject({
      primary: a,
      second: null,
    });
  });
});
