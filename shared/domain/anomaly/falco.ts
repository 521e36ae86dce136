import { assertNever } from '../../util/assert-never.js';
import type { EpochMillis } from '../ids.js';
import type { Severity } from '../posture/model.js';
import type { AlertContainer, AlertHit } from './alerts.js';

/**
 * Falco alerts in JSON (`json_output: true`, one alert per line; the same object falcosidekick receives),
 * parsed into the alert timeline's hits.
 *
 * The fields read: `time` (RFC 3339, nanoseconds allowed), `rule`, `priority`, `output` (all required),
 * `output_fields` (optional; `container.id`, `container.name`, `proc.name` are read from it), `tags`,
 * `source`, `hostname` (optional). A line that is not such an object is refused with its line number and
 * a reason, counted, and skipped; the other lines are kept. Nothing here throws on any input.
 *
 * Pure: no I/O. The streaming splitter keeps at most one unfinished line (MAX_FALCO_LINE characters).
 */

/** Falco's priorities, lowercased (`informational` and `info` are the same). */
export const FALCO_PRIORITIES = [
  'emergency',
  'alert',
  'critical',
  'error',
  'warning',
  'notice',
  'informational',
  'info',
  'debug',
] as const;
export type FalcoPriority = (typeof FALCO_PRIORITIES)[number];

/** One Falco alert, checked. */
export interface FalcoAlert {
  /** `time` as Falco wrote it, and in epoch ms (the nanoseconds are in `time`). */
  readonly time: string;
  readonly timeMs: EpochMillis;
  readonly rule: string;
  readonly priority: FalcoPriority;
  readonly output: string;
  /** `source` (Falco's event source: `syscall`, `k8s_audit`, a plugin's name); `syscall` when absent. */
  readonly source: string;
  readonly hostname: string | null;
  readonly tags: readonly string[];
  /** `container.id`, `container.name`, `proc.name`; null when absent, `<NA>` or (for the id) `host`. */
  readonly containerId: string | null;
  readonly containerName: string | null;
  readonly processName: string | null;
  /** Whether `container.id` said `host`: an event of a host process. */
  readonly host: boolean;
  /** The output fields with scalar values, as text (bounded: MAX_OUTPUT_FIELDS). */
  readonly fields: Readonly<Record<string, string>>;
}

/** Why a line was refused. */
export type FalcoErrorReason = 'too-long' | 'not-json' | 'not-object' | 'missing-field' | 'bad-field';

/** A refused alert, with the field at fault when there is one. */
export interface FalcoFieldError {
  readonly error: FalcoErrorReason;
  readonly field: string | null;
  readonly message: string;
}

/** A refused line. */
export interface FalcoLineError extends FalcoFieldError {
  /** 1-based line number. */
  readonly line: number;
  /** The line's start (at most 120 characters), for the message. */
  readonly text: string;
}

/** Longest line accepted (Falco's lines are a few KB; a longer one is not an alert). */
export const MAX_FALCO_LINE = 64 * 1024;
/** Most output fields kept per alert, and longest value kept. */
export const MAX_OUTPUT_FIELDS = 64;
const MAX_VALUE = 1024;
const MAX_TEXT = 8 * 1024;
const MAX_TAG_COUNT = 32;

/** Whether a parse result is an error. */
export function isFalcoError(v: FalcoAlert | FalcoFieldError): v is FalcoFieldError {
  return 'error' in v;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})$/;

/** Parse an RFC 3339 time (up to nanoseconds) to epoch ms; null when it is not one. */
export function parseRfc3339(text: string): number | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = m[7] === undefined ? 0 : Math.floor(Number(m[7].padEnd(3, '0').slice(0, 3)));
  let offset = 0;
  const zone = m[8]!;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return null;
    offset = sign * (oh * 60 + om) * 60_000;
  }
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
  // Date.UTC rolls 31 February over into March: refuse what does not round-trip.
  const check = new Date(t + offset);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  return Number.isFinite(t) ? t : null;
}

const PRIORITY_SET: ReadonlySet<string> = new Set(FALCO_PRIORITIES);

/** The severity of a Falco priority. */
export function falcoSeverity(priority: FalcoPriority): Severity {
  switch (priority) {
    case 'emergency':
    case 'alert':
    case 'critical':
      return 'critical';
    case 'error':
      return 'high';
    case 'warning':
      return 'medium';
    case 'notice':
      return 'low';
    case 'informational':
    case 'info':
    case 'debug':
      return 'info';
    default:
      return assertNever(priority, 'Falco priority');
  }
}

