import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { addAlert } from '../../../shared/domain/anomaly/alerts.js';
import type { BoscSettings } from '../../../shared/domain/anomaly/bosc.js';
import { checkBoscSettings } from '../../../shared/domain/anomaly/bosc.js';
import type { AnomalyMonitor, AnomalySnapshot } from '../../../shared/domain/anomaly/monitor.js';
import {
  createAnomalyMonitor,
  monitorContainer,
  monitorSnapshot,
  observe,
  syscallIndex,
} from '../../../shared/domain/anomaly/monitor.js';
import type { SourceState } from '../../../shared/domain/syscalls/model.js';
import type { BulkheadBridge } from '../../../shared/ipc/bridge.js';
import type { PushChannel, PushOf, RequestChannel } from '../../../shared/ipc/contract.js';
import { err, ok } from '../../../shared/ipc/result.js';
import type { Result } from '../../../shared/ipc/result.js';
import type { AnomalyController } from '../../../renderer/src/anomaly-controller.js';
import { startAnomalyController } from '../../../renderer/src/anomaly-controller.js';
import type { AnomalyState } from '../../../renderer/src/state/anomaly.js';
import {
  DEFAULT_SETTINGS_FORM,
  MAX_IMPORTS,
  anomalyRequest,
  applyAnomalySnapshot,
  applyAnomalyStatePush,
  applyAnomalySubscribeResult,
  applyImportResult,
  beginAnomalySubscribe,
  beginImport,
  cardNoStateText,
  clearAnomalySubscription,
  containerForCard,
  detectionIndicator,
  initialAnomalyState,
  parseSettingsForm,
  phaseCounts,
  seenText,
  settingsFormOf,
  spanText,
  thresholdText,
} from '../../../renderer/src/state/anomaly.js';
import {
  importFalcoAlerts,
  startAnomaly,
  stopAnomaly,
  useAnomalyStore,
} from '../../../renderer/src/stores/anomaly-store.js';
import { useTransportStore } from '../../../renderer/src/stores/transport-store.js';
import { ms } from './fixtures.js';

// Real monitors make the snapshots: a container trained on one loop (watching), one that then did
// something else (anomalous), one still learning.
const SETTINGS: BoscSettings = checkBoscSettings({
  windowSize: 2,
  epochSize: 10,
  trainingEpochs: 3,
  threshold: { kind: 'count', value: 2 },
});
const LEARNING = '111111111111';
const WATCHING = '222222222222';
const ANOMALOUS = '333333333333';
const FULL = (key: string): string => key + 'a'.repeat(52);

function feed(m: AnomalyMonitor, key: string, names: readonly string[], second = 1000): void {
  const c = monitorContainer(m, key, null)!;
  for (const n of names) observe(m, c, syscallIndex(m, n), second, null);
}

function snapshot(): AnomalySnapshot {
  const m = createAnomalyMonitor({ bosc: SETTINGS });
  const loop = Array.from({ length: 41 }, (_, i) => (i % 2 === 0 ? 'read' : 'write'));
  feed(m, LEARNING, loop.slice(0, 16)); // 15 windows: one epoch and a half of three
  feed(m, WATCHING, loop);
  feed(m, ANOMALOUS, loop);
  feed(
    m,
    ANOMALOUS,
    Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'nanosleep' : 'futex')),
    1010,
  );
  addAlert(m.alerts, {
    source: 'falco',
    ruleId: 'Terminal shell in container',
    title: 'Terminal shell in container',
    severity: 'medium',
    rationale: null,
    container: { id: WATCHING, name: 'web' },
    time: ms(999_000),
    syscall: null,
    process: 'bash',
    detail: 'A shell was spawned <b>here</b>',
    tags: [],
    hostname: null,
  });
  return monitorSnapshot(m, ms(1_011_000));
}

const starting: SourceState = { phase: 'starting', since: ms(0) };

