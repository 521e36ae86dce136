import { describe, expect, it } from 'vitest';

import {
  Channels,
  PUSH_CHANNELS,
  Pushes,
  REQUEST_CHANNELS,
  isPushChannel,
  isRequestChannel,
} from '../../../shared/ipc/contract.js';
import { createDispatcher } from '../../../shared/ipc/dispatch.js';
import type { Handlers } from '../../../shared/ipc/dispatch.js';
import { BulkheadError, ERROR_CODES, err, ok, toErrorData, unwrap } from '../../../shared/ipc/result.js';
import { REQUEST_SCHEMAS, containerIdSchema } from '../../../shared/ipc/schemas.js';

const ID = '0123456789abcdef'.repeat(4);

describe('channels', () => {
  it('every request channel is domain:verb and has a schema; pushes are domain:noun', () => {
    expect([...REQUEST_CHANNELS].sort()).toEqual(Object.values(Channels).sort());
    expect(Object.keys(REQUEST_SCHEMAS).sort()).toEqual([...REQUEST_CHANNELS].sort());
    // The verb or noun may be hyphenated (`anomaly:import-falco`).
    for (const c of [...REQUEST_CHANNELS, ...PUSH_CHANNELS]) expect(c).toMatch(/^[a-z]+:[a-z]+(-[a-z]+)*$/);
    expect([...PUSH_CHANNELS].sort()).toEqual(Object.values(Pushes).sort());
  });

  it.each<[unknown, boolean]>([
    ['containers:list', true],
    ['containers:LIST', false],
    ['engine:state', false],
    ['__proto__', false],
    [42, false],
    [null, false],
  ])('isRequestChannel(%j) = %s', (value, expected) => {
    expect(isRequestChannel(value)).toBe(expected);
  });

  it('isPushChannel', () => {
    expect(isPushChannel('engine:state')).toBe(true);
    expect(isPushChannel('containers:list')).toBe(false);
    expect(isPushChannel(undefined)).toBe(false);
  });
});

describe('request schemas refuse malformed payloads', () => {
  it.each<[string, unknown]>([
    ['a short id', { id: ID.slice(0, 12) }],
    ['an upper-case id', { id: ID.toUpperCase() }],
    ['a 65-character id', { id: `${ID}0` }],
    ['shell metacharacters', { id: `${ID.slice(0, 60)};rm ` }],
    ['a command substitution', { id: `$(reboot)${ID.slice(9)}` }],
    ['a newline', { id: `${ID.slice(0, 63)}\n` }],
    ['a number', { id: 42 }],
    ['no id', {}],
    ['an extra key', { id: ID, all: true }],
    ['an array', [ID]],
    ['a string', ID],
  ])('containers:inspect with %s', (_label, payload) => {
    expect(REQUEST_SCHEMAS['containers:inspect'].safeParse(payload).success).toBe(false);
  });

  it('containers:inspect accepts a full id', () => {
    expect(REQUEST_SCHEMAS['containers:inspect'].safeParse({ id: ID })).toEqual({
      success: true,
      data: { id: ID },
    });
    expect(containerIdSchema.safeParse(ID).success).toBe(true);
  });

  it.each<[unknown]>([
    [{ showDemoWhenDisconnected: 'yes' }],
    [{}],
    [{ showDemoWhenDisconnected: true, x: 1 }],
    [null],
  ])('demo:configure refuses %j', (payload) => {
    expect(REQUEST_SCHEMAS['demo:configure'].safeParse(payload).success).toBe(false);
  });

  it.each(['engine:describe', 'containers:list', 'app:describe'] as const)(
    '%s takes an empty object only',
    (c) => {
      expect(REQUEST_SCHEMAS[c].safeParse({}).success).toBe(true);
      expect(REQUEST_SCHEMAS[c].safeParse({ extra: 1 }).success).toBe(false);
    },
  );
});

describe('anomaly request schemas', () => {
  const sub = REQUEST_SCHEMAS['anomaly:subscribe'];

  it('accepts both sequence sources, with or without settings', () => {
    expect(sub.safeParse({ source: { kind: 'bpf' } }).success).toBe(true);
    expect(
      sub.safeParse({
        source: { kind: 'sysdig-capture', path: '/tmp/x.scap' },
        settings: {
          epochSize: 200,
          trainingEpochs: 10,
          windowSize: 10,
          threshold: { kind: 'fraction', value: 0.05 },
          hintSize: 5,
        },
      }).success,
    ).toBe(true);
    expect(
      sub.safeParse({ source: { kind: 'bpf' }, settings: { threshold: { kind: 'count', value: 50 } } })
        .success,
    ).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a count-only source', { source: { kind: 'recording', path: '/tmp/r.jsonl' } }],
    ['live sysdig', { source: { kind: 'sysdig-live' } }],
    ['a path that is an option', { source: { kind: 'sysdig-capture', path: '-rf' } }],
    ['a NUL in the path', { source: { kind: 'sysdig-capture', path: '/tmp/a\0b' } }],
    ['no path', { source: { kind: 'sysdig-capture' } }],
    ['a tiny epoch', { source: { kind: 'bpf' }, settings: { epochSize: 5 } }],
    ['a fractional epoch', { source: { kind: 'bpf' }, settings: { epochSize: 100.5 } }],
    ['zero training', { source: { kind: 'bpf' }, settings: { trainingEpochs: 0 } }],
    ['a window of 1', { source: { kind: 'bpf' }, settings: { windowSize: 1 } }],
    ['a fraction of 1', { source: { kind: 'bpf' }, settings: { threshold: { kind: 'fraction', value: 1 } } }],
    ['a negative count', { source: { kind: 'bpf' }, settings: { threshold: { kind: 'count', value: -1 } } }],
    ['a huge bag bound', { source: { kind: 'bpf' }, settings: { maxBags: 1 << 24 } }],
    ['the test-only hash mask', { source: { kind: 'bpf' }, settings: { hashMask: 0 } }],
    ['an unknown key', { source: { kind: 'bpf' }, extra: true }],
  ])('anomaly:subscribe refuses %s', (_label, payload) => {
    expect(sub.safeParse(payload).success).toBe(false);
  });

  it('anomaly:import-falco needs a subscription id and a safe path', () => {
    const imp = REQUEST_SCHEMAS['anomaly:import-falco'];
    expect(imp.safeParse({ subId: 'anomaly-1', path: '/tmp/events.json' }).success).toBe(true);
    expect(imp.safeParse({ subId: 'anomaly-1', path: '--help' }).success).toBe(false);
    expect(imp.safeParse({ subId: '../x', path: '/tmp/events.json' }).success).toBe(false);
    expect(imp.safeParse({ subId: 'anomaly-1' }).success).toBe(false);
    expect(REQUEST_SCHEMAS['anomaly:unsubscribe'].safeParse({ subId: 'anomaly-1' }).success).toBe(true);
  });
});

