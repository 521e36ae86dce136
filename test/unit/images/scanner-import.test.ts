import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { compareFindings, parseExternalScan } from '../../../shared/domain/images/scanner-import.js';
import { VULN_DATA } from '../packages/data.js';

// Real Trivy and Grype outputs from ../shared/data/vuln/scanner-output (see its README), read in place.
const DIR = `${VULN_DATA}scanner-output/`;
const text = (name: string): string => readFileSync(`${DIR}${name}`, 'utf8');

/**
 * The distinct (package, version, advisory) triples of a file, counted independently of the parser: by
 * regular expressions over the raw text of each vulnerability object.
 */
function independentCount(name: string): number {
  const raw = text(name);
  const triples = new Set<string>();
  if (name.startsWith('trivy')) {
    // Each vulnerability object starts at its "VulnerabilityID"; its PkgName and InstalledVersion follow.
    for (const chunk of raw.split('"VulnerabilityID":').slice(1)) {
      const id = /^\s*"([^"]+)"/.exec(chunk)?.[1];
      const pkg = /"PkgName":\s*"([^"]+)"/.exec(chunk)?.[1];
      const version = /"InstalledVersion":\s*"([^"]+)"/.exec(chunk)?.[1];
      triples.add(`${pkg}|${version}|${id}`);
    }
  } else {
    const doc = JSON.parse(raw) as {
      matches: { vulnerability: { id: string }; artifact: { name: string; version: string } }[];
    };
    for (let i = 0; i < doc.matches.length; i++) {
      const m = doc.matches[i];
      if (m !== undefined) triples.add(`${m.artifact.name}|${m.artifact.version}|${m.vulnerability.id}`);
    }
  }
  return triples.size;
}

describe('Trivy and Grype JSON import', () => {
  const files = readdirSync(DIR).filter((f) => f.startsWith('trivy') || f.startsWith('grype'));

  it('has the eight samples', () => {
    expect(files).toHaveLength(8);
  });

  for (const name of files) {
    it(`parses ${name} with the independently counted findings`, () => {
      const parsed = parseExternalScan(text(name));
      if (!parsed.ok) throw new Error(parsed.reason);
      expect(parsed.scan.scanner).toBe(name.startsWith('trivy') ? 'trivy' : 'grype');
      expect(parsed.scan.findings.length).toBe(independentCount(name));
      expect(parsed.scan.findings.length).toBeGreaterThan(0);
      for (const f of parsed.scan.findings) {
        expect(f.advisoryId).not.toBe('');
        expect(['critical', 'high', 'medium', 'low', 'negligible', 'unknown']).toContain(f.severity);
      }
    });
  }

  it('reads the details of a Trivy Debian finding and a Grype RHEL finding', () => {
    const trivy = parseExternalScan(text('trivy_debian-buster.json.golden'));
    if (!trivy.ok) throw new Error(trivy.reason);
    expect(trivy.scan.os).toBe('debian 10.1');
    expect(trivy.scan.target).toBe('testdata/fixtures/images/debian-buster.tar.gz');
    const bash = trivy.scan.findings.find((f) => f.package === 'bash' && f.advisoryId === 'CVE-2019-18276');
    expect(bash).toMatchObject({
      installedVersion: '5.0-4',
      fixedVersion: null,
      purl: 'pkg:deb/debian/bash@5.0-4?arch=amd64&distro=debian-10.1',
    });
    const grype = parseExternalScan(text('grype_keycloak-test.json'));
    if (!grype.ok) throw new Error(grype.reason);
    expect(grype.scan.os).toBe('redhat 9.1');
    expect(grype.scan.imageId).toBe(
      'sha256:8cf8fd2be2ded92962d52adff75ad06a4c30f69c66facbdf223364c6c9e33b8c',
    );
    expect(grype.scan.findings.find((f) => f.advisoryId === 'CVE-2020-12413')).toMatchObject({
      package: 'nspr',
      severity: 'low',
      fixedVersion: null,
      packageType: 'rpm',
    });
  });

  it('refuses other JSON with a reason', () => {
    expect(parseExternalScan('{"bomFormat":"CycloneDX"}')).toEqual({
      ok: false,
      reason: 'neither Trivy JSON (SchemaVersion, Results) nor Grype JSON (matches, descriptor)',
    });
    expect(parseExternalScan('not json').ok).toBe(false);
    const broken = parseExternalScan('{"SchemaVersion":2,"Results":[{"Vulnerabilities":[{"PkgName":"x"}]}]}');
    expect(broken.ok ? '' : broken.reason).toContain('Results[0].Vulnerabilities[0]');
  });

  it('compares findings by package and advisory, through aliases', () => {
    const trivy = parseExternalScan(text('trivy_debian-buster.json.golden'));
    if (!trivy.ok) throw new Error(trivy.reason);
    const rows = compareFindings(
      [
        {
          package: 'bash',
          version: '5.0-4',
          advisoryId: 'DLA-0000-1',
          aliases: ['CVE-2019-18276'],
          severity: 'low',
        },
        { package: 'zlib', version: '1', advisoryId: 'DSA-1', aliases: [], severity: 'high' },
      ],
      trivy.scan.findings,
    );
    const bash = rows.find((r) => r.package === 'bash');
    expect(bash?.ours?.severity).toBe('low');
    expect(bash?.theirs?.version).toBe('5.0-4');
    expect(rows.find((r) => r.package === 'zlib')?.theirs).toBeNull();
    expect(rows.filter((r) => r.ours === null)).toHaveLength(trivy.scan.findings.length - 1);
  });
});
