import type {
  EpochSeconds,
  ParseError,
  ParseErrorReason,
  Subject,
  SysdigContainerId,
  SyscallEvent,
} from './model.js';

/**
 * The sysdig output format Bulkhead asks for, and its parser.
 *
 * `sysdig -p '*%evt.rawtime.s %container.id %evt.type %container.name'`:
 * - `*` first, or sysdig silently drops every event for which one field is `<NA>` (the unattributed ones);
 * - `%evt.rawtime.s` (whole seconds) is all a 1 s bucket needs, and is the cheapest timestamp to print and
 *   to parse;
 * - `%container.id %evt.type` next to each other, so `id type` is one substring: the fold's key;
 * - `%container.name` last: read only the first time a container is seen.
 * Measured on the k8s capture, this format with the `evt.dir=>` filter costs sysdig no more CPU than
 * `'*%container.id %evt.type'` on every event: sysdig's time goes to reading the capture, not to printing.
 *
 * Example line: `1481211700 53fe249c71de futex k8s-proxy`.
 */
export const SYSDIG_FORMAT = '*%evt.rawtime.s %container.id %evt.type %container.name';

/** Longest line a well-formed event can have: 12 + 64 + 64 + a 256-character name + separators. */
export const MAX_SYSDIG_LINE = 400;

/**
 * Receives what parseSysdigChunk finds.
 *
 * The parser allocates nothing per line: it hands over the chunk and offsets, and the sink slices only what
 * it needs (the fold slices `id type`, `text.slice(idStart, typeEnd)`, as its key, and the name only for a
 * container it has not seen).
 */
export interface SysdigChunkSink {
  /**
   * One well-formed event. Fields: time `second`; container `[idStart, idEnd)`; a single space; type
   * `[idEnd + 1, typeEnd)`; a single space; name `[typeEnd + 1, lineEnd)`.
   */
  event(second: number, text: string, idStart: number, idEnd: number, typeEnd: number, lineEnd: number): void;
  /** One refused line, `[start, end)` of `text` (without its newline). */
  malformed(reason: ParseErrorReason, text: string, start: number, end: number): void;
}

const SPACE = 32;

// Results of the last scanLine (module scratch, so a scan allocates nothing; JS runs one scan at a time).
let scanSecond = 0;
let scanIdStart = 0;
let scanIdEnd = 0;
let scanTypeEnd = 0;

/** Whether `[start, end)` is `<NA>`, `host` or 12 lowercase hex digits. */
function validContainer(text: string, start: number, end: number): boolean {
  const len = end - start;
  if (len === 4) return text.startsWith('<NA>', start) || text.startsWith('host', start);
  if (len !== 12) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Whether `[start, end)` is `[a-z0-9_]{1,64}` or `<unknown>`. */
function validSyscall(text: string, start: number, end: number): boolean {
  const len = end - start;
  if (len < 1 || len > 64) return false;
  if (len === 9 && text.startsWith('<unknown>', start)) return true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

/**
 * Scan one line `[start, end)`; returns null when well formed (results in the scratch variables) or why not.
 */
function scanLine(text: string, start: number, end: number): ParseErrorReason | null {
  if (end - start > MAX_SYSDIG_LINE) return 'too-long';
  let i = start;
  let second = 0;
  let c = 0;
  while (i < end) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    second = second * 10 + (c - 48);
    i++;
  }
  const digits = i - start;
  if (digits === 0 || digits > 12) return 'bad-time';
  if (i >= end) return 'field-count';
  if (c !== SPACE) return 'bad-time';
  const idStart = i + 1;
  const idEnd = text.indexOf(' ', idStart);
  if (idEnd === -1 || idEnd >= end) return 'field-count';
  const typeEnd = text.indexOf(' ', idEnd + 1);
  if (typeEnd === -1 || typeEnd >= end || typeEnd + 1 >= end) return 'field-count';
  const extra = text.indexOf(' ', typeEnd + 1);
  if (extra !== -1 && extra < end) return 'field-count';
  if (!validContainer(text, idStart, idEnd)) return 'bad-container';
  if (!validSyscall(text, idEnd + 1, typeEnd)) return 'bad-syscall';
  scanSecond = second;
  scanIdStart = idStart;
  scanIdEnd = idEnd;
  scanTypeEnd = typeEnd;
  return null;
}

/**
 * Parse every complete line of `text` from `from` on, into `sink`; returns where the unfinished last line
 * starts (`text.length` when `text` ends with a newline).
 *
 * No regex, no split, no per-line allocation: one pass of indexOf and charCodeAt. Lines that are too long,
 * cut short, run together or carry an invalid field go to `sink.malformed` and are skipped.
 */
export function parseSysdigChunk(text: string, sink: SysdigChunkSink, from = 0): number {
  let start = from;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) return start;
    const reason = scanLine(text, start, nl);
    if (reason === null) {
      sink.event(scanSecond, text, scanIdStart, scanIdEnd, scanTypeEnd, nl);
    } else {
      sink.malformed(reason, text, start, nl);
    }
    start = nl + 1;
  }
}

