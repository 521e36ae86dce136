import { describe, expect, it } from 'vitest';

import {
  addCount,
  advanceTo,
  createAggregate,
  createKeyTable,
  internKey,
  makeFrame,
} from '../../../shared/domain/syscalls/aggregate.js';
import type { SyscallAggregate } from '../../../shared/domain/syscalls/aggregate.js';
import type {
  SourceState,
  Subject,
  SyscallFrame,
  SysdigContainerId,
} from '../../../shared/domain/syscalls/model.js';
import type { SyscallSourceInfo } from '../../../shared/ipc/contract.js';
import { err, ok } from '../../../shared/ipc/result.js';
import {
  applyFrame,
  applyStatePush,
  applySubscribeResult,
  beginSubscribe,
  captureRequest,
  cardOf,
  clearSubscription,
  defaultSource,
  droppedText,
  extendSeries,
  gapsWithin,
  histogramRows,
  initialSyscallsState,
  isReplay,
  replayTag,
  setPaused,
  sharedMax,
  stackedRows,
  subjectForCard,
  subjectLabel,
  subjectOrigin,
  unavailableText,
} from '../../../renderer/src/state/syscalls.js';
import type { SyscallsState } from '../../../renderer/src/state/syscalls.js';
import { container, id, ms } from './fixtures.js';

// Frames are made by the real fold (shared/domain/syscalls/aggregate.ts), as the engine makes them.

const WEB = `${'c78a447010cd'}${'0'.repeat(52)}`;
const web: Subject = { kind: 'container', id: 'c78a447010cd' as SysdigContainerId, name: 'web' };
const lb: Subject = { kind: 'container', id: '59fd49aa4072' as SysdigContainerId, name: 'example2_lb_1' };
const host: Subject = { kind: 'host' };

function fold(): {
  agg: SyscallAggregate;
  add: (second: number, s: Subject, call: string, n?: number) => void;
} {
  const keys = createKeyTable();
  const agg = createAggregate(keys, 60);
  return {
    agg,
    add(second, s, call, n = 1) {
      advanceTo(agg, second);
      addCount(agg, second, internKey(keys, s, call), n);
    },
  };
}

let seq = 0;
const frameOf = (agg: SyscallAggregate, now: number): SyscallFrame =>
  makeFrame(agg, now, { seq: seq++, seriesSeconds: 10 });

const streaming: SourceState = { phase: 'streaming', since: ms(1) };

/** A state subscribed to `subId` (the subscribe answered). */
function subscribed(subId = 'sub-1', base: SyscallsState = initialSyscallsState): SyscallsState {
  const { state, seq: n } = beginSubscribe(base, { kind: 'sysdig-live' });
  return applySubscribeResult(state, n, ok({ subId, state: { phase: 'starting', since: ms(0) } }));
}

const source = (over: Partial<SyscallSourceInfo> & Pick<SyscallSourceInfo, 'kind'>): SyscallSourceInfo => ({
  label: over.kind,
  available: false,
  reason: null,
  sequence: false,
  note: '',
  ...over,
});

