import { describe, expect, it } from 'vitest';

import {
  packagePurl,
  renderExport,
  toCycloneDx,
  toJsonExport,
  toSarif,
} from '../../../shared/domain/images/exports.js';
import type { Package } from '../../../shared/domain/packages/model.js';
import { alpineReport } from './report-fixture.js';
import { cycloneDxValidator, errorsOf, sarifValidator } from './schema-validators.js';

const TOOL = { name: 'Bulkhead', version: '0.1.0' };

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  properties: Record<string, unknown>;
}
interface SarifLog {
  version: string;
  runs: { tool: { driver: { rules: { id: string }[] } }; results: SarifResult[] }[];
}

describe('exports of a report built from real data', () => {
  const report = alpineReport();

  it('has real findings to export (the Alpine 3.18 musl advisory)', () => {
    expect(report.vulnerabilities.map((v) => `${v.package.name} ${v.advisoryId}`)).toContain(
      'musl ALPINE-CVE-2025-26519',
    );
  });

  it('SARIF validates against the 2.1.0 schema', () => {
    const validate = sarifValidator();
    const log = toSarif(report, TOOL);
    expect(validate(log), errorsOf(validate)).toBe(true);
  });

  it('the schema validator is not vacuous: a broken log is refused', () => {
    const validate = sarifValidator();
    const log = toSarif(report, TOOL) as SarifLog;
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
    expect(validate({ ...log, runs: [{ ...log.runs[0], results: [{ level: 'fatal' }] }] })).toBe(false);
  });

  it('SARIF has one result per finding and per failing/warning lint check, with rule metadata and levels', () => {
    const log = toSarif(report, TOOL) as SarifLog;
    const run = log.runs[0];
    if (run === undefined) throw new Error('no run');
    const lintFlagged = report.lint.filter((l) => l.status === 'fail' || l.status === 'warn');
    expect(run.results).toHaveLength(report.vulnerabilities.length + lintFlagged.length);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
    const musl = run.results.find((r) => r.ruleId === 'ALPINE-CVE-2025-26519');
    const finding = report.vulnerabilities.find((v) => v.advisoryId === 'ALPINE-CVE-2025-26519');
    expect(musl?.properties.fixedVersion).toBe(finding?.fixedVersion);
    expect(musl?.level).toBe(
      ['critical', 'high'].includes(finding?.severity.level ?? '')
        ? 'error'
        : finding?.severity.level === 'medium'
          ? 'warning'
          : 'note',
    );
    expect(musl?.message.text).toContain('/data/alpine/all.zip');
    const root = run.results.find((r) => r.ruleId === 'image-secret-env');
    expect(root?.level).toBe('error');
  });

  it('CycloneDX validates against the 1.5 schema (with SPDX and JSF sub-schemas)', () => {
    const validate = cycloneDxValidator();
    const bom = toCycloneDx(report, TOOL);
    expect(validate(bom), errorsOf(validate)).toBe(true);
    expect(
      validate({ ...(bom as object), specVersion: '1.5', components: [{ type: 'nonsense', name: 'x' }] }),
    ).toBe(false);
  });

  it('CycloneDX lists every package as a component with a purl and links vulnerabilities to them', () => {
    const bom = toCycloneDx(report, TOOL) as {
      components: { purl: string; 'bom-ref': string }[];
      vulnerabilities: { id: string; affects: { ref: string }[] }[];
    };
    expect(bom.components).toHaveLength(new Set(report.packages?.map((p) => packagePurl(p, report.os))).size);
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    const musl = bom.vulnerabilities.find((v) => v.id === 'ALPINE-CVE-2025-26519');
    expect(musl?.affects.length).toBeGreaterThan(0);
    for (const v of bom.vulnerabilities) for (const a of v.affects) expect(refs.has(a.ref)).toBe(true);
  });

  it('is deterministic and independent of input order', () => {
    const shuffled = alpineReport({
      vulnerabilities: [...report.vulnerabilities].reverse(),
      packages: [...(report.packages ?? [])].reverse(),
    });
    for (const format of ['json', 'sarif', 'cyclonedx'] as const)
      expect(renderExport(format, shuffled, TOOL)).toBe(renderExport(format, report, TOOL));
    expect(JSON.parse(toJsonExport(report))).toMatchObject({ imageId: report.imageId });
  });
});

describe('purl', () => {
  const pkg = (over: Partial<Package>): Package => ({
    name: 'curl',
    version: '7.88.1-10+deb12u5',
    sourceName: 'curl',
    sourceVersion: '7.88.1-10+deb12u5',
    arch: 'amd64',
    format: 'dpkg',
    ecosystem: 'Debian:12',
    ...over,
  });

  it('follows the purl spec for deb and apk', () => {
    const debian = { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' };
    expect(packagePurl(pkg({}), debian)).toBe(
      'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12',
    );
    expect(
      packagePurl(pkg({ name: 'libssl3', sourceName: 'openssl', version: '1:3.0.11-1~deb12u2' }), debian),
    ).toBe('pkg:deb/debian/libssl3@1%3A3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl');
    expect(
      packagePurl(pkg({ name: 'musl', version: '1.2.4-r0', arch: 'x86_64', format: 'apk' }), {
        id: 'alpine',
        versionId: '3.18.4',
        prettyName: null,
      }),
    ).toBe('pkg:apk/alpine/musl@1.2.4-r0?arch=x86_64&distro=3.18.4');
  });
});
