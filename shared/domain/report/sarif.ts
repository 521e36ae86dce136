import type { AlertRecord } from '../anomaly/alerts.js';
import type { ExportTool } from '../images/exports.js';
import { createSarifRuleTable, imageSarifResults, securitySeverity } from '../images/exports.js';
import type { SarifRuleTable } from '../images/exports.js';
import type { Finding, Severity } from '../posture/model.js';
import type { SyscallAlertHit } from '../syscalls/model.js';
import type { Report, ReportContainer } from './model.js';

/**
 * The SARIF 2.1.0 export of a report, for CI and code-scanning dashboards. One run, tool Bulkhead, with:
 * - posture checks with status `fail` or `warn` (host and containers): rule id = the check's id, its CIS
 *   id, severity, evidence and remediation in the rule and the result's properties;
 * - image vulnerabilities and failing/warning lint checks, once per distinct image (the same results the
 *   image scan's own SARIF export has), located at the image and at every selected container using it;
 * - built-in syscall alerts of the report window (`alert/<rule>`), the anomaly timeline's alerts
 *   (`alert/<rule>` built in, `falco/<rule>` imported) and anomalous BoSC states (`anomaly/bosc`).
 *
 * Locations are logical: the container (kind `resource`, its full id as fully qualified name) or the
 * Docker engine, plus a physical artifact naming it (`containers/<name>`, `engine`), which code-scanning
 * dashboards need to show a result. Pure and deterministic: results come in report order.
 */

type Level = 'error' | 'warning' | 'note';

function levelOf(severity: Severity, status: 'fail' | 'warn' = 'fail'): Level {
  if (status === 'warn') return severity === 'low' || severity === 'info' ? 'note' : 'warning';
  return severity === 'critical' || severity === 'high'
    ? 'error'
    : severity === 'medium'
      ? 'warning'
      : 'note';
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function containerLocation(c: Pick<ReportContainer, 'id' | 'name'>): unknown {
  return {
    physicalLocation: { artifactLocation: { uri: `containers/${encodeURIComponent(c.name || c.id)}` } },
    logicalLocations: [
      { name: c.name || c.id.slice(0, 12), fullyQualifiedName: `container/${c.id}`, kind: 'resource' },
    ],
  };
}

const ENGINE_LOCATION = {
  physicalLocation: { artifactLocation: { uri: 'engine' } },
  logicalLocations: [{ name: 'Docker engine', fullyQualifiedName: 'engine', kind: 'resource' }],
};

function postureResult(
  table: SarifRuleTable,
  f: Finding,
  who: string,
  location: unknown,
  key: string,
): unknown {
  const status = f.status === 'warn' ? 'warn' : 'fail';
  const index = table.add(f.ruleId, {
    name: f.ruleId.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: f.title },
    fullDescription: { text: f.rationale },
    help: { text: `Fix: ${f.remediation.flag} (compose: ${f.remediation.compose})` },
    defaultConfiguration: { level: levelOf(f.severity) },
    properties: {
      tags: ['security', 'posture', ...(f.cisId !== null ? [`CIS-${f.cisId}`] : [])],
      'security-severity': securitySeverity(f.severity, null),
      cisId: f.cisId,
      severity: f.severity,
    },
  });
  const evidence = f.evidence.map((e) => `${e.field} = ${JSON.stringify(e.value)} (${e.source})`);
  return {
    ruleId: f.ruleId,
    ruleIndex: index,
    level: levelOf(f.severity, status),
    message: {
      text: `${who}: ${f.message}${evidence.length > 0 ? ` Evidence: ${evidence.join('; ')}.` : ''}`,
    },
    locations: [location],
    partialFingerprints: { 'bulkheadPosture/v1': `${key}|${f.ruleId}` },
    properties: {
      status: f.status,
      severity: f.severity,
      cisId: f.cisId,
      evidenceKind: f.evidenceKind,
      evidence: f.evidence.map((e) => ({ source: e.source, field: e.field, value: e.value })),
      remediation: { flag: f.remediation.flag, compose: f.remediation.compose },
    },
  };
}

