import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { ParseErrorReason, SyscallEvent } from '../../../shared/domain/syscalls/model.js';
import { isParseError } from '../../../shared/domain/syscalls/model.js';
import type { SysdigChunkSink } from '../../../shared/domain/syscalls/sysdig-line.js';
import {
  createSysdigLineSplitter,
  MAX_SYSDIG_LINE,
  parseSysdigChunk,
  parseSysdigLine,
  SYSDIG_FORMAT,
} from '../../../shared/domain/syscalls/sysdig-line.js';

// Real lines, printed by sysdig 0.29.3 with SYSDIG_FORMAT and the `evt.dir=>` filter from
// ../shared/data/scap/bencer_k8s_capture.scap and sysdig-inspect_502Error.scap.
const REAL = [
  '1481211698 <NA> switch <NA>',
  '1481211698 host select host',
  '1481211700 53fe249c71de futex k8s-proxy',
  '1481211703 46cbfa65bd40 read k8s_kubernetes-dashboard.25cae297_kubernetes-dashboard-1112383990-2j6t7_kube-system_86cde2cf-bd5a-11e6-8bdb-028ce2cfb533_4c29878d',
  '1481211705 de7157ba23c4 <unknown> k8s-kubelet',
  '1485464530 59fd49aa4072 epoll_wait example2_lb_1',
];

/** A sink recording everything as plain values. */
function recorder(): SysdigChunkSink & {
  events: { second: number; container: string; syscall: string; name: string }[];
  bad: { reason: ParseErrorReason; line: string }[];
} {
  const events: { second: number; container: string; syscall: string; name: string }[] = [];
  const bad: { reason: ParseErrorReason; line: string }[] = [];
  return {
    events,
    bad,
    event(second, text, idStart, idEnd, typeEnd, lineEnd) {
      events.push({
        second,
        container: text.slice(idStart, idEnd),
        syscall: text.slice(idEnd + 1, typeEnd),
        name: text.slice(typeEnd + 1, lineEnd),
      });
    },
    malformed(reason, text, start, end) {
      bad.push({ reason, line: text.slice(start, end) });
    },
  };
}

describe('SYSDIG_FORMAT', () => {
  it('starts with * so sysdig keeps events with <NA> fields, and puts id and type side by side', () => {
    expect(SYSDIG_FORMAT.startsWith('*')).toBe(true);
    expect(SYSDIG_FORMAT).toContain('%container.id %evt.type');
  });
});

describe('parseSysdigLine', () => {
  it.each<[string, SyscallEvent]>([
    [
      '1481211698 host select host',
      { second: 1481211698 as never, subject: { kind: 'host' }, syscall: 'select' },
    ],
    [
      '1481211698 <NA> switch <NA>',
      { second: 1481211698 as never, subject: { kind: 'unattributed' }, syscall: 'switch' },
    ],
    [
      '1481211700 53fe249c71de futex k8s-proxy\n',
      {
        second: 1481211700 as never,
        subject: { kind: 'container', id: '53fe249c71de' as never, name: 'k8s-proxy' },
        syscall: 'futex',
      },
    ],
    [
      '1481211705 de7157ba23c4 <unknown> <NA>',
      {
        second: 1481211705 as never,
        subject: { kind: 'container', id: 'de7157ba23c4' as never, name: null },
        syscall: '<unknown>',
      },
    ],
    ['0 host read host', { second: 0 as never, subject: { kind: 'host' }, syscall: 'read' }],
  ])('parses %j', (line, expected) => {
    expect(parseSysdigLine(line)).toEqual(expected);
  });

  it.each<[string, string, ParseErrorReason]>([
    ['empty line', '', 'bad-time'],
    ['only a time', '1481211700', 'field-count'],
    ['time and container', '1481211700 host', 'field-count'],
    ['no name', '1481211700 host read', 'field-count'],
    ['empty name', '1481211700 host read ', 'field-count'],
    ['five fields', '1481211700 host read host extra', 'field-count'],
    ['two spaces (an empty field)', '1481211700  host read host', 'field-count'],
    ['letters in time', '14812x1700 host read host', 'bad-time'],
    ['no time', ' host read host', 'bad-time'],
    ['13-digit time', '1481211700123 host read host', 'bad-time'],
    ['short container id', '1481211700 53fe249c71d read x', 'bad-container'],
    ['long container id', '1481211700 53fe249c71dea read x', 'bad-container'],
    ['upper-case container id', '1481211700 53FE249C71DE read x', 'bad-container'],
    ['container NA misspelt', '1481211700 <na> read x', 'bad-container'],
    ['upper-case syscall', '1481211700 host READ host', 'bad-syscall'],
    ['punctuation in syscall', '1481211700 host re-ad host', 'bad-syscall'],
    ['65-character syscall', `1481211700 host ${'a'.repeat(65)} host`, 'bad-syscall'],
    ['too long', `1481211700 host read ${'n'.repeat(MAX_SYSDIG_LINE)}`, 'too-long'],
    // Two lines run together, as when output from two writers interleaves or a line loses its newline.
    ['interleaved mid-type', '1481211700 53fe249c71de fu1481211700 host read host', 'field-count'],
    ['interleaved mid-id', '1481211700 53fe241481211700 host read host', 'field-count'],
    ['interleaved after name', '1481211700 host read host1481211701 host write host', 'field-count'],
    ['interleaved in time', '14812117014812117 host read host', 'bad-time'],
    ['cut after the type', '1481211700 53fe249c71de fut', 'field-count'],
  ])('refuses %s', (_what, line, reason) => {
    const result = parseSysdigLine(line);
    expect(isParseError(result)).toBe(true);
    expect(result).toEqual({ error: reason, line: line.slice(0, 200) });
  });
});

