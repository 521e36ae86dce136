import { describe, expect, it } from 'vitest';

import { buildReport } from '../../../shared/domain/report/build.js';
import { failOnReasons } from '../../../shared/domain/report/fail-on.js';
import type { ReportFailOn } from '../../../shared/domain/report/fail-on.js';
import type { Report } from '../../../shared/domain/report/model.js';
import { realReportInputs } from '../../support/report-inputs.js';

async function only(
  suffixes: readonly string[],
  opts: Parameters<typeof realReportInputs>[0] = {},
): Promise<Report> {
  const inputs = await realReportInputs(opts);
  return buildReport({
    ...inputs,
    enginePosture: { state: 'unavailable', reason: 'not judged in this test' },
    containers: inputs.containers.filter((c) => suffixes.some((s) => c.name.endsWith(s))),
  });
}

const fails = (r: Report, t: ReportFailOn): boolean => failOnReasons(r, t).length > 0;

describe('--fail-on', () => {
  it.each([
    // container, sections, fails at high, fails at critical, why
    ['-hardened', ['posture'], false, false, 'nothing failed at high or above'],
    [
      '-sys-admin-unconfined',
      ['posture'],
      true,
      false,
      'high checks failed (capabilities, seccomp), no critical',
    ],
    ['-privileged', ['posture'], true, true, 'a critical check failed'],
    ['-hardened', ['images'], true, false, 'two high vulnerabilities in its image'],
    ['-hardened', ['syscalls', 'anomalies'], false, false, 'no alert on it'],
    ['-cap-add-all', ['syscalls'], true, false, 'high syscall alerts (ptrace, mount, unshare)'],
    ['-cap-add-all', ['anomalies'], true, false, 'high alerts on the anomaly timeline'],
  ] as const)('%s with %j: high %s, critical %s (%s)', async (suffix, sections, high, critical, _why) => {
    const r = await only([suffix], { sections });
    expect(fails(r, 'high')).toBe(high);
    expect(fails(r, 'critical')).toBe(critical);
  });

  it('an anomalous BoSC state alone does not fail, a warning never does', async () => {
    const r = await only(['-cap-add-all'], { sections: ['anomalies'] });
    const c = r.containers[0];
    if (c?.anomalies?.state !== 'monitored') throw new Error('not monitored');
    const withoutAlerts: Report = { ...r, containers: [{ ...c, anomalies: { ...c.anomalies, alerts: [] } }] };
    expect(c.anomalies.bosc?.phase).toBe('anomalous');
    expect(failOnReasons(withoutAlerts, 'high')).toEqual([]);
  });

  it('the host counts, and every reason names where it is', async () => {
    const inputs = await realReportInputs({ sections: ['posture'] });
    const r = buildReport({
      ...inputs,
      containers: inputs.containers.filter((c) => c.name.endsWith('-privileged')),
    });
    const reasons = failOnReasons(r, 'critical');
    expect(reasons).toContain(
      'bulkhead-posture-privileged: critical check failed: Not privileged (privileged)',
    );
    expect(reasons.every((x) => /^(host|bulkhead-posture-privileged): /.test(x))).toBe(true);
  });
});
