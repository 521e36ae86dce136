import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { addAlert, alertRecords, createAlertTable } from '../../../shared/domain/anomaly/alerts.js';
import type { FalcoAlert, FalcoLineError } from '../../../shared/domain/anomaly/falco.js';
import {
  createFalcoLineSplitter,
  describeFalcoError,
  falcoHit,
  falcoSeverity,
  isFalcoError,
  MAX_FALCO_LINE,
  parseFalcoAlert,
  parseFalcoJsonLines,
  parseFalcoLine,
  parseRfc3339,
} from '../../../shared/domain/anomaly/falco.js';

// Real Falco output (../shared/data/README.md): 8 JSON lines Falco wrote for falco_cat_write.scap, and the
// classic alert payload of falcosidekick's README.
const EVENTS = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'events');
const CAT_WRITE = readFileSync(join(EVENTS, 'falco_single_rule_with_cat_write.json'), 'utf8');
const SIDEKICK = readFileSync(join(EVENTS, 'falcosidekick_readme_example_payload.json'), 'utf8');

function alertOf(line: string): FalcoAlert {
  const r = parseFalcoLine(line);
  if (isFalcoError(r)) throw new Error(`refused: ${r.message}`);
  return r;
}

describe('the real samples', () => {
  it('reads the 8 alerts of falco_single_rule_with_cat_write.json', () => {
    const r = parseFalcoJsonLines(CAT_WRITE);
    expect(r.malformed).toBe(0);
    expect(r.alerts).toHaveLength(8);
    expect(r.alerts[0]).toEqual({
      time: '2016-08-04T16:17:57.881781397Z',
      timeMs: Date.UTC(2016, 7, 4, 16, 17, 57, 881),
      rule: 'open_from_cat',
      priority: 'warning',
      output: '2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)',
      source: 'syscall',
      hostname: 'test-falco-hostname',
      tags: ['filesystem', 'process', 'testing'],
      containerId: null,
      containerName: null,
      processName: null,
      host: false,
      fields: { 'evt.time.iso8601': '1470327477881781397', 'proc.cmdline': 'cat /dev/null' },
    });
    // Into the timeline: one record, 8 hits, first and last time of the sample.
    const table = createAlertTable();
    for (const a of r.alerts) addAlert(table, falcoHit(a));
    expect(alertRecords(table)).toEqual([
      {
        key: 'falco:open_from_cat:-',
        source: 'falco',
        ruleId: 'open_from_cat',
        title: 'open_from_cat',
        severity: 'medium',
        rationale: null,
        container: null,
        firstSeen: Date.UTC(2016, 7, 4, 16, 17, 57, 881),
        lastSeen: Date.UTC(2016, 7, 4, 16, 17, 57, 882),
        count: 8,
        syscalls: [],
        processes: [],
        detail: '2016-08-04T16:17:57.882054739+0000: Warning An open was seen (command=cat /dev/null)',
        tags: ['filesystem', 'process', 'testing'],
        hostname: 'test-falco-hostname',
      },
    ]);
  });

  it("reads falcosidekick's README payload (no tags, no source)", () => {
    const r = parseFalcoJsonLines(SIDEKICK);
    expect(r.malformed).toBe(0);
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({
      rule: 'Write below binary dir',
      priority: 'error',
      time: '2019-05-17T15:31:56.746609046Z',
      timeMs: Date.UTC(2019, 4, 17, 15, 31, 56, 746),
      hostname: 'localhost',
      tags: [],
      source: 'syscall',
      fields: { 'fd.name': '/bin/hack', 'proc.cmdline': 'touch /bin/hack', 'user.name': 'root' },
    });
    expect(falcoHit(r.alerts[0]!).severity).toBe('high');
  });
});