function subscribed(): AnomalyState {
  const { state, seq } = beginAnomalySubscribe(initialAnomalyState, { kind: 'bpf' }, {});
  return applyAnomalySubscribeResult(
    state,
    seq,
    ok({ subId: 'anomaly-1', state: starting, settings: SETTINGS }),
  );
}

describe('anomaly state: subscriptions and pushes', () => {
  it('adopts the answer, holds pushes that came before it, and ignores other subscriptions', () => {
    const { state, seq } = beginAnomalySubscribe(initialAnomalyState, { kind: 'bpf' }, { epochSize: 10 });
    const snap = snapshot();
    // Pushes before the answer are held…
    let s = applyAnomalyStatePush(state, 'anomaly-7', { phase: 'streaming', since: ms(1) });
    s = applyAnomalySnapshot(s, 'anomaly-7', snap, []);
    expect(s.snapshot).toBeNull();
    s = applyAnomalySubscribeResult(s, seq, ok({ subId: 'anomaly-7', state: starting, settings: SETTINGS }));
    // …and applied once it names them.
    expect(s.sourceState?.phase).toBe('streaming');
    expect(s.snapshot).toBe(snap);
    expect(s.settings).toBe(SETTINGS);
    expect(s.timeline.map((e) => e.kind)).toEqual(['alert', 'anomaly']);
    // A stale subscription's pushes change nothing.
    expect(applyAnomalySnapshot(s, 'anomaly-1', snapshot(), [])).toBe(s);
    expect(applyAnomalyStatePush(s, 'anomaly-1', starting)).toBe(s);
  });

  it('an answer to an overtaken request is ignored; a failed answer is kept for the message', () => {
    const first = beginAnomalySubscribe(initialAnomalyState, { kind: 'bpf' }, {});
    const second = beginAnomalySubscribe(first.state, { kind: 'sysdig-capture', path: '/x.scap' }, {});
    const s = applyAnomalySubscribeResult(
      second.state,
      first.seq,
      ok({ subId: 'anomaly-1', state: starting, settings: SETTINGS }),
    );
    expect(s).toBe(second.state);
    const failed = applyAnomalySubscribeResult(s, second.seq, err('bad-request', 'no such file'));
    expect(failed.subscription).toBeNull();
    expect(failed.subscribeError).toEqual({ code: 'bad-request', message: 'no such file' });
  });

  it('stopping clears what is shown but keeps the request counters', () => {
    const s = applyAnomalySnapshot(subscribed(), 'anomaly-1', snapshot(), []);
    const cleared = clearAnomalySubscription(s);
    expect(cleared.subscription).toBeNull();
    expect(cleared.snapshot).toBeNull();
    expect(cleared.timeline).toEqual([]);
    expect(cleared.requested).toBe(s.requested);
  });

  it('imports: running, then done or failed, the newest few kept', () => {
    let s = subscribed();
    const a = beginImport(s, '/tmp/a.json');
    s = a.state;
    expect(s.imports).toEqual([
      { seq: a.seq, path: '/tmp/a.json', status: 'running', summary: null, error: null },
    ]);
    const summary = { path: '/tmp/a.json', lines: 9, alerts: 8, dropped: 0, malformed: 1, errors: [] };
    s = applyImportResult(s, a.seq, ok(summary));
    expect(s.imports[0]).toMatchObject({ status: 'done', summary });
    const b = beginImport(s, '/nope.json');
    s = applyImportResult(b.state, b.seq, err('not-found', 'There is no Falco alert file at /nope.json.'));
    expect(s.imports[1]).toMatchObject({ status: 'failed', error: { code: 'not-found' } });
    for (let i = 0; i < 10; i++) s = beginImport(s, `/tmp/${i}.json`).state;
    expect(s.imports).toHaveLength(MAX_IMPORTS);
    expect(applyImportResult(s, a.seq, ok(summary))).toBe(s);
  });
});