describe('frames per subscription', () => {
  it('applies frames of the current subscription and ignores those of any other', () => {
    const f = fold();
    f.add(100, web, 'read', 3);
    const frame = frameOf(f.agg, 100);
    const s = subscribed('sub-1');
    expect(applyFrame(s, 'sub-old', frame)).toBe(s);
    const next = applyFrame(s, 'sub-1', frame);
    expect(next.shown).toBe(frame);
    expect(next.subjects.map((v) => v.key)).toEqual(['c78a447010cd']);
    expect(next.subjects[0]?.frame.total).toBe(3);
  });

  it('holds pushes that arrive before the subscribe answers, then adopts only that subscription’s', () => {
    const f = fold();
    f.add(100, web, 'read');
    const frame = frameOf(f.agg, 100);
    const { state, seq: n } = beginSubscribe(initialSyscallsState, { kind: 'bpf' });
    let s = applyStatePush(state, 'sub-2', streaming);
    s = applyFrame(s, 'sub-2', frame);
    s = applyFrame(s, 'sub-other', frameOf(f.agg, 100));
    expect(s.shown).toBeNull();
    s = applySubscribeResult(s, n, ok({ subId: 'sub-2', state: { phase: 'starting', since: ms(0) } }));
    expect(s.sourceState).toEqual(streaming);
    expect(s.shown).toBe(frame);
    expect(s.early).toEqual({});
  });

  it('ignores an answer overtaken by a newer subscribe, and keeps a failed subscribe’s error', () => {
    const first = beginSubscribe(initialSyscallsState, { kind: 'bpf' });
    const second = beginSubscribe(first.state, { kind: 'sysdig-live' });
    const late = applySubscribeResult(second.state, first.seq, ok({ subId: 'a', state: streaming }));
    expect(late).toBe(second.state);
    const failed = applySubscribeResult(
      second.state,
      second.seq,
      err('bad-request', 'path must not start with "-"'),
    );
    expect(failed.subscription).toBeNull();
    expect(failed.subscribeError?.message).toBe('path must not start with "-"');
    expect(failed.failedRequest).toEqual({ kind: 'sysdig-live' });
  });

  it('ignores a frame older than the one shown, and state pushes of stale subscriptions', () => {
    const f = fold();
    f.add(100, web, 'read');
    const a = frameOf(f.agg, 100);
    const b = frameOf(f.agg, 100);
    const s = applyFrame(applyFrame(subscribed(), 'sub-1', b), 'sub-1', a);
    expect(s.shown).toBe(b);
    expect(applyStatePush(s, 'nope', streaming)).toBe(s);
    expect(applyStatePush(s, 'sub-1', streaming).sourceState).toBe(streaming);
  });

  it('clearing the subscription empties the display', () => {
    const f = fold();
    f.add(100, web, 'read');
    const s = clearSubscription(applyFrame(subscribed(), 'sub-1', frameOf(f.agg, 100)));
    expect(s.subscription).toBeNull();
    expect(s.shown).toBeNull();
    expect(s.subjects).toEqual([]);
  });
});

describe('stable references', () => {
  it('keeps a quiet subject’s view (and its chart arrays) while another subject changes', () => {
    const f = fold();
    f.add(100, web, 'read', 2);
    f.add(100, lb, 'epoll_pwait', 5);
    let s = applyFrame(subscribed(), 'sub-1', frameOf(f.agg, 100));
    const [lbView, webView] = s.subjects;
    const gaps = s.gaps;
    f.add(100, web, 'write', 1);
    s = applyFrame(s, 'sub-1', frameOf(f.agg, 100));
    expect(s.subjects[0]).toBe(lbView);
    expect(s.subjects[0]?.bars).toBe(lbView?.bars);
    expect(s.subjects[0]?.rate).toBe(lbView?.rate);
    expect(s.subjects[1]).not.toBe(webView);
    expect(s.subjects[1]?.frame.total).toBe(3);
    expect(s.gaps).toBe(gaps);
  });

  it('keeps the whole subjects array when nothing changed', () => {
    const f = fold();
    f.add(100, web, 'read', 2);
    let s = applyFrame(subscribed(), 'sub-1', frameOf(f.agg, 100));
    const subjects = s.subjects;
    s = applyFrame(s, 'sub-1', frameOf(f.agg, 100));
    expect(s.subjects).toBe(subjects);
  });
});

describe('pause', () => {
  it('freezes the display of a live source while frames still arrive, and shows the newest on resume', () => {
    const f = fold();
    f.add(100, web, 'read');
    const first = frameOf(f.agg, 100);
    let s = setPaused(applyFrame(subscribed(), 'sub-1', first), true);
    f.add(101, web, 'read', 4);
    const second = frameOf(f.agg, 101);
    s = applyFrame(s, 'sub-1', second);
    expect(s.shown).toBe(first);
    expect(s.latest).toBe(second);
    expect(s.subjects[0]?.frame.total).toBe(1);
    s = setPaused(s, false);
    expect(s.shown).toBe(second);
    expect(s.subjects[0]?.frame.total).toBe(5);
  });
});