describe('container and process fields', () => {
  const base = {
    time: '2024-01-02T03:04:05.123456789Z',
    rule: 'Terminal shell in container',
    priority: 'Notice',
    output: 'A shell was spawned',
    output_fields: {
      'container.id': '3ad7b26ded6d',
      'container.name': 'web',
      'proc.name': 'bash',
      'evt.num': 7,
    },
    source: 'syscall',
    tags: ['container', 'shell'],
  };

  it('reads container.id, container.name and proc.name', () => {
    const a = alertOf(JSON.stringify(base));
    expect(a).toMatchObject({
      containerId: '3ad7b26ded6d',
      containerName: 'web',
      processName: 'bash',
      host: false,
    });
    expect(falcoHit(a)).toMatchObject({
      container: { id: '3ad7b26ded6d', name: 'web' },
      process: 'bash',
      severity: 'low',
      time: Date.UTC(2024, 0, 2, 3, 4, 5, 123),
    });
  });

  it('container.id "host" is a host event, <NA> is unknown', () => {
    const host = alertOf(
      JSON.stringify({ ...base, output_fields: { 'container.id': 'host', 'proc.name': '<NA>' } }),
    );
    expect(host).toMatchObject({ containerId: null, host: true, processName: null });
    expect(falcoHit(host).container).toBeNull();
  });

  it('marks a non-syscall source in the tags', () => {
    expect(falcoHit(alertOf(JSON.stringify({ ...base, source: 'k8s_audit' }))).tags).toEqual([
      'container',
      'shell',
      'source:k8s_audit',
    ]);
  });

  it('keeps a field named __proto__ as data', () => {
    const a = alertOf(
      '{"time":"2024-01-02T03:04:05Z","rule":"r","priority":"info","output":"o","output_fields":{"__proto__":"x"}}',
    );
    expect(Object.getPrototypeOf(a.fields)).toBe(Object.prototype);
    expect(Object.keys(a.fields)).toEqual(['__proto__']);
  });

  it('maps every priority to a severity', () => {
    expect(
      ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'info', 'debug'].map(
        (p) => falcoSeverity(p as FalcoAlert['priority']),
      ),
    ).toEqual(['critical', 'critical', 'critical', 'high', 'medium', 'low', 'info', 'info', 'info']);
  });
});

describe('times', () => {
  it.each([
    ['2016-08-04T16:17:57.881781397Z', Date.UTC(2016, 7, 4, 16, 17, 57, 881)],
    ['2016-08-04T16:17:57Z', Date.UTC(2016, 7, 4, 16, 17, 57)],
    ['2016-08-04T18:17:57.5+02:00', Date.UTC(2016, 7, 4, 16, 17, 57, 500)],
    ['2016-08-04T16:17:57.1-0130', Date.UTC(2016, 7, 4, 17, 47, 57, 100)],
    ['2016-02-31T00:00:00Z', null],
    ['2016-13-01T00:00:00Z', null],
    ['2016-08-04 16:17:57', null],
    ['1470327477881781397', null],
    ['', null],
  ])('%s → %s', (text, ms) => {
    expect(parseRfc3339(text)).toBe(ms);
  });
});