describe('dispatcher', () => {
  const calls: { channel: string; request: unknown }[] = [];
  const failing = new Map<string, unknown>();
  const handler =
    (channel: string) =>
    (request: unknown): Promise<never> => {
      calls.push({ channel, request });
      const thrown = failing.get(channel);
      // The dispatcher must cope with non-Error throws too, so the test rejects with whatever it was given.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      if (thrown !== undefined) return Promise.reject(thrown);
      return Promise.resolve({ echoed: request } as never);
    };
  const handlers = Object.fromEntries(REQUEST_CHANNELS.map((c) => [c, handler(c)])) as unknown as Handlers;
  const errors: string[] = [];
  const dispatch = createDispatcher(handlers, (channel) => errors.push(channel));

  it('dispatches a valid request and wraps the answer', async () => {
    calls.length = 0;
    expect(await dispatch('containers:inspect', { id: ID })).toEqual({
      ok: true,
      value: { echoed: { id: ID } },
    });
    expect(calls).toEqual([{ channel: 'containers:inspect', request: { id: ID } }]);
  });

  it('a missing payload counts as {} for the empty-payload channels', async () => {
    expect((await dispatch('containers:list', undefined)).ok).toBe(true);
  });

  it('unknown channel → unknown-channel, no handler runs', async () => {
    calls.length = 0;
    const r = await dispatch('containers:delete', {});
    expect(r).toEqual({
      ok: false,
      error: { code: 'unknown-channel', message: 'unknown channel "containers:delete"' },
    });
    expect((await dispatch({ toString: () => 'x'.repeat(500) }, {})).ok).toBe(false);
    expect(calls).toEqual([]);
  });

  it('invalid payload → bad-request naming the field, no handler runs', async () => {
    calls.length = 0;
    const r = await dispatch('containers:inspect', { id: 'abc; rm -rf /' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('bad-request');
      expect(r.error.message).toMatch(/^containers:inspect: id: /);
    }
    expect(calls).toEqual([]);
  });

  it('a thrown BulkheadError keeps its code', async () => {
    failing.set(
      'containers:list',
      new BulkheadError('docker-unreachable', 'Docker engine not reachable at x (ENOENT)'),
    );
    expect(await dispatch('containers:list', {})).toEqual({
      ok: false,
      error: { code: 'docker-unreachable', message: 'Docker engine not reachable at x (ENOENT)' },
    });
    failing.delete('containers:list');
  });

  it('anything else thrown becomes internal, and is reported', async () => {
    errors.length = 0;
    failing.set('app:describe', new TypeError('oops'));
    expect(await dispatch('app:describe', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'oops' },
    });
    failing.set('app:describe', 'a bare string');
    expect(await dispatch('app:describe', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'a bare string' },
    });
    failing.delete('app:describe');
    expect(errors).toEqual(['app:describe', 'app:describe']);
  });
});

describe('Result helpers', () => {
  it('ok / err', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(err('not-found', 'gone')).toEqual({ ok: false, error: { code: 'not-found', message: 'gone' } });
  });

  it('unwrap returns the value or throws a BulkheadError with the code', () => {
    expect(unwrap(ok('v'))).toBe('v');
    try {
      unwrap(err('docker-permission-denied', 'no'));
      throw new Error('unwrap did not throw');
    } catch (e) {
      expect(e).toBeInstanceOf(BulkheadError);
      expect((e as BulkheadError).code).toBe('docker-permission-denied');
      expect((e as BulkheadError).message).toBe('no');
    }
  });

  it('toErrorData', () => {
    expect(toErrorData(new BulkheadError('bad-request', 'b'))).toEqual({ code: 'bad-request', message: 'b' });
    expect(toErrorData(new Error('e'))).toEqual({ code: 'internal', message: 'e' });
    expect(toErrorData(7)).toEqual({ code: 'internal', message: '7' });
  });

  it('the connection error codes are Result codes', () => {
    for (const c of ['docker-unreachable', 'docker-permission-denied', 'docker-error'] as const) {
      expect(ERROR_CODES).toContain(c);
    }
  });
});