describe('subjects and cards', () => {
  const cards = [
    container({ name: 'web', id: WEB as ReturnType<typeof id> }),
    container({ name: 'other', id: id('e') }),
  ];

  it('matches a sysdig short id and a full eBPF id to the card by prefix', () => {
    expect(cardOf(web, cards)?.name).toBe('web');
    expect(cardOf({ kind: 'container', id: WEB as SysdigContainerId, name: null }, cards)?.name).toBe('web');
    expect(cardOf(lb, cards)).toBeNull();
    expect(cardOf(host, cards)).toBeNull();
  });

  it('names and places every subject: cards, capture-only containers, host, unattributed', () => {
    expect(subjectLabel(web, cards)).toBe('web');
    expect(subjectLabel(lb, cards)).toBe('example2_lb_1');
    expect(
      subjectLabel(
        { kind: 'container', id: 'abcdefabcdef' as SysdigContainerId, name: 'a\u202Eb\u200Bc' },
        [],
      ),
    ).toBe('a⟨U+202E⟩b⟨U+200B⟩c');
    expect(
      subjectLabel({ kind: 'container', id: 'abcdefabcdef' as SysdigContainerId, name: null }, cards),
    ).toBe('abcdefabcdef');
    expect(subjectOrigin(web, cards)).toBe('card');
    expect(subjectOrigin(lb, cards)).toBe('not-on-engine');
    expect(subjectOrigin(host, cards)).toBe('host');
    expect(subjectOrigin({ kind: 'unattributed' }, cards)).toBe('unattributed');
  });

  it('finds a card’s subject in the frame', () => {
    const f = fold();
    f.add(100, web, 'read');
    f.add(100, host, 'read');
    const s = applyFrame(subscribed(), 'sub-1', frameOf(f.agg, 100));
    expect(subjectForCard(s.subjects, WEB)?.key).toBe('c78a447010cd');
    expect(subjectForCard(s.subjects, id('e'))).toBeNull();
  });
});

describe('sources', () => {
  it('defaults to eBPF when available, else sysdig live, else nothing with the reasons', () => {
    const bpf = source({ kind: 'bpf', label: 'eBPF', available: true });
    const live = source({ kind: 'sysdig-live', label: 'sysdig live', available: true });
    const capture = source({ kind: 'sysdig-capture', available: true });
    expect(defaultSource([live, bpf, capture])).toEqual({ kind: 'bpf' });
    expect(defaultSource([{ ...bpf, available: false }, live])).toEqual({ kind: 'sysdig-live' });
    const none = [
      { ...bpf, available: false, reason: 'eBPF needs root.' },
      { ...live, available: false, reason: 'the driver is not loaded.' },
      capture,
    ];
    expect(defaultSource(none)).toBeNull();
    expect(unavailableText(none)).toBe(
      'eBPF: eBPF needs root. sysdig live: the driver is not loaded. Open a capture to replay it.',
    );
  });

  it('defaults to the recorded lab session over demo data, when it ships', () => {
    const bpf = source({ kind: 'bpf', label: 'eBPF', available: true });
    const session = source({
      kind: 'lab-session',
      label: 'Recorded lab session (recording)',
      available: true,
    });
    expect(defaultSource([bpf, session], true)).toEqual({ kind: 'lab-session', speed: 1 });
    expect(defaultSource([bpf, session], false)).toEqual({ kind: 'bpf' });
    expect(defaultSource([bpf, { ...session, available: false }], true)).toEqual({ kind: 'bpf' });
  });

  it('tags replays RECORDING or CAPTURE, live sources not at all', () => {
    expect(replayTag({ kind: 'lab-session', speed: 1 })).toBe('RECORDING');
    expect(replayTag({ kind: 'recording', path: '/r', speed: 1 })).toBe('RECORDING');
    expect(replayTag({ kind: 'sysdig-capture', path: '/c.scap', speed: 1 })).toBe('CAPTURE');
    expect(replayTag({ kind: 'bpf' })).toBeNull();
    expect(replayTag(null)).toBeNull();
    expect(isReplay({ kind: 'lab-session', speed: 10 })).toBe(true);
  });

  it('sends .scap paths to sysdig and anything else to the recording reader', () => {
    expect(captureRequest(' /d/x.scap ', 'max')).toEqual({
      kind: 'sysdig-capture',
      path: '/d/x.scap',
      speed: 'max',
    });
    expect(captureRequest('/d/x.scap.gz', 10).kind).toBe('sysdig-capture');
    expect(captureRequest('/d/rec.json', 1).kind).toBe('recording');
  });
});

