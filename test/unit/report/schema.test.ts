import { readFileSync } from 'node:fs';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { EpochMillis } from '../../../shared/domain/ids.js';
import { buildReport } from '../../../shared/domain/report/build.js';
import type { ReportInputs } from '../../../shared/domain/report/build.js';
import { reportJson } from '../../../shared/domain/report/json.js';
import { REPORT_SECTIONS } from '../../../shared/domain/report/model.js';
import { REPORT_JSON_SCHEMA } from '../../../shared/domain/report/schema.js';
import type {
  EpochSeconds,
  SubjectTotals,
  SysdigContainerId,
} from '../../../shared/domain/syscalls/model.js';
import { REPORT_SCHEMA_FILE } from '../../support/gen-report-schema.js';
import { realReportInputs } from '../../support/report-inputs.js';
import { reportValidator, schemaErrors } from '../../support/report-schema.js';

const validate = reportValidator();

/** The JSON export, parsed back (what a pipeline would validate). */
const exported = (inputs: ReportInputs): Record<string, unknown> =>
  JSON.parse(reportJson(buildReport(inputs))) as Record<string, unknown>;

describe('the report JSON Schema', () => {
  it('the published file is the schema constant (regenerate: npx tsx test/support/gen-report-schema.ts)', () => {
    expect(JSON.parse(readFileSync(REPORT_SCHEMA_FILE, 'utf8'))).toEqual(REPORT_JSON_SCHEMA);
  });

  it('real reports validate: local, remote, demo; every section, some sections, no runtime, no DB', async () => {
    for (const inputs of [
      await realReportInputs(),
      await realReportInputs({ kind: 'remote', dbAgeDays: 10 }),
      await realReportInputs({ kind: 'demo', dbAgeDays: null }),
      await realReportInputs({ sections: ['posture', 'anomalies'], runtime: false }),
      await realReportInputs({ runtime: false, anomaly: false, windowSeconds: 5 }),
    ]) {
      const json = exported(inputs);
      expect(validate(json), schemaErrors(validate)).toBe(true);
    }
  });

  it('refuses a missing field, a wrong type, an unknown key, a bad enum value', async () => {
    const good = exported(await realReportInputs());
    expect(validate(good)).toBe(true);
    type Path = readonly (string | number)[];
    const at = (root: unknown, path: Path): Record<string | number, unknown> =>
      path.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root) as Record<
        string | number,
        unknown
      >;
    const withChange = (
      path: Path,
      change: (parent: Record<string | number, unknown>, key: string | number) => void,
    ): boolean => {
      const copy = structuredClone(good);
      change(at(copy, path.slice(0, -1)), path[path.length - 1]!);
      return validate(copy);
    };
    const without = (...path: Path): boolean => withChange(path, (o, k) => delete o[k]);
    const set = (value: unknown, ...path: Path): boolean => withChange(path, (o, k) => (o[k] = value));
    expect(without('host')).toBe(false);
    expect(without('containers', 0, 'posture', 'findings', 0, 'evidenceKind')).toBe(false);
    expect(set('84', 'summary', 'hostScore')).toBe(false);
    expect(set(1.5, 'generatedAt')).toBe(false);
    expect(set('zombie', 'containers', 0, 'state')).toBe(false);
    expect(set(-1, 'containers', 0, 'syscalls', 'top', 0, 'count')).toBe(false);
    expect(set(true, 'containers', 0, 'surprise')).toBe(false);
    expect(set('dire', 'containers', 0, 'imageFindings', 'vulnerabilities', 0, 'severity', 'level')).toBe(
      false,
    );
    expect(set(2, 'formatVersion')).toBe(false);
    expect(set('sleeping', 'containers', 0, 'anomalies', 'bosc', 'phase')).toBe(false);
    const highlights = at(good, ['summary', 'highlights']) as unknown as unknown[];
    expect(set([...highlights, ...highlights], 'summary', 'highlights')).toBe(false);
    // And the unchanged copy still passes (the helpers change only what they name).
    expect(set(at(good, ['summary'])['hostScore'], 'summary', 'hostScore')).toBe(true);
  });

  it('fuzzed reports validate: hostile names, random window counts, missing parts, any section subset', async () => {
    const base = await realReportInputs();
    const dbs = new Map<number | null, ReportInputs['db']>();
    for (const d of [0, 8, null]) dbs.set(d, (await realReportInputs({ dbAgeDays: d, runtime: false })).db);
    const syscalls = fc.constantFrom(
      'read',
      'ptrace',
      'mount',
      'open_by_handle_at',
      'runc:execve',
      'x\u202e',
    );
    const totals = (id: string, bySyscall: Record<string, number>): SubjectTotals => ({
      subject: { kind: 'container', id: id.slice(0, 12) as SysdigContainerId, name: null },
      total: Object.values(bySyscall).reduce((a, b) => a + b, 0),
      bySyscall,
    });
    const arbitrary = fc.record({
      names: fc.array(fc.string({ unit: 'binary', maxLength: 40 }), {
        minLength: base.containers.length,
        maxLength: base.containers.length,
      }),
      keep: fc.array(fc.boolean(), { minLength: base.containers.length, maxLength: base.containers.length }),
      sections: fc.subarray([...REPORT_SECTIONS], { minLength: 1 }),
      counts: fc.option(
        fc.array(
          fc.tuple(
            fc.nat(base.containers.length - 1),
            fc.dictionary(syscalls, fc.integer({ min: 1, max: 1e6 }), { minKeys: 1 }),
          ),
          { maxLength: 4 },
        ),
      ),
      engine: fc.boolean(),
      dbAgeDays: fc.constantFrom(0, 8, null),
      generatedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      unavailable: fc.boolean(),
    });
    fc.assert(
      fc.property(arbitrary, (a) => {
        const db = dbs.get(a.dbAgeDays) ?? null;
        const picked = base.containers
          .map((c, i) => ({ ...c, name: a.names[i] ?? c.name }))
          .filter((_, i) => a.keep[i] === true);
        const subjects =
          a.counts === null ? null : a.counts.map(([i, by]) => totals(base.containers[i]?.id ?? '', by));
        const inputs: ReportInputs = {
          ...base,
          generatedAt: a.generatedAt as EpochMillis,
          sections: a.sections,
          engine: a.engine ? base.engine : null,
          db,
          containers: a.unavailable
            ? picked.map((c) => ({
                ...c,
                posture: { state: 'unavailable', reason: 'gone' },
                imageScan: { state: 'unavailable', reason: 'gone' },
              }))
            : picked,
          runtime:
            base.runtime === null
              ? null
              : {
                  ...base.runtime,
                  counts:
                    subjects === null
                      ? null
                      : {
                          from: 100 as EpochSeconds,
                          to: 200 as EpochSeconds,
                          subjects,
                          dropped: { overflow: 1, late: 2, malformed: 3 },
                          topOnly: true,
                        },
                },
        };
        const json = exported(inputs);
        expect(validate(json), schemaErrors(validate)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
