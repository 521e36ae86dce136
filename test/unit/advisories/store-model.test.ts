import { describe, expect, it } from 'vitest';

import type { EcosystemImport } from '../../../shared/domain/advisories/store-model.js';
import {
  ADVISORY_DB_FORMAT,
  importFor,
  isStale,
  parseAdvisoryDbMeta,
  provenance,
  STALE_AFTER_MS,
  withImports,
} from '../../../shared/domain/advisories/store-model.js';
import type { EpochMillis } from '../../../shared/domain/ids.js';

const entry = (base: string, importedAt: number, file = `${base}.x.jsonl`): EcosystemImport => ({
  base,
  source: `/data/${base}/all.zip`,
  importedAt: importedAt as EpochMillis,
  newestModified: null,
  records: 1,
  counts: { [`${base}:1`]: 1 },
  file,
});

describe('advisory database metadata', () => {
  it('is stale only when older than seven days', () => {
    const t = Date.parse('2026-12-01T00:00:00Z');
    expect(isStale(entry('Debian', t), t + STALE_AFTER_MS)).toBe(false);
    expect(isStale(entry('Debian', t), t + STALE_AFTER_MS + 1)).toBe(true);
    expect(provenance(entry('Debian', t), t + 3600_000)).toEqual({
      source: '/data/Debian/all.zip',
      importedAt: t,
      ageMs: 3600_000,
      stale: false,
    });
  });

  it('replaces imports per base and finds the one serving an ecosystem', () => {
    const first = withImports(null, [entry('Debian', 1), entry('Alpine', 1)]);
    const second = withImports(first, [entry('Debian', 2, 'Debian.y.jsonl')]);
    expect(second.ecosystems.map((e) => [e.base, e.importedAt, e.file])).toEqual([
      ['Alpine', 1, 'Alpine.x.jsonl'],
      ['Debian', 2, 'Debian.y.jsonl'],
    ]);
    expect(importFor(second, 'Debian:12')?.file).toBe('Debian.y.jsonl');
    expect(importFor(second, 'Ubuntu:22.04:LTS')).toBeUndefined();
  });

  it('validates what it reads back, refusing file names that could leave the store directory', () => {
    const good = withImports(null, [entry('Debian', 1)]);
    expect(parseAdvisoryDbMeta(JSON.parse(JSON.stringify(good)))).toEqual({ ok: true, meta: good });
    expect(parseAdvisoryDbMeta({ format: 'other', ecosystems: [] })).toEqual({
      ok: false,
      reason: 'unknown format "other"',
    });
    expect(
      parseAdvisoryDbMeta({
        format: ADVISORY_DB_FORMAT,
        ecosystems: [{ ...entry('Debian', 1), file: '../../etc/passwd' }],
      }),
    ).toEqual({
      ok: false,
      reason: 'ecosystems[0] is malformed',
    });
  });
});