describe('parseSysdigChunk', () => {
  it('parses every complete line and returns where the unfinished one starts', () => {
    const text = REAL.join('\n') + '\n1481211706 host rea';
    const sink = recorder();
    const tail = parseSysdigChunk(text, sink);
    expect(text.slice(tail)).toBe('1481211706 host rea');
    expect(sink.bad).toEqual([]);
    expect(sink.events.map((e) => `${e.second} ${e.container} ${e.syscall} ${e.name}`)).toEqual(REAL);
  });

  it('agrees with parseSysdigLine on every line, good and bad', () => {
    const lines = [
      ...REAL,
      '',
      'garbage',
      '1481211700 host read',
      '1481211700 53fe249c71de fu1481211700 host read host',
      '1481211700 host READ host',
    ];
    const sink = recorder();
    expect(parseSysdigChunk(lines.join('\n') + '\n', sink)).toBe(lines.join('\n').length + 1);
    const oneByOne = lines.map(parseSysdigLine);
    expect(sink.bad.map((b) => b.reason)).toEqual(oneByOne.filter(isParseError).map((e) => e.error));
    expect(sink.events.length).toBe(oneByOne.filter((e) => !isParseError(e)).length);
  });

  it('starts at `from`', () => {
    const sink = recorder();
    const text = 'junk that is skipped\n1481211698 host select host\n';
    expect(parseSysdigChunk(text, sink, text.indexOf('\n') + 1)).toBe(text.length);
    expect(sink.events).toHaveLength(1);
    expect(sink.bad).toEqual([]);
  });
});

describe('createSysdigLineSplitter', () => {
  const stream = REAL.join('\n') + '\n';

  it('gives the same events however the stream is cut into two chunks', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const sink = recorder();
      const s = createSysdigLineSplitter(sink);
      s.push(stream.slice(0, cut));
      s.push(stream.slice(cut));
      s.end();
      expect(sink.bad).toEqual([]);
      expect(sink.events.map((e) => e.syscall)).toEqual([
        'switch',
        'select',
        'futex',
        'read',
        '<unknown>',
        'epoll_wait',
      ]);
    }
  });

  it('gives the same events for any cutting into many chunks (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 30 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const sink = recorder();
        const s = createSysdigLineSplitter(sink);
        let last = 0;
        for (const p of [...points, stream.length]) {
          s.push(stream.slice(last, p));
          last = p;
        }
        s.end();
        expect(sink.bad).toEqual([]);
        expect(sink.events.map((e) => `${e.second} ${e.container} ${e.syscall} ${e.name}`)).toEqual(REAL);
      }),
    );
  });

  it('counts a last line without its newline as truncated instead of guessing', () => {
    const sink = recorder();
    const s = createSysdigLineSplitter(sink);
    s.push('1481211698 host select host\n1481211700 53fe249c71de futex k8s-pro');
    s.end();
    expect(sink.events).toHaveLength(1);
    expect(sink.bad).toEqual([{ reason: 'truncated', line: '1481211700 53fe249c71de futex k8s-pro' }]);
  });

  it('skips an over-long line without keeping it, then goes on', () => {
    const sink = recorder();
    const s = createSysdigLineSplitter(sink);
    s.push('1481211698 host select host\n1481211699 host read ');
    for (let i = 0; i < 50; i++) s.push('x'.repeat(1000));
    s.push('\n1481211700 host write host\n');
    s.end();
    expect(sink.events.map((e) => e.syscall)).toEqual(['select', 'write']);
    expect(sink.bad.map((b) => b.reason)).toEqual(['too-long']);
    expect(sink.bad[0]!.line.length).toBeLessThanOrEqual(MAX_SYSDIG_LINE + 1);
  });

  it('counts malformed and interleaved lines in a stream and keeps the good ones', () => {
    const sink = recorder();
    const s = createSysdigLineSplitter(sink);
    s.push('1481211698 host select host\nnot a line\n1481211700 53fe249c71de fu');
    s.push('1481211700 host read host\n1481211701 host write host\n\n');
    s.end();
    expect(sink.events.map((e) => e.syscall)).toEqual(['select', 'write']);
    expect(sink.bad.map((b) => b.reason)).toEqual(['bad-time', 'field-count', 'bad-time']);
  });
});
