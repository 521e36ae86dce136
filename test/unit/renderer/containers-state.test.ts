import { describe, expect, it } from 'vitest';

import { err, ok } from '../../../shared/ipc/result.js';
import {
  applyListResult,
  beginListRequest,
  initialContainersState,
  isLoading,
  orderContainers,
  summarizeStates,
  listUnavailableText,
} from '../../../renderer/src/state/containers.js';
import { container, id, liveList } from './fixtures.js';

describe('containers state', () => {
  it('numbers requests and applies their answers', () => {
    const { state, seq } = beginListRequest(initialContainersState);
    expect(seq).toBe(1);
    expect(isLoading(state)).toBe(true);
    const list = liveList([container({ name: 'a' })]);
    const done = applyListResult(state, seq, ok(list));
    expect(done.list).toBe(list);
    expect(done.error).toBeNull();
    expect(isLoading(done)).toBe(false);
  });

  it('ignores an answer overtaken by a newer one', () => {
    const first = beginListRequest(initialContainersState);
    const second = beginListRequest(first.state);
    const newer = liveList([container({ name: 'newer' })]);
    const older = liveList([container({ name: 'older' })]);
    let s = applyListResult(second.state, second.seq, ok(newer));
    s = applyListResult(s, first.seq, ok(older));
    expect(s.list).toBe(newer);
  });

  it('keeps the last list when only the transport dropped, and says so by not loading', () => {
    const list = liveList([container({ name: 'kept' })]);
    const a = beginListRequest(initialContainersState);
    let s = applyListResult(a.state, a.seq, ok(list));
    const b = beginListRequest(s);
    s = applyListResult(b.state, b.seq, err('transport-closed', 'lost'));
    expect(s.list).toBe(list);
    expect(isLoading(s)).toBe(false);
  });

  it('drops the list on an engine failure so stale containers are not shown as current', () => {
    const a = beginListRequest(initialContainersState);
    let s = applyListResult(a.state, a.seq, ok(liveList([container({ name: 'x' })])));
    const b = beginListRequest(s);
    s = applyListResult(
      b.state,
      b.seq,
      err('docker-unreachable', 'Docker engine not reachable at unix:///x'),
    );
    expect(s.list).toBeNull();
    expect(s.error).toEqual({
      code: 'docker-unreachable',
      message: 'Docker engine not reachable at unix:///x',
    });
  });

  it('reports transport-closed as an error when there is no list to keep', () => {
    const a = beginListRequest(initialContainersState);
    const s = applyListResult(a.state, a.seq, err('transport-closed', 'lost'));
    expect(s.error?.code).toBe('transport-closed');
  });

  it('orders columns by name, then id, independent of state or engine order', () => {
    const ordered = orderContainers([
      container({ name: 'web', id: id('c'), state: 'exited' }),
      container({ name: 'api', id: id('b') }),
      container({ name: 'web', id: id('a') }),
      container({ name: 'Zeta', id: id('d') }),
    ]);
    expect(ordered.map((c) => `${c.name}/${c.id[0]}`)).toEqual(['api/b', 'web/a', 'web/c', 'Zeta/d']);
  });

  it('summarises states in lifecycle order and leaves out zero counts', () => {
    expect(summarizeStates([])).toBe('0 containers');
    expect(summarizeStates([container({ name: 'a' })])).toBe('1 container · 1 running');
    expect(
      summarizeStates([
        container({ name: 'a', state: 'exited' }),
        container({ name: 'b' }),
        container({ name: 'c', state: 'created' }),
        container({ name: 'd' }),
      ]),
    ).toBe('4 containers · 1 created · 2 running · 1 exited');
  });

  it('does not repeat engine problems the banner explains, but shows other failures', () => {
    expect(
      listUnavailableText({ code: 'docker-unreachable', message: 'Docker engine not reachable at x' }),
    ).not.toContain('not reachable');
    expect(listUnavailableText({ code: 'internal', message: 'boom' })).toBe(
      'The container list could not be loaded: boom',
    );
  });
});