describe('malformed lines are refused with a reason, counted and skipped', () => {
  const good = (CAT_WRITE.split('\n')[0] ?? '').trim();
  const g = JSON.parse(good) as Record<string, unknown>;
  const without = (k: string): string => JSON.stringify({ ...g, [k]: undefined });

  it.each([
    ['not JSON', '{"rule": "x"', 'not-json', null],
    ['an array', '[1,2]', 'not-object', null],
    ['a string', '"hello"', 'not-object', null],
    ['no time', without('time'), 'missing-field', 'time'],
    ['no rule', without('rule'), 'missing-field', 'rule'],
    ['no priority', without('priority'), 'missing-field', 'priority'],
    ['no output', without('output'), 'missing-field', 'output'],
    ['time not a string', JSON.stringify({ ...g, time: 1470327477 }), 'bad-field', 'time'],
    ['time not RFC 3339', JSON.stringify({ ...g, time: 'yesterday' }), 'bad-field', 'time'],
    ['unknown priority', JSON.stringify({ ...g, priority: 'Urgent' }), 'bad-field', 'priority'],
    ['empty rule', JSON.stringify({ ...g, rule: '' }), 'bad-field', 'rule'],
    ['tags not an array', JSON.stringify({ ...g, tags: 'a,b' }), 'bad-field', 'tags'],
    ['tags not strings', JSON.stringify({ ...g, tags: [1] }), 'bad-field', 'tags'],
    ['output_fields an array', JSON.stringify({ ...g, output_fields: [] }), 'bad-field', 'output_fields'],
    ['hostname a number', JSON.stringify({ ...g, hostname: 7 }), 'bad-field', 'hostname'],
    ['too long', `{"x":"${'a'.repeat(MAX_FALCO_LINE)}"}`, 'too-long', null],
  ])('%s', (_what, line, reason, field) => {
    const r = parseFalcoLine(line);
    expect(isFalcoError(r)).toBe(true);
    if (!isFalcoError(r)) return;
    expect(r.error).toBe(reason);
    expect(r.field).toBe(field);
    expect(r.message.length).toBeGreaterThan(5);
  });

  it('keeps the good lines around bad ones, with line numbers; blank lines are not errors', () => {
    const lines = CAT_WRITE.trim().split('\n');
    const text = [lines[0], '', 'garbage', lines[1], without('time'), '   ', lines[2]].join('\n');
    const r = parseFalcoJsonLines(text);
    expect(r.alerts).toHaveLength(3);
    expect(r.malformed).toBe(2);
    expect(r.lines).toBe(7);
    expect(r.errors.map((e) => [e.line, e.error, e.field])).toEqual([
      [3, 'not-json', null],
      [5, 'missing-field', 'time'],
    ]);
    expect(describeFalcoError(r.errors[1]!)).toBe('line 5: "time" is missing');
    expect(r.errors[0]!.text).toBe('garbage');
  });

  it('reads CRLF files and a last line without its newline', () => {
    const lines = CAT_WRITE.trim().split('\n');
    const r = parseFalcoJsonLines(`${lines[0]}\r\n${lines[1]}`);
    expect(r.alerts).toHaveLength(2);
    expect(r.malformed).toBe(0);
  });

  it('skips the rest of a line that is too long, then goes on', () => {
    const errors: FalcoLineError[] = [];
    const alerts: FalcoAlert[] = [];
    const s = createFalcoLineSplitter({ alert: (a) => alerts.push(a), error: (e) => errors.push(e) });
    const huge = 'x'.repeat(MAX_FALCO_LINE + 10);
    s.push(huge.slice(0, 40_000));
    s.push(huge.slice(40_000));
    s.push(`\n${good}\n`);
    s.end();
    expect(errors.map((e) => [e.line, e.error])).toEqual([[1, 'too-long']]);
    expect(alerts).toHaveLength(1);
    expect(s.lines).toBe(2);
  });
});

describe('robustness', () => {
  const goodLines = CAT_WRITE.trim().split('\n');

  it('no parser throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        parseFalcoLine(s);
        parseFalcoJsonLines(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('no parser throws on any JSON value, nor on real lines with fields replaced', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        parseFalcoAlert(v);
        parseFalcoLine(JSON.stringify(v) ?? '');
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...goodLines),
        fc.constantFrom('time', 'rule', 'priority', 'output', 'output_fields', 'tags', 'source', 'hostname'),
        fc.jsonValue(),
        (line, key, value) => {
          const o = JSON.parse(line) as Record<string, unknown>;
          o[key] = value;
          const r = parseFalcoLine(JSON.stringify(o));
          if (!isFalcoError(r)) expect(typeof r.rule).toBe('string');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives the same result however the text is cut into chunks', () => {
    const text = [...goodLines, 'bad line', SIDEKICK.trim()].join('\n');
    const whole = parseFalcoJsonLines(text);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 20 }), (cuts) => {
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const alerts: FalcoAlert[] = [];
        const errors: FalcoLineError[] = [];
        const s = createFalcoLineSplitter({ alert: (a) => alerts.push(a), error: (e) => errors.push(e) });
        let from = 0;
        for (const c of at) {
          s.push(text.slice(from, c));
          from = c;
        }
        s.push(text.slice(from));
        s.end();
        expect(alerts).toEqual(whole.alerts);
        expect(errors).toEqual(whole.errors);
      }),
      { numRuns: 300 },
    );
  });
});
