import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { parseOsvRecord } from '../../../shared/domain/advisories/osv.js';
import { osvFile, VULN_DATA } from '../packages/data.js';

const load = (name: string): unknown => JSON.parse(readFileSync(osvFile(name), 'utf8'));

describe('parseOsvRecord on the real records in ../shared/data/vuln/osv', () => {
  const files = readdirSync(`${VULN_DATA}osv`)
    .filter((f) => f.endsWith('.json'))
    .sort();

  it('accepts every one of them', () => {
    expect(files).toHaveLength(8);
    for (const f of files) {
      const r = parseOsvRecord(load(f));
      expect([f, r.ok]).toEqual([f, true]);
      if (r.ok) expect(`${r.record.id}.json`).toBe(f);
    }
  });

  it('keeps affected packages, ranges, versions and upstream ids (DLA-3008-1)', () => {
    const r = parseOsvRecord(load('DLA-3008-1.json'));
    if (!r.ok) throw new Error(r.reason);
    expect(r.record.upstream).toEqual(['CVE-2022-1292', 'DEBIAN-CVE-2022-1292']);
    expect(r.record.affected).toHaveLength(1);
    const a = r.record.affected[0]!;
    expect(a.package).toEqual({
      name: 'openssl',
      ecosystem: 'Debian:9',
      purl: 'pkg:deb/debian/openssl?arch=source',
    });
    expect(a.ranges).toEqual([
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.0l-1~deb9u6' }] },
    ]);
    expect(a.versions).toHaveLength(19);
    expect(a.versions[0]).toBe('1.1.0f-3');
  });

  it('keeps one affected entry per Alpine release and the record severity (ALPINE-CVE-2025-26519)', () => {
    const r = parseOsvRecord(load('ALPINE-CVE-2025-26519.json'));
    if (!r.ok) throw new Error(r.reason);
    expect(r.record.affected.map((a) => a.package.ecosystem)).toEqual([
      'Alpine:v3.16',
      'Alpine:v3.17',
      'Alpine:v3.18',
      'Alpine:v3.19',
      'Alpine:v3.20',
      'Alpine:v3.21',
      'Alpine:v3.22',
      'Alpine:v3.23',
      'Alpine:v3.24',
    ]);
    expect(r.record.severity).toEqual([
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H' },
    ]);
  });

  it('turns a database-specific severity word into a severity hint', () => {
    const r = parseOsvRecord({
      id: 'GHSA-xxxx',
      modified: '2024-01-01T00:00:00Z',
      database_specific: { severity: 'MODERATE' },
      affected: [
        {
          package: { ecosystem: 'Debian:12', name: 'x' },
          ecosystem_specific: { urgency: 'low' },
          versions: ['1'],
        },
      ],
    });
    if (!r.ok) throw new Error(r.reason);
    expect(r.record.severity).toEqual([{ type: 'database_specific', score: 'MODERATE' }]);
    expect(r.record.affected[0]?.severity).toEqual([{ type: 'ecosystem_specific', score: 'low' }]);
  });
});

describe('parseOsvRecord refuses malformed records with a reason that names the place', () => {
  const good = (): Record<string, unknown> =>
    JSON.parse(readFileSync(osvFile('DLA-3022-1.json'), 'utf8')) as Record<string, unknown>;

  it.each([
    ['not an object', () => [1, 2], 'record: expected an object'],
    ['no id', () => ({ ...good(), id: undefined }), 'id: missing'],
    ['an id with a slash', () => ({ ...good(), id: '../x' }), '../x: id: invalid id "../x"'],
    ['no modified', () => ({ ...good(), modified: undefined }), 'DLA-3022-1: modified: missing'],
    [
      'a bad timestamp',
      () => ({ ...good(), modified: 'yesterday' }),
      'DLA-3022-1: modified: not a timestamp: "yesterday"',
    ],
    ['affected not a list', () => ({ ...good(), affected: {} }), 'DLA-3022-1: affected: expected an array'],
    [
      'a package without a name',
      () => ({ ...good(), affected: [{ package: { ecosystem: 'Debian:9' } }] }),
      'DLA-3022-1: affected[0].package.name: missing',
    ],
    [
      'an event with two kinds',
      () => ({
        ...good(),
        affected: [
          {
            package: { ecosystem: 'Debian:9', name: 'dpkg' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1' }] }],
          },
        ],
      }),
      'DLA-3022-1: affected[0].ranges[0].events[0]: expected exactly one of introduced, fixed, last_affected, limit (found introduced, fixed)',
    ],
    [
      'a range without introduced',
      () => ({
        ...good(),
        affected: [
          {
            package: { ecosystem: 'Debian:9', name: 'dpkg' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ fixed: '1' }] }],
          },
        ],
      }),
      'DLA-3022-1: affected[0].ranges[0].events: no introduced event',
    ],
    [
      'an unknown range type',
      () => ({
        ...good(),
        affected: [
          {
            package: { ecosystem: 'Debian:9', name: 'dpkg' },
            ranges: [{ type: 'DATE', events: [{ introduced: '0' }] }],
          },
        ],
      }),
      'DLA-3022-1: affected[0].ranges[0].type: unknown range type "DATE"',
    ],
    [
      'a version that is a number',
      () => ({ ...good(), affected: [{ package: { ecosystem: 'Debian:9', name: 'dpkg' }, versions: [1] }] }),
      'DLA-3022-1: affected[0].versions[0]: expected a string',
    ],
  ])('%s', (_what, make, reason) => {
    expect(parseOsvRecord(make())).toEqual({ ok: false, reason });
  });
});