/** The Subject for a container field as sysdig printed it, and its `container.name`. */
export function toSubject(container: string, name: string): Subject {
  if (container === 'host') return { kind: 'host' };
  if (container === '<NA>') return { kind: 'unattributed' };
  return { kind: 'container', id: container as SysdigContainerId, name: name === '<NA>' ? null : name };
}

/**
 * Parse one line of SYSDIG_FORMAT output (a trailing newline is allowed) into an event, or say why not.
 *
 * The same scanner as parseSysdigChunk; this form allocates the event and is meant for tests and one-offs.
 */
export function parseSysdigLine(line: string): SyscallEvent | ParseError {
  const end = line.endsWith('\n') ? line.length - 1 : line.length;
  const reason = scanLine(line, 0, end);
  if (reason !== null) return { error: reason, line: line.slice(0, Math.min(end, 200)) };
  return {
    second: scanSecond as EpochSeconds,
    subject: toSubject(line.slice(scanIdStart, scanIdEnd), line.slice(scanTypeEnd + 1, end)),
    syscall: line.slice(scanIdEnd + 1, scanTypeEnd),
  };
}

/**
 * Splits a stream of text chunks (cut anywhere) into lines for a SysdigChunkSink.
 *
 * Memory is bounded: the only thing kept between chunks is an unfinished line of at most MAX_SYSDIG_LINE
 * characters; a longer one is counted `too-long` and skipped up to its newline. `end()` counts a last line
 * without its newline as `truncated` (sysdig died mid-line) rather than guessing at it.
 */
export interface SysdigLineSplitter {
  push(text: string): void;
  end(): void;
}

/** Create a SysdigLineSplitter feeding `sink`. */
export function createSysdigLineSplitter(sink: SysdigChunkSink): SysdigLineSplitter {
  let pending = '';
  let discarding = false;

  const keepTail = (text: string, tailStart: number): void => {
    if (text.length - tailStart > MAX_SYSDIG_LINE) {
      sink.malformed('too-long', text, tailStart, Math.min(text.length, tailStart + MAX_SYSDIG_LINE + 1));
      pending = '';
      discarding = true;
    } else {
      pending = text.slice(tailStart);
    }
  };

  return {
    push(text) {
      if (text.length === 0) return;
      let from = 0;
      if (discarding || pending !== '') {
        const nl = text.indexOf('\n');
        if (nl === -1) {
          if (!discarding) keepTail(pending + text, 0);
          return;
        }
        if (discarding) {
          discarding = false;
        } else {
          const line = pending + text.slice(0, nl + 1);
          pending = '';
          parseSysdigChunk(line, sink);
        }
        from = nl + 1;
      }
      const tail = parseSysdigChunk(text, sink, from);
      if (tail < text.length) keepTail(text, tail);
    },
    end() {
      if (pending !== '' && !discarding) sink.malformed('truncated', pending, 0, pending.length);
      pending = '';
      discarding = false;
    },
  };
}