describe('anomaly state: what a card and the table show', () => {
  const snap = snapshot();

  it('matches a container by id prefix, like the syscall alerts', () => {
    expect(containerForCard(snap, FULL(WATCHING))?.key).toBe(WATCHING);
    expect(containerForCard(snap, 'f'.repeat(64))).toBeNull();
    expect(containerForCard(null, FULL(WATCHING))).toBeNull();
  });

  it.each<[string, string, string, string, string]>([
    [LEARNING, 'learning', 'learning 50 %', 'spinner', 'pending'],
    [WATCHING, 'watching', 'watching · 0 anomalies', 'check', 'ok'],
    [ANOMALOUS, 'anomalous', 'ANOMALOUS · 1 epoch · hint: nanosleep, futex', 'alert', 'bad'],
  ])('%s: %s, shown as “%s” with an icon', (key, phase, label, icon, tone) => {
    const c = snap.containers.find((x) => x.key === key)!;
    expect(detectionIndicator(c, SETTINGS)).toEqual({ phase, label, icon, tone });
  });

  it('a card names at most a few hint syscalls', () => {
    const c = snap.containers.find((x) => x.key === ANOMALOUS)!;
    expect(detectionIndicator(c, SETTINGS, 1).label).toBe('ANOMALOUS · 1 epoch · hint: nanosleep');
  });

  it('learning progress counts whole epochs when the epoch size is unknown', () => {
    const c = snap.containers.find((x) => x.key === LEARNING)!;
    expect(detectionIndicator(c, null).label).toBe('learning 33 %');
  });

  it('counts the phases', () => {
    expect(phaseCounts(snap)).toEqual({ learning: 1, watching: 1, anomalous: 1, untracked: 0 });
    expect(phaseCounts(null)).toEqual({ learning: 0, watching: 0, anomalous: 0, untracked: 0 });
  });

  it('says why a card has no state', () => {
    const sub = subscribed();
    expect(cardNoStateText(initialAnomalyState, true)).toBeNull();
    expect(cardNoStateText(sub, true)).toBe('Anomaly detection: no syscalls from this container yet.');
    expect(cardNoStateText(sub, false)).toBe('Anomaly detection: not running, no syscalls.');
    const capture = beginAnomalySubscribe(initialAnomalyState, { kind: 'sysdig-capture', path: '/x' }, {});
    expect(cardNoStateText(capture.state, true)).toBe('Anomaly detection: not in this capture.');
    const failed = applyAnomalyStatePush(sub, 'anomaly-1', {
      phase: 'failed',
      since: ms(1),
      error: { code: 'bpftrace-missing', message: 'bpftrace is not installed.' },
      diagnostics: '',
    });
    expect(cardNoStateText(failed, true)).toBe('Anomaly detection failed: bpftrace is not installed.');
  });

  it('keeps engine strings as they are (they are rendered as text, never markup)', () => {
    const s = applyAnomalySnapshot(subscribed(), 'anomaly-1', snap, []);
    const alert = s.timeline.find((e) => e.kind === 'alert');
    expect(alert?.kind === 'alert' && alert.alert.detail).toBe('A shell was spawned <b>here</b>');
  });

  it('the timeline has the anomalous epoch with its window span, mismatches and hint', () => {
    const s = applyAnomalySnapshot(subscribed(), 'anomaly-1', snap, []);
    const anomaly = s.timeline.find((e) => e.kind === 'anomaly');
    expect(anomaly).toMatchObject({
      kind: 'anomaly',
      container: { id: ANOMALOUS, name: null },
      from: 1_010_000,
      to: 1_010_000,
      windows: 10,
      hint: ['nanosleep', 'futex'],
    });
    expect(spanText(1_000_000, 1_010_000)).toBe('1970-01-01 00:16:40–00:16:50');
    expect(s.timeline.map((e) => e.from)).toEqual([999_000, 1_010_000]);
    expect(spanText(1_000_000, 1_000_000)).toBe('1970-01-01 00:16:40');
  });
});