function syscallAlertResult(table: SarifRuleTable, a: SyscallAlertHit, c: ReportContainer): unknown {
  const id = `alert/${a.ruleId}`;
  const index = table.add(id, {
    name: a.ruleId.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: a.title },
    defaultConfiguration: { level: levelOf(a.severity) },
    properties: {
      tags: ['security', 'runtime', 'syscall-alert'],
      'security-severity': securitySeverity(a.severity, null),
    },
  });
  return {
    ruleId: id,
    ruleIndex: index,
    level: levelOf(a.severity),
    message: {
      text: `${c.name}: called ${a.syscall} ${a.total} time${a.total === 1 ? '' : 's'} between ${iso(a.firstSeen * 1000)} and ${iso(a.lastSeen * 1000 + 999)} (${a.title}).`,
    },
    locations: [containerLocation(c)],
    partialFingerprints: { 'bulkheadAlert/v1': `${c.id}|${a.ruleId}|${a.syscall}` },
    properties: {
      severity: a.severity,
      syscall: a.syscall,
      total: a.total,
      firstSeen: iso(a.firstSeen * 1000),
      lastSeen: iso(a.lastSeen * 1000),
    },
  };
}

function alertRecordResult(table: SarifRuleTable, a: AlertRecord, c: ReportContainer): unknown {
  const id = `${a.source === 'falco' ? 'falco' : 'alert'}/${a.ruleId}`;
  const index = table.add(id, {
    name: a.ruleId.replace(/[^A-Za-z0-9]/g, '') || 'alert',
    shortDescription: { text: a.title },
    ...(a.rationale !== null ? { fullDescription: { text: a.rationale } } : {}),
    defaultConfiguration: { level: levelOf(a.severity) },
    properties: {
      tags: ['security', 'runtime', a.source === 'falco' ? 'falco' : 'syscall-alert'],
      'security-severity': securitySeverity(a.severity, null),
    },
  });
  const what = a.detail ?? a.title;
  return {
    ruleId: id,
    ruleIndex: index,
    level: levelOf(a.severity),
    message: {
      text: `${c.name}: ${what} (${a.count} time${a.count === 1 ? '' : 's'}, ${iso(a.firstSeen)} to ${iso(a.lastSeen)}).`,
    },
    locations: [containerLocation(c)],
    partialFingerprints: { 'bulkheadAlert/v1': `${c.id}|${a.key}` },
    properties: {
      source: a.source,
      severity: a.severity,
      count: a.count,
      firstSeen: iso(a.firstSeen),
      lastSeen: iso(a.lastSeen),
      syscalls: a.syscalls.map((s) => ({ name: s.name, count: s.count })),
      processes: [...a.processes],
      tags: [...a.tags],
    },
  };
}

function anomalyResult(table: SarifRuleTable, c: ReportContainer): object | null {
  const an = c.anomalies;
  if (an?.state !== 'monitored' || an.bosc?.phase !== 'anomalous') return null;
  const b = an.bosc;
  const index = table.add('anomaly/bosc', {
    name: 'BoscAnomaly',
    shortDescription: { text: 'Syscall behaviour unlike what was learned (Bag of System Calls)' },
    fullDescription: {
      text: 'The container made syscall sequences its learned database does not hold, in more windows of an epoch than the threshold allows: something it does has changed.',
    },
    defaultConfiguration: { level: 'warning' },
    properties: {
      tags: ['security', 'runtime', 'anomaly'],
      'security-severity': securitySeverity('high', null),
    },
  });
  const hint = b.hint.slice(0, 5).map((h) => h.syscall);
  return {
    ruleId: 'anomaly/bosc',
    ruleIndex: index,
    level: 'warning',
    message: {
      text: `${c.name}: ${b.anomalousEpochs} anomalous epoch${b.anomalousEpochs === 1 ? '' : 's'}${hint.length > 0 ? `; over-represented: ${hint.join(', ')}` : ''}.`,
    },
    locations: [containerLocation(c)],
    partialFingerprints: { 'bulkheadAnomaly/v1': `${c.id}|bosc` },
    properties: {
      anomalousEpochs: b.anomalousEpochs,
      anomalousMismatches: b.anomalousMismatches,
      overRepresented: hint,
    },
  };
}

