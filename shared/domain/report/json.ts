import type { Report } from './model.js';

/**
 * The JSON export of a report: the Report value itself, pretty-printed with two spaces and a final newline,
 * every object's keys in code-point order at every depth — so the same report gives the same bytes however
 * its parts were put together (a cached image scan and a fresh one list their fields in different orders).
 * It validates against REPORT_JSON_SCHEMA (assets/schemas/bulkhead-report-1.schema.json).
 */

/** `value` with every object's keys sorted (arrays keep their order; undefined members are dropped). */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeysDeep(v);
  }
  return out;
}

/** Pretty, key-sorted JSON text with a final newline. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}

/** The report as JSON export text. */
export function reportJson(report: Report): string {
  return stableJson(report);
}