describe('anomaly state: the settings form and the source', () => {
  it('shows the detector defaults', () => {
    expect(DEFAULT_SETTINGS_FORM).toEqual({
      epochSize: '1000',
      trainingEpochs: '200',
      thresholdPercent: '5',
    });
    expect(parseSettingsForm(DEFAULT_SETTINGS_FORM)).toEqual({
      ok: true,
      settings: { epochSize: 1000, trainingEpochs: 200, threshold: { kind: 'fraction', value: 0.05 } },
    });
  });

  it.each<[Partial<typeof DEFAULT_SETTINGS_FORM>, string]>([
    [{ epochSize: '5' }, 'epochSize'],
    [{ epochSize: '1e3' }, 'epochSize'],
    [{ epochSize: '' }, 'epochSize'],
    [{ trainingEpochs: '0' }, 'trainingEpochs'],
    [{ trainingEpochs: '2.5' }, 'trainingEpochs'],
    [{ thresholdPercent: '100' }, 'thresholdPercent'],
    [{ thresholdPercent: '-1' }, 'thresholdPercent'],
    [{ thresholdPercent: 'lots' }, 'thresholdPercent'],
  ])('refuses %j, naming the field', (change, field) => {
    const r = parseSettingsForm({ ...DEFAULT_SETTINGS_FORM, ...change });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.field).toBe(field);
  });

  it('accepts separators and a percent sign', () => {
    expect(
      parseSettingsForm({ epochSize: '10,000', trainingEpochs: '1 000', thresholdPercent: '2.5 %' }),
    ).toEqual({
      ok: true,
      settings: { epochSize: 10_000, trainingEpochs: 1000, threshold: { kind: 'fraction', value: 0.025 } },
    });
  });

  it('builds the request, asking for a path for a capture', () => {
    expect(anomalyRequest('bpf', '')).toEqual({ ok: true, request: { kind: 'bpf' } });
    expect(anomalyRequest('sysdig-capture', '  /a.scap ')).toEqual({
      ok: true,
      request: { kind: 'sysdig-capture', path: '/a.scap' },
    });
    expect(anomalyRequest('sysdig-capture', ' ').ok).toBe(false);
  });

  it('a remounted form shows the settings that run', () => {
    expect(
      settingsFormOf({ epochSize: 200, trainingEpochs: 10, threshold: { kind: 'fraction', value: 0.025 } }),
    ).toEqual({
      epochSize: '200',
      trainingEpochs: '10',
      thresholdPercent: '2.5',
    });
    expect(settingsFormOf({})).toEqual(DEFAULT_SETTINGS_FORM);
  });

  it('says when an alert was seen, once when first and last fall in one second', () => {
    expect(seenText(1_000_100, 1_000_900)).toBe('at 1970-01-01 00:16:40');
    expect(seenText(1_000_000, 1_004_000)).toBe('first 1970-01-01 00:16:40, last 1970-01-01 00:16:44');
  });

  it('says the threshold in words', () => {
    expect(thresholdText({ kind: 'fraction', value: 0.05 }, 1000)).toBe(
      'more than 5 % of an epoch (50 windows)',
    );
    expect(thresholdText({ kind: 'count', value: 12 }, 1000)).toBe('more than 12 mismatched windows');
  });
});

