import type { AdvisorySeverity } from '../advisories/severity.js';
import type { Severity } from '../posture/model.js';
import type { Report } from './model.js';

/**
 * `bulkhead report --fail-on high|critical`: whether a report should fail a CI job (exit 3), and why.
 *
 * The rule, at threshold T (high: critical and high count; critical: critical only):
 * - a posture check of the host or of a selected container with status `fail` and severity at or above T
 *   (warnings never fail);
 * - a vulnerability at or above T in a selected container's image (an advisory severity; `unknown` and
 *   `negligible` never count);
 * - an alert at or above T on a selected container: a built-in syscall alert in the report window, or an
 *   alert of the anomaly timeline (built-in or imported Falco). An anomalous BoSC state alone does not fail
 *   the job: it is a statistical signal to look at, not a finding.
 *
 * Sections not in the report are not judged (a report without `images` cannot fail on a CVE).
 */

/** The thresholds `--fail-on` accepts. */
export const REPORT_FAIL_ON = ['high', 'critical'] as const;
export type ReportFailOn = (typeof REPORT_FAIL_ON)[number];

const COUNTED: Readonly<Record<ReportFailOn, readonly Severity[]>> = {
  critical: ['critical'],
  high: ['critical', 'high'],
};

/** One sentence per reason the report fails at `threshold`, host first, then containers by name; empty: it passes. */
export function failOnReasons(report: Report, threshold: ReportFailOn): string[] {
  const counts = new Set<string>(COUNTED[threshold]);
  const reasons: string[] = [];
  const p = report.host.posture;
  if (p.state === 'assessed')
    for (const f of p.findings)
      if (f.status === 'fail' && counts.has(f.severity))
        reasons.push(`host: ${f.severity} check failed: ${f.title} (${f.ruleId})`);
  for (const c of report.containers) {
    const who = c.name !== '' ? c.name : c.id.slice(0, 12);
    if (c.posture?.state === 'assessed')
      for (const f of c.posture.findings)
        if (f.status === 'fail' && counts.has(f.severity))
          reasons.push(`${who}: ${f.severity} check failed: ${f.title} (${f.ruleId})`);
    const img = c.imageFindings;
    if (img?.state === 'scanned') {
      const n = [...counts].reduce((sum, s) => sum + (img.severityCounts[s as AdvisorySeverity] ?? 0), 0);
      if (n > 0)
        reasons.push(
          `${who}: ${n} ${threshold === 'critical' ? 'critical' : 'critical or high'} vulnerabilit${n === 1 ? 'y' : 'ies'} in ${img.refs[0] ?? img.imageId}`,
        );
    }
    if (c.syscalls?.state === 'observed')
      for (const a of c.syscalls.alerts)
        if (counts.has(a.severity)) reasons.push(`${who}: ${a.severity} syscall alert: ${a.title}`);
    if (c.anomalies?.state === 'monitored')
      for (const a of c.anomalies.alerts)
        if (counts.has(a.severity))
          reasons.push(`${who}: ${a.severity} ${a.source === 'falco' ? 'Falco ' : ''}alert: ${a.title}`);
  }
  return reasons;
}
