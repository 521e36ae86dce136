import { describe, expect, it } from 'vitest';

import { createJsonLineDecoder } from '../../../electron/adapters/docker/json-lines.js';
import { toEngineEvent } from '../../../electron/adapters/docker/docker-engine.js';

// A line of dockerd 20.10's /events stream (API 1.41), captured with curl --unix-socket while `docker run -d`
// started a test container.
const START =
  '{"status":"start","id":"7b3515e0a06710bf60988e4e0de15dd4b0fd95ed8ed031abf25f0c607b375081","from":"bulkhead-test/busybox:1","Type":"container","Action":"start","Actor":{"ID":"7b3515e0a06710bf60988e4e0de15dd4b0fd95ed8ed031abf25f0c607b375081","Attributes":{"bulkhead.test":"1","image":"bulkhead-test/busybox:1","name":"bh-ev"}},"scope":"local","time":1796325005,"timeNano":1796325005392659404}';

describe('createJsonLineDecoder', () => {
  it('decodes whole lines', () => {
    const d = createJsonLineDecoder();
    expect(d.push('{"a":1}\n{"b":2}\n')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(d.malformed).toBe(0);
  });

  it('joins a line cut at every possible position', () => {
    const text = `${START}\n{"second":true}\n`;
    for (let cut = 1; cut < text.length; cut++) {
      const d = createJsonLineDecoder();
      const values = [...d.push(Buffer.from(text.slice(0, cut))), ...d.push(Buffer.from(text.slice(cut)))];
      expect(values).toHaveLength(2);
      expect(d.malformed).toBe(0);
    }
  });

  it('joins a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('{"name":"café ☕"}\n');
    const d = createJsonLineDecoder();
    const split = bytes.indexOf(0xe2) + 1; // inside the 3-byte ☕
    expect([...d.push(bytes.subarray(0, split)), ...d.push(bytes.subarray(split))]).toEqual([
      { name: 'café ☕' },
    ]);
  });

  it('skips and counts malformed lines, then goes on', () => {
    const d = createJsonLineDecoder();
    expect(d.push('{"ok":1}\n{broken\n\n   \n{"ok":2}\nnull-ish garbage\n')).toEqual([{ ok: 1 }, { ok: 2 }]);
    expect(d.malformed).toBe(2);
  });

  it('drops an over-long line without buffering it, then resumes', () => {
    const d = createJsonLineDecoder(100);
    expect(d.push(`{"x":"${'a'.repeat(80)}`)).toEqual([]);
    expect(d.push('b'.repeat(200))).toEqual([]);
    expect(d.malformed).toBe(1);
    expect(d.push(`${'c'.repeat(50)}"}\n{"next":true}\n`)).toEqual([{ next: true }]);
    expect(d.malformed).toBe(1);
  });

  it('end() yields a last line without newline', () => {
    const d = createJsonLineDecoder();
    expect(d.push('{"a":1}\n{"b":')).toEqual([{ a: 1 }]);
    expect(d.push('2}')).toEqual([]);
    expect(d.end()).toEqual([{ b: 2 }]);
  });
});

describe('toEngineEvent', () => {
  it('maps an API 1.41 container event', () => {
    expect(toEngineEvent(JSON.parse(START))).toEqual({
      type: 'container',
      action: 'start',
      id: '7b3515e0a06710bf60988e4e0de15dd4b0fd95ed8ed031abf25f0c607b375081',
      time: 1796325005392,
    });
  });

  it('maps an old-style event (status/id/time only)', () => {
    expect(toEngineEvent({ status: 'die', id: 'abc', time: 1700000001 })).toEqual({
      type: 'container',
      action: 'die',
      id: 'abc',
      time: 1700000001000,
    });
  });

  it.each([
    null,
    42,
    'start',
    [],
    {},
    { Type: 'container', Action: 'start' },
    { Type: 'container', time: 1 },
  ])('refuses %j', (value) => {
    expect(toEngineEvent(value)).toBeNull();
  });
});