/** A bridge that answers at once. */
function fakeBridge(answer: (channel: RequestChannel, request: unknown) => Result<unknown>) {
  const calls: { channel: RequestChannel; request: unknown }[] = [];
  const listeners = new Map<PushChannel, Set<(p: unknown) => void>>();
  const bridge: BulkheadBridge = {
    invoke(channel, request) {
      calls.push({ channel, request });
      return Promise.resolve(answer(channel, request)) as never;
    },
    on(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(channel, set);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
  const push = <P extends PushChannel>(channel: P, payload: PushOf<P>): void => {
    for (const l of listeners.get(channel) ?? []) l(payload);
  };
  const of = (channel: RequestChannel) => calls.filter((c) => c.channel === channel).map((c) => c.request);
  return { bridge, push, of, listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0) };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('anomaly controller', () => {
  let controller: AnomalyController | undefined;
  let subs = 0;
  const answer = (channel: RequestChannel, request: unknown): Result<unknown> => {
    if (channel === 'anomaly:subscribe') {
      subs++;
      return ok({ subId: `anomaly-${subs}`, state: starting, settings: SETTINGS });
    }
    if (channel === 'anomaly:unsubscribe') return ok(request);
    if (channel === 'anomaly:import-falco')
      return ok({ path: '/e.json', lines: 1, alerts: 1, dropped: 0, malformed: 0, errors: [] });
    return err('internal', `${channel} not faked`);
  };

  beforeEach(() => {
    subs = 0;
    useAnomalyStore.setState(initialAnomalyState, true);
    useTransportStore.setState({ view: { kind: 'ipc' } }, true);
  });
  afterEach(() => controller?.dispose());

  it('starts nothing by itself; start, import and stop go through the store actions', async () => {
    const fake = fakeBridge(answer);
    controller = startAnomalyController(fake.bridge);
    await flush();
    expect(fake.of('anomaly:subscribe')).toEqual([]);

    // Importing before anything runs says what to do, and asks nothing.
    importFalcoAlerts('/e.json');
    await flush();
    expect(fake.of('anomaly:import-falco')).toEqual([]);

    startAnomaly({ kind: 'sysdig-capture', path: '/k8s.scap' }, { epochSize: 200 });
    await flush();
    expect(fake.of('anomaly:subscribe')).toEqual([
      { source: { kind: 'sysdig-capture', path: '/k8s.scap' }, settings: { epochSize: 200 } },
    ]);
    expect(useAnomalyStore.getState().subscription?.subId).toBe('anomaly-1');
    fake.push('anomaly:snapshot', { subId: 'anomaly-1', snapshot: snapshot(), outages: [] });
    expect(useAnomalyStore.getState().snapshot?.containers).toHaveLength(3);

    importFalcoAlerts('/e.json');
    await flush();
    expect(fake.of('anomaly:import-falco')).toEqual([{ subId: 'anomaly-1', path: '/e.json' }]);
    expect(useAnomalyStore.getState().imports.at(-1)?.status).toBe('done');

    // Restarting unsubscribes the old one, whose late pushes are ignored.
    startAnomaly({ kind: 'bpf' }, {});
    await flush();
    expect(fake.of('anomaly:unsubscribe')).toEqual([{ subId: 'anomaly-1' }]);
    fake.push('anomaly:snapshot', { subId: 'anomaly-1', snapshot: snapshot(), outages: [] });
    expect(useAnomalyStore.getState().snapshot).toBeNull();

    stopAnomaly();
    expect(fake.of('anomaly:unsubscribe')).toEqual([{ subId: 'anomaly-1' }, { subId: 'anomaly-2' }]);
    expect(useAnomalyStore.getState().subscription).toBeNull();
  });

  it('subscribes again when the transport comes back, and dispose unsubscribes and stops listening', async () => {
    useTransportStore.setState({ view: { kind: 'websocket', state: 'open', everOpen: true } }, true);
    const fake = fakeBridge(answer);
    controller = startAnomalyController(fake.bridge);
    startAnomaly({ kind: 'bpf' }, { trainingEpochs: 5 });
    await flush();
    useTransportStore.setState({ view: { kind: 'websocket', state: 'closed', everOpen: true } }, true);
    useTransportStore.setState({ view: { kind: 'websocket', state: 'open', everOpen: true } }, true);
    await flush();
    expect(fake.of('anomaly:subscribe')).toHaveLength(2);
    expect(fake.of('anomaly:subscribe')[1]).toEqual({
      source: { kind: 'bpf' },
      settings: { trainingEpochs: 5 },
    });
    expect(useAnomalyStore.getState().subscription?.subId).toBe('anomaly-2');
    controller.dispose();
    controller = undefined;
    expect(fake.of('anomaly:unsubscribe').at(-1)).toEqual({ subId: 'anomaly-2' });
    expect(fake.listenerCount()).toBe(0);
    // The store's actions are unregistered: nothing is asked any more.
    startAnomaly({ kind: 'bpf' }, {});
    await flush();
    expect(fake.of('anomaly:subscribe')).toHaveLength(2);
  });
});
