import { describe, expect, it } from 'vitest';

import { buildReport } from '../../../shared/domain/report/build.js';
import { reportSarifText, toReportSarif } from '../../../shared/domain/report/sarif.js';
import { realReportInputs } from '../../support/report-inputs.js';
import { errorsOf, sarifValidator } from '../images/schema-validators.js';

interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { logicalLocations: { name: string; fullyQualifiedName?: string; kind: string }[] }[];
  properties: Record<string, unknown>;
}
interface Log {
  version: string;
  runs: {
    tool: { driver: { rules: { id: string; properties: Record<string, unknown> }[] } };
    results: Result[];
  }[];
}

const TOOL = { name: 'Bulkhead', version: '0.1.0' };

describe('the report as SARIF 2.1.0', () => {
  it('validates against the SARIF 2.1.0 schema, for every kind of report', async () => {
    const validate = sarifValidator();
    for (const inputs of [
      await realReportInputs(),
      await realReportInputs({ kind: 'remote', runtime: false, anomaly: false }),
      await realReportInputs({ sections: ['posture'] }),
    ]) {
      const log = JSON.parse(reportSarifText(buildReport(inputs))) as unknown;
      expect(validate(log), errorsOf(validate)).toBe(true);
    }
  });

  it('the validator is not vacuous: a broken log is refused', async () => {
    const validate = sarifValidator();
    const log = toReportSarif(buildReport(await realReportInputs()), TOOL) as Log;
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
    const run = log.runs[0]!;
    expect(validate({ ...log, runs: [{ ...run, results: [{ ...run.results[0], level: 'fatal' }] }] })).toBe(
      false,
    );
  });

  it('one result per failing or warning posture check (host and containers), none for passes', async () => {
    const report = buildReport(await realReportInputs({ sections: ['posture'] }));
    const log = toReportSarif(report, TOOL) as Log;
    const run = log.runs[0]!;
    const hp = report.host.posture;
    const flagged = [
      ...(hp.state === 'assessed' ? hp.findings : []),
      ...report.containers.flatMap((c) => (c.posture?.state === 'assessed' ? c.posture.findings : [])),
    ].filter((f) => f.status === 'fail' || f.status === 'warn');
    expect(run.results).toHaveLength(flagged.length);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
    const priv = run.results.find(
      (r) =>
        r.ruleId === 'privileged' &&
        r.locations[0]?.logicalLocations[0]?.name === 'bulkhead-posture-privileged',
    );
    expect(priv).toMatchObject({
      level: 'error',
      properties: { status: 'fail', severity: 'critical', cisId: '5.5' },
    });
    expect(priv?.locations[0]?.logicalLocations[0]).toMatchObject({ kind: 'resource' });
    expect(priv?.message.text).toMatch(
      /^bulkhead-posture-privileged: .* Evidence: HostConfig\.Privileged = "true"/,
    );
    const rule = run.tool.driver.rules.find((r) => r.id === 'privileged');
    expect(rule?.properties.tags).toContain('CIS-5.5');
  });

  it('image findings once per distinct image, located at every container using it; runtime alerts too', async () => {
    const report = buildReport(await realReportInputs());
    const run = (toReportSarif(report, TOOL) as Log).runs[0]!;
    const vulns = run.results.filter((r) => r.ruleId === 'ALPINE-CVE-2025-26519');
    const img = report.containers[0]?.imageFindings;
    if (img?.state !== 'scanned') throw new Error('not scanned');
    expect(vulns).toHaveLength(
      img.vulnerabilities.filter((v) => v.advisoryId === 'ALPINE-CVE-2025-26519').length,
    );
    const locs = vulns[0]?.locations[0]?.logicalLocations ?? [];
    expect(locs[0]).toMatchObject({ kind: 'module' });
    expect(locs.filter((l) => l.kind === 'resource')).toHaveLength(report.containers.length);
    const alerts = run.results.filter((r) => r.ruleId.startsWith('alert/'));
    expect(alerts.map((r) => r.ruleId).sort()).toEqual([
      'alert/mount',
      'alert/mount',
      'alert/ptrace',
      'alert/ptrace',
      'alert/unshare',
      'alert/unshare',
    ]);
    expect(run.results.filter((r) => r.ruleId === 'anomaly/bosc')).toHaveLength(1);
  });

  it('is deterministic', async () => {
    const inputs = await realReportInputs();
    expect(reportSarifText(buildReport(inputs))).toBe(reportSarifText(buildReport(inputs)));
  });
});
