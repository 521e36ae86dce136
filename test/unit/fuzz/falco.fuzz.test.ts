import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { FalcoAlert, FalcoLineError } from '../../../shared/domain/anomaly/falco.js';
import {
  createFalcoLineSplitter,
  falcoHit,
  isFalcoError,
  MAX_FALCO_LINE,
  MAX_OUTPUT_FIELDS,
  parseFalcoAlert,
  parseFalcoJsonLines,
  parseFalcoLine,
} from '../../../shared/domain/anomaly/falco.js';
import {
  anyString,
  chunked,
  chunks,
  hostileJson,
  mutatedJson,
  mutatedText,
  readText,
  sharedData,
  FUZZ,
} from './support.js';

// Falco's JSON lines come from another program's stdout or a file the user picks: "Nothing here throws on
// any input" (falco.ts). Real alerts from ../shared/data/events, mutated.

const LINES = [
  ...readText(sharedData('events', 'falco_single_rule_with_cat_write.json')).split('\n'),
  readText(sharedData('events', 'falcosidekick_readme_example_payload.json')),
]
  .map((l) => l.trim())
  .filter((l) => l !== '');
const ALERTS = LINES.map((l) => JSON.parse(l) as unknown);

const REASONS: readonly FalcoLineError['error'][] = [
  'too-long',
  'not-json',
  'not-object',
  'missing-field',
  'bad-field',
];

/** One line: a real alert, a mutated one (as JSON or as text), or anything. */
const falcoLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...LINES) },
  { weight: 4, arbitrary: mutatedJson(ALERTS, 5).map((d) => JSON.stringify(d) ?? '') },
  { weight: 2, arbitrary: mutatedText(LINES, 4).map((l) => l.replaceAll('\n', '')) },
  { weight: 1, arbitrary: anyString(80).map((l) => l.replaceAll('\n', '')) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r', '{}', '[]', 'null', '{"time":') },
);

function expectAlert(a: FalcoAlert): void {
  expect(Number.isFinite(a.timeMs)).toBe(true);
  expect(Object.keys(a.fields).length).toBeLessThanOrEqual(MAX_OUTPUT_FIELDS);
  expect(Object.getPrototypeOf(a.fields)).toBe(Object.prototype);
  expect(falcoHit(a).source).toBe('falco');
}

describe('Falco JSON lines (fuzz)', FUZZ, () => {
  it('parseFalcoLine and parseFalcoAlert return an alert or a documented error for any input', () => {
    fc.assert(
      fc.property(fc.oneof(falcoLine, mutatedJson(ALERTS, 6), hostileJson), (input) => {
        const r = typeof input === 'string' ? parseFalcoLine(input) : parseFalcoAlert(input);
        if (isFalcoError(r)) expect(REASONS).toContain(r.error);
        else expectAlert(r);
      }),
      { numRuns: 1000 },
    );
  });

  type Seen = readonly ['alert', FalcoAlert, number] | readonly ['error', FalcoLineError];

  const split = (parts: readonly string[]): Seen[] => {
    const seen: Seen[] = [];
    const s = createFalcoLineSplitter({
      alert: (a, line) => seen.push(['alert', a, line]),
      error: (e) => seen.push(['error', e]),
    });
    for (const p of parts) s.push(p);
    s.end();
    return seen;
  };

  const text = fc
    .tuple(fc.array(falcoLine, { maxLength: 20 }), fc.constantFrom('\n', '', '\r\n'))
    .map(([lines, end]) => lines.join('\n') + end);

  it('the splitter gives the same alerts and errors, on the same line numbers, however the text is cut', () => {
    fc.assert(
      fc.property(chunked(text), ({ text: t, parts }) => {
        const whole = split([t]);
        expect(split(parts)).toEqual(whole);
        const all = parseFalcoJsonLines(t);
        expect(all.alerts.length + all.malformed).toBe(whole.length);
      }),
      { numRuns: 300 },
    );
  });

  it('a line over MAX_FALCO_LINE is one too-long error however it is cut, and the next line still parses', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_FALCO_LINE - 2, max: MAX_FALCO_LINE + 3 }),
        fc.array(fc.integer({ min: 0, max: MAX_FALCO_LINE + 200 }), { maxLength: 6 }),
        (length, cuts) => {
          const t = `${'x'.repeat(length)}\n${LINES[0]!}\n`;
          const points = [...new Set(cuts.filter((c) => c <= t.length))].sort((a, b) => a - b);
          const seen = split(chunks(t, points));
          expect(seen).toEqual(split([t]));
          expect(seen).toHaveLength(2);
          expect(seen[1]?.[0]).toBe('alert');
          const first = seen[0]!;
          expect(first[0] === 'error' && first[1].error).toBe(
            length > MAX_FALCO_LINE ? 'too-long' : 'not-json',
          );
        },
      ),
      { numRuns: 30 },
    );
  });
});
