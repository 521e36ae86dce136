import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { assessContainer, assessEngine } from '../../../shared/domain/posture/evaluate.js';
import type { Finding, FindingStatus, Severity } from '../../../shared/domain/posture/model.js';
import { deduction, gradeFor, scoreFindings } from '../../../shared/domain/posture/score.js';
import type { FixtureName } from './fixtures.js';
import { FIXTURE_DIR, loadInspect, loadKernel, loadLocalHost } from './fixtures.js';

// The formula as SCORE.md states it, written out again here so the implementation is checked against the
// documentation rather than against itself.
const DOC_WEIGHT: Record<Severity, number> = { critical: 40, high: 20, medium: 8, low: 3, info: 0 };
const docScore = (findings: readonly Pick<Finding, 'status' | 'severity'>[]): number =>
  Math.round(
    Math.max(
      0,
      100 -
        findings.reduce(
          (sum, f) =>
            sum +
            (f.status === 'fail'
              ? DOC_WEIGHT[f.severity]
              : f.status === 'warn'
                ? DOC_WEIGHT[f.severity] / 2
                : 0),
          0,
        ),
    ),
  );

const finding = (status: FindingStatus, severity: Severity, ruleId = `${severity}-${status}`): Finding => ({
  ruleId,
  cisId: null,
  title: ruleId,
  severity,
  status,
  message: '',
  rationale: '',
  evidence: [],
  remediation: { flag: '', compose: '' },
  evidenceKind: 'configuration-only',
});

describe('deduction', () => {
  it.each([
    ['fail', 'critical', 40],
    ['fail', 'high', 20],
    ['fail', 'medium', 8],
    ['fail', 'low', 3],
    ['fail', 'info', 0],
    ['warn', 'critical', 20],
    ['warn', 'high', 10],
    ['warn', 'medium', 4],
    ['warn', 'low', 1.5],
    ['pass', 'critical', 0],
    ['info', 'critical', 0],
    ['na', 'critical', 0],
  ] as const)('%s %s costs %d', (status, severity, points) => {
    expect(deduction({ status, severity })).toBe(points);
  });
});

describe('gradeFor', () => {
  it.each([
    [100, 'A'],
    [90, 'A'],
    [89, 'B'],
    [80, 'B'],
    [79, 'C'],
    [70, 'C'],
    [69, 'D'],
    [55, 'D'],
    [54, 'F'],
    [0, 'F'],
  ] as const)('%d → %s', (value, grade) => {
    expect(gradeFor(value)).toBe(grade);
  });
});

describe('scoreFindings', () => {
  const arbitraryFinding = fc
    .record({
      status: fc.constantFrom<FindingStatus>('pass', 'warn', 'fail', 'info', 'na'),
      severity: fc.constantFrom<Severity>('critical', 'high', 'medium', 'low', 'info'),
    })
    .map(({ status, severity }) => finding(status, severity));

  it('follows the documented formula, stays an integer in 0–100', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFinding, { maxLength: 40 }), (fs) => {
        const s = scoreFindings(fs);
        expect(s.value).toBe(docScore(fs));
        expect(Number.isInteger(s.value) && s.value >= 0 && s.value <= 100).toBe(true);
        expect(s.grade).toBe(gradeFor(s.value));
      }),
    );
  });

  it('is not moved by info or na findings, and never raised by another failure', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFinding, { maxLength: 30 }), arbitraryFinding, (fs, extra) => {
        const before = scoreFindings(fs).value;
        const after = scoreFindings([...fs, extra]).value;
        if (extra.status === 'info' || extra.status === 'na' || extra.status === 'pass')
          expect(after).toBe(before);
        else expect(after).toBeLessThanOrEqual(before);
      }),
    );
  });

  it('never grades a failed critical finding above D', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFinding, { maxLength: 30 }), (fs) => {
        expect(['D', 'F']).toContain(scoreFindings([finding('fail', 'critical'), ...fs]).grade);
      }),
    );
  });

  it('lists the deductions largest first, and counts every status', () => {
    const s = scoreFindings([
      finding('warn', 'low', 'a'),
      finding('fail', 'high', 'b'),
      finding('na', 'high', 'c'),
      finding('pass', 'low', 'd'),
    ]);
    expect(s.deductions).toEqual([
      { ruleId: 'b', status: 'fail', points: 20 },
      { ruleId: 'a', status: 'warn', points: 1.5 },
    ]);
    expect(s.counts).toEqual({ pass: 1, warn: 1, fail: 1, info: 0, na: 1 });
    expect(s.value).toBe(79); // 100 − 21.5 = 78.5, rounded half up
  });
});

describe('the examples in SCORE.md', () => {
  const doc = readFileSync(join(FIXTURE_DIR, '../../../shared/domain/posture/SCORE.md'), 'utf8').replace(
    /\s+/g,
    ' ',
  );
  const examples: [FixtureName, string][] = [
    ['default', 'a default `docker run` scores'],
    ['hardened', '--cpus 0.5` scores'],
    ['etc-ro', '`-v /etc:/host-etc:ro` scores'],
    ['sys-admin-unconfined', 'seccomp=unconfined` scores'],
    ['privileged', '`--privileged` scores'],
  ];
  it.each(examples)('%s matches what the rules give on the recorded container', async (name, phrase) => {
    const host = await loadLocalHost();
    const p = assessContainer({ inspect: loadInspect(name), kernel: await loadKernel(name) }, host);
    if (p.state !== 'assessed') throw new Error('not assessed');
    expect(p.score.value).toBe(docScore(p.findings));
    expect(doc).toContain(`${phrase} ${p.score.value} (${p.score.grade})`);
  });

  it('host score: the recorded engine is scored over the daemon findings with the same formula', () => {
    const info: unknown = JSON.parse(readFileSync(join(FIXTURE_DIR, 'host', 'docker-info.json'), 'utf8'));
    const version: unknown = JSON.parse(
      readFileSync(join(FIXTURE_DIR, 'host', 'docker-version.json'), 'utf8'),
    );
    const e = assessEngine(info, version);
    if (e.state !== 'assessed') throw new Error('not assessed');
    expect(e.score.value).toBe(docScore(e.findings));
    expect(e.score.counts.fail).toBe(0);
  });
});