const fieldError = (error: FalcoErrorReason, field: string | null, message: string): FalcoFieldError => ({
  error,
  field,
  message,
});

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requiredString(o: Record<string, unknown>, field: string): string | FalcoFieldError {
  const v = o[field];
  if (v === undefined || v === null) return fieldError('missing-field', field, `"${field}" is missing`);
  if (typeof v !== 'string')
    return fieldError('bad-field', field, `"${field}" must be a string, not ${typeOf(v)}`);
  if (v === '') return fieldError('bad-field', field, `"${field}" is empty`);
  if (v.length > MAX_TEXT)
    return fieldError('bad-field', field, `"${field}" is longer than ${MAX_TEXT} characters`);
  return v;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/**
 * A scalar output field as text, or null (objects, arrays, absent).
 *
 * Falco writes nanosecond times as JSON numbers (`"evt.time": 1470327477881781397`), which JSON.parse
 * rounds to a double; when the raw line is at hand, the exact digits are read back from it.
 */
function scalar(key: string, v: unknown, raw: string | null): string | null {
  if (typeof v === 'string') return v.slice(0, MAX_VALUE);
  if (typeof v === 'boolean') return String(v);
  if (typeof v !== 'number') return null;
  if (raw !== null && Number.isInteger(v) && !Number.isSafeInteger(v)) {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const exact = new RegExp(`"${escaped}"\\s*:\\s*(-?\\d{16,30})(?![\\d.eE])`).exec(raw);
    if (exact !== null && Number(exact[1]) === v) return exact[1]!;
  }
  return String(v);
}

/** A container/process field: null for absent, empty and `<NA>`. */
function named(v: string | null | undefined): string | null {
  if (v === null || v === undefined || v === '' || v === '<NA>' || v === 'N/A') return null;
  return v.slice(0, 256);
}

/**
 * Check one decoded JSON value as a Falco alert. Never throws. `raw`, the line it was decoded from, lets
 * integers beyond 2^53 keep their exact digits.
 */
export function parseFalcoAlert(value: unknown, raw: string | null = null): FalcoAlert | FalcoFieldError {
  if (!isRecord(value))
    return fieldError('not-object', null, `an alert must be a JSON object, not ${typeOf(value)}`);
  const time = requiredString(value, 'time');
  if (typeof time !== 'string') return time;
  const timeMs = parseRfc3339(time);
  if (timeMs === null)
    return fieldError('bad-field', 'time', `"time" is not an RFC 3339 time: ${time.slice(0, 60)}`);
  const rule = requiredString(value, 'rule');
  if (typeof rule !== 'string') return rule;
  const priorityText = requiredString(value, 'priority');
  if (typeof priorityText !== 'string') return priorityText;
  const priority = priorityText.toLowerCase();
  if (!PRIORITY_SET.has(priority)) {
    return fieldError(
      'bad-field',
      'priority',
      `"priority" is not a Falco priority: ${priorityText.slice(0, 40)}`,
    );
  }
  const output = requiredString(value, 'output');
  if (typeof output !== 'string') return output;

  const rawFields = value['output_fields'];
  if (rawFields !== undefined && rawFields !== null && !isRecord(rawFields)) {
    return fieldError(
      'bad-field',
      'output_fields',
      `"output_fields" must be an object, not ${typeOf(rawFields)}`,
    );
  }
  const fields: Record<string, string> = {};
  let kept = 0;
  if (isRecord(rawFields)) {
    for (const [k, v] of Object.entries(rawFields)) {
      if (kept >= MAX_OUTPUT_FIELDS) break;
      const s = scalar(k, v, raw);
      if (s === null) continue;
      // Own-property writes only; a field named __proto__ must not reach the prototype.
      Object.defineProperty(fields, k.slice(0, 128), {
        value: s,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      kept++;
    }
  }

  const rawTags = value['tags'];
  let tags: string[] = [];
  if (rawTags !== undefined && rawTags !== null) {
    if (!Array.isArray(rawTags) || !rawTags.every((t) => typeof t === 'string')) {
      return fieldError('bad-field', 'tags', '"tags" must be an array of strings');
    }
    tags = rawTags.slice(0, MAX_TAG_COUNT).map((t) => t.slice(0, 128));
  }
  const source = value['source'];
  if (source !== undefined && source !== null && typeof source !== 'string') {
    return fieldError('bad-field', 'source', `"source" must be a string, not ${typeOf(source)}`);
  }
  const hostname = value['hostname'];
  if (hostname !== undefined && hostname !== null && typeof hostname !== 'string') {
    return fieldError('bad-field', 'hostname', `"hostname" must be a string, not ${typeOf(hostname)}`);
  }

  const own = (k: string): string | null =>
    Object.prototype.hasOwnProperty.call(fields, k) ? fields[k]! : null;
  const id = named(own('container.id'));
  const host = id === 'host';
  return {
    time,
    timeMs: timeMs as EpochMillis,
    rule,
    priority: priority as FalcoPriority,
    output,
    source: typeof source === 'string' && source !== '' ? source.slice(0, 128) : 'syscall',
    hostname: typeof hostname === 'string' && hostname !== '' ? hostname.slice(0, 256) : null,
    tags,
    containerId: host ? null : id,
    containerName: named(own('container.name')),
    processName: named(own('proc.name')),
    host,
    fields,
  };
}

/** Parse one line of Falco's JSON output. Never throws. */
export function parseFalcoLine(line: string): FalcoAlert | FalcoFieldError {
  if (line.length > MAX_FALCO_LINE) {
    return fieldError('too-long', null, `the line is longer than ${MAX_FALCO_LINE} characters`);
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return fieldError(
      'not-json',
      null,
      `not JSON: ${e instanceof Error ? e.message.slice(0, 120) : 'parse error'}`,
    );
  }
  return parseFalcoAlert(value, line);
}

/** The timeline hit of an alert. */
export function falcoHit(alert: FalcoAlert): AlertHit {
  const container: AlertContainer | null =
    alert.containerId === null ? null : { id: alert.containerId, name: alert.containerName };
  return {
    source: 'falco',
    ruleId: alert.rule,
    title: alert.rule,
    severity: falcoSeverity(alert.priority),
    rationale: null,
    container,
    time: alert.timeMs,
    syscall: null,
    process: alert.processName,
    detail: alert.output,
    tags: alert.source === 'syscall' ? alert.tags : [...alert.tags, `source:${alert.source}`],
    hostname: alert.hostname,
  };
}

/** Receives what the line splitter finds. */
export interface FalcoSink {
  alert(alert: FalcoAlert, line: number): void;
  error(error: FalcoLineError): void;
}

/** Splits text chunks (cut anywhere) into Falco lines; blank lines are skipped, not errors. */
export interface FalcoLineSplitter {
  push(text: string): void;
  /** The end of the input: a last line without its newline is parsed too (files often end so). */
  end(): void;
  /** Lines seen so far (blank ones included). */
  readonly lines: number;
}

/** Create a splitter feeding `sink`. */
export function createFalcoLineSplitter(sink: FalcoSink): FalcoLineSplitter {
  let pending = '';
  let discarding = false;
  let lineNo = 0;

  const handle = (line: string): void => {
    lineNo++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    const r = parseFalcoLine(text);
    if (isFalcoError(r)) sink.error({ ...r, line: lineNo, text: text.slice(0, 120) });
    else sink.alert(r, lineNo);
  };
  const tooLong = (start: string): void => {
    lineNo++;
    sink.error({
      error: 'too-long',
      field: null,
      message: `the line is longer than ${MAX_FALCO_LINE} characters`,
      line: lineNo,
      text: start.slice(0, 120),
    });
  };

  return {
    push(text) {
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl === -1) break;
        if (discarding) discarding = false;
        else if (pending.length + (nl - start) > MAX_FALCO_LINE)
          tooLong(pending + text.slice(start, start + 120));
        else handle(pending + text.slice(start, nl));
        pending = '';
        start = nl + 1;
      }
      if (discarding) return;
      const rest = text.slice(start);
      if (pending.length + rest.length > MAX_FALCO_LINE) {
        tooLong(pending + rest);
        pending = '';
        discarding = true;
      } else {
        pending += rest;
      }
    },
    end() {
      if (!discarding && pending !== '') handle(pending);
      pending = '';
      discarding = false;
    },
    get lines() {
      return lineNo;
    },
  };
}

/** What a whole input gave. */
export interface FalcoParseResult {
  readonly alerts: readonly FalcoAlert[];
  /** The first MAX_KEPT_ERRORS refused lines. */
  readonly errors: readonly FalcoLineError[];
  /** All refused lines. */
  readonly malformed: number;
  readonly lines: number;
}

/** Refused lines kept with their reasons (the rest are only counted). */
export const MAX_KEPT_ERRORS = 100;

/** Parse a whole JSON-lines text. Never throws. */
export function parseFalcoJsonLines(text: string): FalcoParseResult {
  const alerts: FalcoAlert[] = [];
  const errors: FalcoLineError[] = [];
  let malformed = 0;
  const splitter = createFalcoLineSplitter({
    alert: (a) => alerts.push(a),
    error: (e) => {
      malformed++;
      if (errors.length < MAX_KEPT_ERRORS) errors.push(e);
    },
  });
  splitter.push(text);
  splitter.end();
  return { alerts, errors, malformed, lines: splitter.lines };
}

/** One sentence per refused line, for a person: `line 3: "time" is missing`. */
export function describeFalcoError(e: FalcoLineError): string {
  return `line ${e.line}: ${e.message}`;
}