describe('views of a subject', () => {
  it('sorts the histogram by count and by name', () => {
    const f = fold();
    f.add(100, web, 'read', 3);
    f.add(100, web, 'close', 7);
    f.add(100, web, 'futex', 5);
    const subject = frameOf(f.agg, 100).subjects[0]!;
    expect(histogramRows(subject, 'count-desc').map((r) => r.syscall)).toEqual(['close', 'futex', 'read']);
    expect(histogramRows(subject, 'count-asc').map((r) => r.syscall)).toEqual(['read', 'futex', 'close']);
    expect(histogramRows(subject, 'name-asc').map((r) => r.syscall)).toEqual(['close', 'futex', 'read']);
    expect(histogramRows(subject, 'name-desc').map((r) => r.syscall)).toEqual(['read', 'futex', 'close']);
  });

  it('gives comparison one scale: the largest count of the chosen subjects', () => {
    const f = fold();
    f.add(100, web, 'read', 3);
    f.add(100, lb, 'epoll_pwait', 40);
    const s = applyFrame(subscribed(), 'sub-1', frameOf(f.agg, 100));
    expect(sharedMax(s.subjects)).toBe(40);
  });

  it('builds a per-syscall series from successive frames that adds up to the subject’s events', () => {
    const f = fold();
    f.add(100, web, 'read', 3);
    let s = applyFrame(subscribed(), 'sub-1', frameOf(f.agg, 100));
    f.add(101, web, 'read', 2);
    f.add(101, web, 'write', 4);
    s = applyFrame(s, 'sub-1', frameOf(f.agg, 101));
    f.add(102, web, 'read', 1);
    s = applyFrame(s, 'sub-1', frameOf(f.agg, 102));
    const points = s.series['c78a447010cd'] ?? [];
    // `write` was not in the previous frame's top: its first count is in `other`.
    expect(points).toEqual([
      { second: 101, counts: { read: 2, other: 4 } },
      { second: 102, counts: { read: 1 } },
    ]);
    const { keys, rows } = stackedRows(points, 1);
    expect(keys).toEqual(['read', 'other']);
    expect(rows).toEqual([
      { second: 101, read: 2, other: 4 },
      { second: 102, read: 1, other: 0 },
    ]);
  });

  it('starts the series over when a replay seeks backwards', () => {
    const f = fold();
    f.add(100, web, 'read', 3);
    const a = frameOf(f.agg, 100);
    f.add(101, web, 'read', 3);
    const b = frameOf(f.agg, 101);
    const series = extendSeries({}, a, b);
    expect(Object.keys(series)).toEqual(['c78a447010cd']);
    expect(extendSeries(series, b, a)).toEqual({});
  });

  it('clips gaps to a chart’s range and writes drop counts as text', () => {
    const gaps = gapsWithin(
      [
        { from: 10 as never, to: 20 as never, reason: 'no-data' },
        { from: 50 as never, to: 60 as never, reason: 'dropped' },
      ],
      15,
      40,
    );
    expect(gaps).toEqual([{ from: 15, to: 20, reason: 'no-data' }]);
    const f = fold();
    f.add(100, web, 'read');
    const frame = frameOf(f.agg, 100);
    expect(droppedText(frame)).toBe('none dropped');
    expect(droppedText({ ...frame, dropped: { overflow: 2, late: 0, malformed: 1200 } })).toBe(
      'dropped: 2 over the key bound, 1,200 malformed',
    );
  });
});