/** The report as a SARIF 2.1.0 log (an object; see reportSarifText for the file). */
export function toReportSarif(report: Report, tool: ExportTool): unknown {
  const table = createSarifRuleTable();
  const results: unknown[] = [];
  const artifacts: unknown[] = [];
  const hp = report.host.posture;
  if (hp.state === 'assessed')
    for (const f of hp.findings)
      if (f.status === 'fail' || f.status === 'warn')
        results.push(postureResult(table, f, 'Docker engine', ENGINE_LOCATION, 'engine'));
  const imagesDone = new Set<string>();
  for (const c of report.containers) {
    const p = c.posture;
    if (p?.state === 'assessed')
      for (const f of p.findings)
        if (f.status === 'fail' || f.status === 'warn')
          results.push(postureResult(table, f, c.name || c.id.slice(0, 12), containerLocation(c), c.id));
    const img = c.imageFindings;
    if (img?.state === 'scanned' && !imagesDone.has(img.imageId)) {
      imagesDone.add(img.imageId);
      const users = report.containers.filter(
        (o) => o.imageFindings?.state === 'scanned' && o.imageFindings.imageId === img.imageId,
      );
      const name = img.refs[0] ?? img.imageId;
      artifacts.push({ location: { uri: name }, description: { text: `container image ${img.imageId}` } });
      const location = {
        physicalLocation: { artifactLocation: { uri: name, index: artifacts.length - 1 } },
        logicalLocations: [
          { name: img.imageId, kind: 'module' },
          ...users.map((u) => ({
            name: u.name || u.id.slice(0, 12),
            fullyQualifiedName: `container/${u.id}`,
            kind: 'resource',
          })),
        ],
      };
      results.push(
        ...imageSarifResults(
          { imageId: img.imageId, os: null, vulnerabilities: img.vulnerabilities, lint: img.lint },
          location,
          table,
        ),
      );
    }
    if (c.syscalls?.state === 'observed')
      for (const a of c.syscalls.alerts) results.push(syscallAlertResult(table, a, c));
    if (c.anomalies?.state === 'monitored') {
      for (const a of c.anomalies.alerts) results.push(alertRecordResult(table, a, c));
      const r = anomalyResult(table, c);
      if (r !== null) results.push(r);
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            ...(tool.informationUri !== undefined ? { informationUri: tool.informationUri } : {}),
            rules: table.rules,
          },
        },
        ...(artifacts.length > 0 ? { artifacts } : {}),
        results,
        properties: {
          report: report.format,
          formatVersion: report.formatVersion,
          generatedAt: iso(report.generatedAt),
          window: { from: iso(report.window.from), to: iso(report.window.to) },
          source: report.source.kind,
          sections: [...report.sections],
          endpoint: report.host.endpoint,
          engineVersion: report.host.engine?.version ?? null,
          hostScore: report.summary.hostScore,
          containers: report.summary.rows.map((r) => ({
            id: r.id,
            name: r.name,
            score: r.score,
            grade: r.grade,
          })),
          runtimeSource: report.runtimeSource,
        },
      },
    ],
  };
}

/** The SARIF export as file text (pretty, final newline). */
export function reportSarifText(report: Report): string {
  return `${JSON.stringify(toReportSarif(report, { name: report.generator.name, version: report.generator.version }), null, 2)}\n`;
}
