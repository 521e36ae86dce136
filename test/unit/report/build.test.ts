import { describe, expect, it } from 'vitest';

import type { EpochMillis } from '../../../shared/domain/ids.js';
import { buildReport, sameContainer } from '../../../shared/domain/report/build.js';
import type { ReportInputs } from '../../../shared/domain/report/build.js';
import { reportJson } from '../../../shared/domain/report/json.js';
import { REPORT_MAX_HIGHLIGHTS, REPORT_SECTIONS } from '../../../shared/domain/report/model.js';
import type { Report, ReportContainer } from '../../../shared/domain/report/model.js';
import { NOW, realReportInputs } from '../../support/report-inputs.js';

const byName = (r: Report, suffix: string): ReportContainer => {
  const c = r.containers.find((x) => x.name.endsWith(suffix));
  if (c === undefined) throw new Error(`no container ${suffix}`);
  return c;
};

describe('buildReport', () => {
  it('is deterministic: the same inputs twice give deep-equal reports and byte-equal JSON', async () => {
    const a = buildReport(await realReportInputs());
    const b = buildReport(await realReportInputs());
    expect(b).toEqual(a);
    expect(reportJson(b)).toBe(reportJson(a));
  });

  it('does not depend on the order the containers and sections were given in', async () => {
    const inputs = await realReportInputs();
    const shuffled: ReportInputs = {
      ...inputs,
      containers: [...inputs.containers].reverse(),
      sections: [...REPORT_SECTIONS].reverse(),
    };
    expect(reportJson(buildReport(shuffled))).toBe(reportJson(buildReport(inputs)));
    const names = buildReport(shuffled).containers.map((c) => c.name);
    expect(names).toEqual([...names].sort());
  });

  it('carries the inputs: generator, time, window, source, host with the engine and its score', async () => {
    const inputs = await realReportInputs();
    const r = buildReport(inputs);
    expect(r.format).toBe('bulkhead-report');
    expect(r.generatedAt).toBe(NOW);
    expect(r.window).toEqual(inputs.window);
    expect(r.window.to - r.window.from).toBe(31_000);
    expect(r.host.engine?.version).toBe('20.10.24+dfsg1');
    expect(r.host.posture.state).toBe('assessed');
    if (r.host.posture.state !== 'assessed' || inputs.enginePosture.state !== 'assessed') throw new Error();
    expect(r.summary.hostScore).toBe(inputs.enginePosture.score.value);
    expect(r.runtimeSource).toBe('eBPF (bpftrace), live');
    expect(r.sections).toEqual(REPORT_SECTIONS);
  });

  it('only the chosen sections: absent from every container and from the methodology', async () => {
    const r = buildReport(await realReportInputs({ sections: ['seccomp', 'posture'] }));
    expect(r.sections).toEqual(['posture', 'seccomp']);
    for (const c of r.containers) {
      expect(Object.keys(c).sort()).toEqual(['id', 'image', 'name', 'posture', 'seccomp', 'state']);
    }
    // The seccomp profiles come from the syscall source, so its note (which source, which window) stays.
    expect(new Set(r.methodology.map((m) => m.section))).toEqual(
      new Set(['host', 'posture', 'syscalls', 'seccomp']),
    );
    const postureOnly = buildReport(await realReportInputs({ sections: ['posture'] }));
    expect(new Set(postureOnly.methodology.map((m) => m.section))).toEqual(new Set(['host', 'posture']));
    expect(r.summary.rows.every((row) => row.vulnerabilities === null)).toBe(true);
  });

  it('only the given containers are in it; an image shared by all is counted once', async () => {
    const inputs = await realReportInputs();
    const two = inputs.containers.filter((c) => /-(default|hardened)$/.test(c.name));
    const r = buildReport({ ...inputs, containers: two });
    expect(r.containers.map((c) => c.name)).toEqual([
      'bulkhead-posture-default',
      'bulkhead-posture-hardened',
    ]);
    expect(r.summary.containers).toBe(2);
    const img = byName(r, '-default').imageFindings;
    if (img?.state !== 'scanned') throw new Error('not scanned');
    // Both use the same image: the totals are that image's counts, not twice them.
    expect(r.summary.vulnerabilities).toEqual(img.severityCounts);
    expect(img.severityCounts.high).toBeGreaterThan(0);
  });

  it('the posture matrix: every finding in rule order with evidence, the score, the evidence kind', async () => {
    const inputs = await realReportInputs();
    const r = buildReport(inputs);
    const c = byName(r, '-privileged');
    const given = inputs.containers.find((x) => x.id === c.id)?.posture;
    if (c.posture?.state !== 'assessed' || given?.state !== 'assessed') throw new Error('not assessed');
    expect(c.posture.findings).toEqual(given.findings);
    expect(c.posture.score).toEqual(given.score);
    expect(c.posture.findings.find((f) => f.ruleId === 'privileged')).toMatchObject({ status: 'fail' });
  });

  it('the syscall histogram over the window: top by count, rest, alerts from the window', async () => {
    const r = buildReport(await realReportInputs());
    const s = byName(r, '-cap-add-all').syscalls;
    if (s?.state !== 'observed') throw new Error('not observed');
    expect(s.top[0]).toEqual({ syscall: 'read', count: 300 });
    expect(s.total).toBe(300 + 30 + 30 + 3);
    expect(s.alerts.map((a) => a.syscall).sort()).toEqual(['mount', 'ptrace', 'unshare']);
    // A shorter window asked for: only its seconds (the odd calls were at second 20 of 30).
    const short = buildReport(await realReportInputs({ windowSeconds: 5 }));
    const s5 = byName(short, '-cap-add-all').syscalls;
    if (s5?.state !== 'observed') throw new Error('not observed');
    expect(s5.alerts).toEqual([]);
    expect(s5.total).toBe(4 * (10 + 1 + 1));
    expect(short.methodology.find((m) => m.section === 'syscalls')?.text).toContain('(5 seconds)');
  });

  it('without a syscall source the runtime sections say "not observed", and so does the methodology', async () => {
    const r = buildReport(await realReportInputs({ runtime: false, anomaly: false }));
    for (const c of r.containers) {
      expect(c.syscalls).toEqual({
        state: 'unavailable',
        reason: 'not observed: no syscall source was running',
      });
      expect(c.seccomp).toEqual({
        state: 'unavailable',
        reason: 'not observed: no syscall source was running',
      });
      expect(c.anomalies?.state).toBe('unavailable');
    }
    expect(r.runtimeSource).toBeNull();
    expect(r.methodology.find((m) => m.section === 'syscalls')?.text).toMatch(
      /No syscall source was running/,
    );
  });

  it('the seccomp summary: allowed against the default, with the sentence', async () => {
    const r = buildReport(await realReportInputs());
    const s = byName(r, '-hardened').seccomp;
    if (s?.state !== 'generated') throw new Error('not generated');
    expect(s.defaultAllowed).toBeGreaterThan(200);
    expect(s.allowed).toBeLessThan(s.defaultAllowed ?? 0);
    expect(s.reductionPct).toBeLessThan(0);
    expect(s.sentence).toMatch(/^this profile allows \d+ of the \d+ syscalls the default allows: −\d+ %$/);
  });

  it('highlights: worst first, bounded, in plain sentences, the left-out ones counted', async () => {
    const r = buildReport(await realReportInputs());
    const h = r.summary.highlights;
    expect(h.length).toBe(REPORT_MAX_HIGHLIGHTS);
    expect(r.summary.moreHighlights).toBeGreaterThan(0);
    const ranks = h.map((x) => ['critical', 'high', 'medium', 'low', 'info'].indexOf(x.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(h).toContainEqual({
      severity: 'critical',
      container: 'bulkhead-posture-privileged',
      text: 'runs privileged: it can do almost anything root on the host can.',
    });
    expect(h).toContainEqual({
      severity: 'critical',
      container: 'bulkhead-posture-docker-sock-host-ns',
      text: 'has the Docker engine socket mounted: whoever controls it controls every container and the host.',
    });
    // Only posture, with the two contrasting containers: the hardened one has nothing to say.
    const inputs = await realReportInputs({ sections: ['posture'] });
    const few = buildReport({
      ...inputs,
      containers: inputs.containers.filter((c) => /-(privileged|hardened)$/.test(c.name)),
    });
    expect(few.summary.highlights.map((x) => x.container)).not.toContain('bulkhead-posture-hardened');
    expect(few.summary.moreHighlights).toBeUndefined();
  });

  it('an alert seen both in the window counts and by the anomaly monitor is one row alert and one highlight', async () => {
    const r = buildReport(await realReportInputs());
    const row = r.summary.rows.find((x) => x.name.endsWith('-cap-add-all'));
    expect(row?.alerts).toBe(3);
    expect(row?.anomalous).toBe(true);
    const texts = r.summary.highlights.map((x) => x.text).filter((t) => t.includes('ptrace'));
    expect(texts).toEqual(['called ptrace 1 time during the window: ptrace called.']);
  });

  it('the advisory database: its age in the methodology, a stale one and a missing one are highlighted', async () => {
    const fresh = buildReport(await realReportInputs({ sections: ['images'] }));
    expect(fresh.methodology.find((m) => m.section === 'images')?.text).toMatch(/\(3 days old\)/);
    expect(fresh.summary.highlights.some((x) => x.text.includes('advisory database'))).toBe(false);
    const stale = buildReport(await realReportInputs({ sections: ['images'], dbAgeDays: 10 }));
    expect(stale.methodology.find((m) => m.section === 'images')?.text).toMatch(/10 days old, STALE/);
    expect(stale.summary.highlights).toContainEqual({
      severity: 'medium',
      container: null,
      text: 'The advisory database is 10 days old: vulnerabilities published since are missing.',
    });
    const none = buildReport(await realReportInputs({ sections: ['images'], dbAgeDays: null }));
    expect(none.methodology.find((m) => m.section === 'images')?.text).toMatch(/No advisory database/);
    const img = none.containers[0]?.imageFindings;
    expect(img?.state === 'scanned' ? img.db : 'unscanned').toBeNull();
  });

  it('methodology: kernel versus configuration-only evidence, the eBPF seccomp caveat, demo data', async () => {
    const local = buildReport(await realReportInputs());
    const posture = local.methodology.filter((m) => m.section === 'posture').map((m) => m.text);
    expect(posture[0]).toMatch(/^Kernel evidence: .* \d+ of \d+ verdicts rest on it\./);
    expect(local.methodology.map((m) => m.text).join('\n')).toMatch(
      /raw_syscalls:sys_enter.*fires after seccomp has decided, so calls the seccomp filter rejected are not counted/,
    );
    const remote = buildReport(await realReportInputs({ kind: 'remote' }));
    expect(remote.methodology.find((m) => m.section === 'posture')?.text).toMatch(/^Configuration only:/);
    const demo = buildReport(await realReportInputs({ kind: 'demo' }));
    expect(demo.source.kind).toBe('demo');
    expect(demo.methodology[0]?.text).toMatch(/^DEMO DATA: /);
  });

  it('states what was unavailable instead of leaving it out', async () => {
    const inputs = await realReportInputs();
    const r = buildReport({
      ...inputs,
      engine: null,
      engineUnreachable: 'connect ECONNREFUSED /var/run/docker.sock',
      enginePosture: { state: 'unavailable', reason: 'the engine did not answer' },
      containers: inputs.containers.map((c) => ({
        ...c,
        imageScan: { state: 'unavailable', reason: 'the image could not be scanned: gone' },
      })),
      runtime: inputs.runtime === null ? null : { ...inputs.runtime, counts: null },
    });
    expect(r.host.engine).toBeNull();
    expect(r.summary.hostScore).toBeNull();
    expect(r.methodology[0]?.text).toMatch(/No Docker engine answered .*ECONNREFUSED/);
    expect(r.containers[0]?.imageFindings).toEqual({
      state: 'unavailable',
      reason: 'the image could not be scanned: gone',
    });
    expect(r.containers[0]?.syscalls?.state).toBe('unavailable');
    expect(r.summary.vulnerabilities.high).toBe(0);
  });

  it('sameContainer joins a source id (12 digits) and an engine id by prefix, never shorter ids', () => {
    const full = 'a'.repeat(12) + 'b'.repeat(52);
    expect(sameContainer('a'.repeat(12), full)).toBe(true);
    expect(sameContainer(full, full)).toBe(true);
    expect(sameContainer('a'.repeat(11), full)).toBe(false);
    expect(sameContainer('b'.repeat(12), full)).toBe(false);
  });

  it('uses no clock: a different generatedAt is the only difference it makes', async () => {
    const inputs = await realReportInputs();
    const later = buildReport({ ...inputs, generatedAt: (NOW + 1000) as EpochMillis });
    const now = buildReport(inputs);
    expect({ ...later, generatedAt: now.generatedAt, methodology: now.methodology }).toEqual(now);
  });
});
