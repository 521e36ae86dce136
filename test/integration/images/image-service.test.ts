import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLocalCore } from '../../../electron/composition.js';
import type { AppCore } from '../../../electron/services/app-core.js';
import type { ImageScanReport } from '../../../shared/domain/images/report.js';
import type { Result } from '../../../shared/ipc/result.js';
import { cycloneDxValidator, errorsOf, sarifValidator } from '../../unit/images/schema-validators.js';

// The image service end to end on the real engine: the Debian test image (test/support/build-debian-image.sh)
// exported, parsed and matched through the app core, against advisories imported with the real CLI into a
// throwaway data directory; the CLI itself for exports, exit codes and bad input.

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'dist/cli.cjs');
const DEBIAN = 'bulkhead-test/debian:bookworm';
const BUSYBOX = 'bulkhead-test/busybox:1';

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

async function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliRun> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr, ms: Date.now() - started };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '', ms: Date.now() - started };
  }
}

/** What dpkg itself says is installed in the image: name → version, and name → source package. */
interface Installed {
  readonly version: Map<string, string>;
  readonly source: Map<string, { name: string; version: string }>;
}

async function dpkgQuery(image: string): Promise<Installed> {
  const out = await docker(
    'run',
    '--rm',
    '--label',
    'bulkhead.test=1',
    '--entrypoint',
    'dpkg-query',
    image,
    '-W',
    '-f',
    '${Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\t${db:Status-Abbrev}\\n',
  );
  const version = new Map<string, string>();
  const source = new Map<string, { name: string; version: string }>();
  for (const line of out.split('\n')) {
    const [name, v, src, srcV, status] = line.split('\t');
    if (name === undefined || name === '' || v === undefined || status?.trim() !== 'ii') continue;
    version.set(name, v);
    source.set(name, { name: src ?? name, version: srcV ?? v });
  }
  return { version, source };
}

/** An OSV record for a Debian 12 source package with one ECOSYSTEM range. */
function record(id: string, pkg: string, events: Record<string, string>[], ecosystem = 'Debian:12'): string {
  return JSON.stringify({
    id,
    modified: '2026-11-01T00:00:00Z',
    published: '2026-10-01T00:00:00Z',
    summary: `test advisory ${id}`,
    affected: [{ package: { ecosystem, name: pkg }, ranges: [{ type: 'ECOSYSTEM', events }] }],
    references: [{ type: 'ADVISORY', url: `https://example.invalid/${id}` }],
  });
}

let dataDir: string;
let env: NodeJS.ProcessEnv;
let installed: Installed;
let core: AppCore;

beforeAll(async () => {
  await docker('image', 'inspect', DEBIAN);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build:node first`);
  dataDir = mkdtempSync(join(tmpdir(), 'bulkhead-image-service-'));
  env = { ...process.env, BULKHEAD_DATA_DIR: join(dataDir, 'data') };
  installed = await dpkgQuery(DEBIAN);
  const openssl = installed.source.get('openssl');
  const curl = installed.source.get('curl');
  if (openssl === undefined || curl === undefined)
    throw new Error('openssl and curl must be installed in the image');
  // Records straddling the installed source versions: two affect, four do not.
  const dir = join(dataDir, 'osv');
  mkdirSync(dir);
  const records: Record<string, string> = {
    // Affected: fixed just above the installed version.
    'TEST-OPENSSL-AFFECTED': record('TEST-OPENSSL-AFFECTED', 'openssl', [
      { introduced: '0' },
      { fixed: `${openssl.version}+zz1` },
    ]),
    // Affected: last_affected is exactly the installed version.
    'TEST-CURL-AFFECTED': record('TEST-CURL-AFFECTED', 'curl', [
      { introduced: '7.0' },
      { last_affected: curl.version },
    ]),
    // Not affected: fixed in exactly the installed version.
    'TEST-OPENSSL-FIXED': record('TEST-OPENSSL-FIXED', 'openssl', [
      { introduced: '0' },
      { fixed: openssl.version },
    ]),
    // Not affected: introduced after the installed version.
    'TEST-CURL-LATER': record('TEST-CURL-LATER', 'curl', [
      { introduced: `${curl.version}+zz1` },
      { fixed: `${curl.version}+zz9` },
    ]),
    // Not affected: keyed by the binary package name, while Debian advisories name source packages.
    'TEST-LIBSSL3-BINARY': record('TEST-LIBSSL3-BINARY', 'libssl3', [{ introduced: '0' }]),
    // Not affected: another Debian release.
    'TEST-OPENSSL-DEB11': record('TEST-OPENSSL-DEB11', 'openssl', [{ introduced: '0' }], 'Debian:11'),
  };
  for (const [id, text] of Object.entries(records)) writeFileSync(join(dir, `${id}.json`), text);
  const imported = await cli(env, 'db', 'import', dir);
  if (imported.code !== 0) throw new Error(`db import failed: ${imported.stderr}`);
  core = createLocalCore({ mode: 'cli', env });
  core.start();
});

afterAll(async () => {
  await core?.dispose();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  await docker('image', 'rm', '-f', 'bulkhead-test/vanish-queued:1').catch(() => undefined);
});

async function scan(image: string, force = false): Promise<ImageScanReport> {
  const r = (await core.dispatch('images:scan', { image, force })) as Result<ImageScanReport>;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('the Debian image through the image service', () => {
  let report: ImageScanReport;
  beforeAll(async () => {
    report = await scan(DEBIAN, true);
  });

  it('lists exactly the packages and versions dpkg-query reports', () => {
    expect(report.packageDb.kind).toBe('dpkg');
    expect(report.packageDb.packages).toBe(installed.version.size);
    const ours = new Map((report.packages ?? []).map((p) => [p.name, p.version]));
    expect(ours).toEqual(installed.version);
    expect(report.ecosystem).toBe('Debian:12');
  });

  it('reports exactly the packages built from the affected sources, with the DB provenance', () => {
    const expected = [...installed.source.entries()]
      .flatMap(([bin, src]) =>
        src.name === 'openssl'
          ? [`${bin} TEST-OPENSSL-AFFECTED`]
          : src.name === 'curl'
            ? [`${bin} TEST-CURL-AFFECTED`]
            : [],
      )
      .sort();
    expect(expected.length).toBeGreaterThanOrEqual(4); // openssl, libssl3, curl, libcurl4
    expect(report.vulnerabilities.map((v) => `${v.package.name} ${v.advisoryId}`).sort()).toEqual(expected);
    const fixed = report.vulnerabilities.find((v) => v.advisoryId === 'TEST-OPENSSL-AFFECTED');
    expect(fixed?.fixedVersion).toBe(`${installed.source.get('openssl')?.version}+zz1`);
    for (const v of report.vulnerabilities) {
      expect(v.db.source).toBe(join(dataDir, 'osv'));
      expect(v.db.stale).toBe(false);
    }
    expect(report.db?.source).toBe(join(dataDir, 'osv'));
  });

  it('lints it: root, no HEALTHCHECK, the setuid files dpkg installed', () => {
    const status = Object.fromEntries(report.lint.map((l) => [l.id, l.status]));
    expect(status['image-user-root']).toBe('fail');
    expect(status['image-no-healthcheck']).toBe('warn');
    expect(
      report.lint
        .find((l) => l.id === 'image-setuid-files')
        ?.evidence.some((e) => e.startsWith('"/usr/bin/passwd"')),
    ).toBe(true);
    expect(report.ageDays).not.toBeNull();
  });

  it('serves the second scan from the cache', async () => {
    const again = await scan(DEBIAN);
    expect(again.cached).toBe(true);
    expect(again.vulnerabilities).toHaveLength(report.vulnerabilities.length);
  });
});

describe('other images through the service', () => {
  it('busybox: "no package database found", not an error', async () => {
    const r = await scan(BUSYBOX);
    expect(r.packageDb.kind).toBeNull();
    expect(r.packageDb.packages).toBe(0);
    expect(r.packageDb.note).toMatch(/^no package database found/);
    expect(r.vulnerabilities).toEqual([]);
  });

  it('an unknown image is not-found', async () => {
    const r = await core.dispatch('images:scan', { image: 'bulkhead-test/no-such-image:1' });
    expect(r.ok ? null : r.error.code).toBe('not-found');
  });

  it('an image removed while its scan waits in the queue fails with not-found, the engine keeps serving', async () => {
    const tag = 'bulkhead-test/vanish-queued:1';
    await run('sh', [
      '-c',
      `printf 'FROM ${BUSYBOX}\\nLABEL bulkhead.test=1 vanish=${Date.now()}\\n' | DOCKER_BUILDKIT=0 docker build -q -t ${tag} -`,
    ]);
    // The Debian scan must hold the queue before the vanishing image joins it: both scans resolve their
    // image first, and a queued scan of the small image that resolved first would run before the removal.
    let exporting: () => void = () => undefined;
    const holding = new Promise<void>((r) => (exporting = r));
    const stop = core.pushes.subscribe((p) => {
      const state = (p.payload as { state?: { phase?: string } }).state;
      if (p.channel === 'images:progress' && state?.phase === 'exporting') exporting();
    });
    const first = core.dispatch('images:scan', { image: DEBIAN, force: true });
    await holding;
    stop();
    const queued = core.dispatch('images:scan', { image: tag });
    await docker('image', 'rm', '-f', tag);
    const [a, b] = await Promise.all([first, queued]);
    expect(a.ok).toBe(true);
    expect(b.ok ? null : b.error).toMatchObject({ code: 'not-found' });
    expect(b.ok ? '' : b.error.message).toMatch(/was removed before it could be read|no such image/i);
    expect((await scan(BUSYBOX)).cached).toBe(true);
  });

  it('lint finds the deliberate problems of the lint-fixture image in its layers', async () => {
    await run(join(ROOT, 'test/support/build-lint-image.sh'));
    try {
      const r = await scan('bulkhead-test/lint-fixture:1', true);
      const byId = Object.fromEntries(r.lint.map((l) => [l.id, l]));
      expect(byId['image-private-key']?.evidence[0]).toMatch(/^"\/root\/\.ssh\/id_rsa"/);
      expect(byId['image-secret-files']?.evidence[0]).toMatch(/^\.env file "\/opt\/app\/\.env"/);
      expect(
        byId['image-setuid-files']?.evidence.some((e) => e.startsWith('"/opt/app/tool" mode 4755')),
      ).toBe(true);
      expect(byId['image-secret-env']?.status).toBe('fail');
      expect(byId['image-user-root']?.status).toBe('pass');
    } finally {
      await docker('image', 'rm', '-f', 'bulkhead-test/lint-fixture:1');
    }
  });
});

describe('images:status', () => {
  it('lists an image shared by two containers once, scans it once, with progress pushes', async () => {
    const made: string[] = [];
    const pushes: { imageId: string; phase: string }[] = [];
    const unsubscribe = core.pushes.subscribe((p) => {
      if (p.channel === 'images:progress') {
        const payload = p.payload as { imageId: string; state: { phase: string } };
        pushes.push({ imageId: payload.imageId, phase: payload.state.phase });
      }
    });
    try {
      for (let i = 0; i < 2; i++)
        made.push((await docker('create', '--label', 'bulkhead.test=1', DEBIAN)).trim());
      const id = (await docker('image', 'inspect', '--format', '{{.Id}}', DEBIAN)).trim();
      const first = await core.dispatch('images:status', {});
      if (!first.ok) throw new Error(first.error.message);
      const entries = (first.value as { imageId: string; containers: string[] }[]).filter(
        (e) => e.imageId === id,
      );
      expect(entries).toHaveLength(1);
      for (const c of made) expect(entries[0]?.containers).toContain(c);
      // Wait for the queued scans to settle, then the entry is done.
      for (let i = 0; i < 100; i++) {
        const r = await core.dispatch('images:status', {});
        const e = r.ok
          ? (r.value as { imageId: string; state: { phase: string } }[]).find((x) => x.imageId === id)
          : undefined;
        if (e?.state.phase === 'done' || e?.state.phase === 'failed') break;
        await new Promise((res) => setTimeout(res, 200));
      }
      const done = await core.dispatch('images:status', {});
      const entry = done.ok
        ? (done.value as { imageId: string; state: { phase: string } }[]).find((x) => x.imageId === id)
        : undefined;
      expect(entry?.state.phase).toBe('done');
      // This core scanned the Debian image before (cached): no new export was started for it.
      expect(pushes.filter((p) => p.imageId === id && p.phase === 'exporting')).toHaveLength(0);
    } finally {
      unsubscribe();
      if (made.length > 0) await docker('rm', '-f', ...made);
    }
  });

  it('pushes progress while a forced scan exports and reads, at most a few per second', async () => {
    const pushes: { phase: string; at: number }[] = [];
    const unsubscribe = core.pushes.subscribe((p) => {
      if (p.channel === 'images:progress')
        pushes.push({ phase: (p.payload as { state: { phase: string } }).state.phase, at: Date.now() });
    });
    try {
      await scan(DEBIAN, true);
    } finally {
      unsubscribe();
    }
    const phases = pushes.map((p) => p.phase);
    expect(phases[0]).toBe('queued');
    expect(phases).toContain('reading');
    expect(phases.slice(-2)).toEqual(['matching', 'done']);
    const reading = pushes.filter((p) => p.phase === 'reading');
    const span = ((reading.at(-1)?.at ?? 0) - (reading[0]?.at ?? 0)) / 1000;
    expect(reading.length).toBeLessThanOrEqual(Math.ceil(span * 4) + 2);
  });
});

describe('the CLI', () => {
  it('image scan --format sarif validates against SARIF 2.1.0', async () => {
    const r = await cli(env, 'image', 'scan', DEBIAN, '--format', 'sarif');
    expect(r.code, r.stderr).toBe(0);
    const validate = sarifValidator();
    const log = JSON.parse(r.stdout) as { runs: { results: { ruleId: string }[] }[] };
    expect(validate(log), errorsOf(validate)).toBe(true);
    expect(log.runs[0]?.results.filter((x) => x.ruleId.startsWith('TEST-')).length).toBeGreaterThanOrEqual(4);
  });

  it('image scan --format cyclonedx --out writes a valid CycloneDX 1.5 BOM', async () => {
    const out = join(dataDir, 'bom.json');
    const r = await cli(env, 'image', 'scan', DEBIAN, '--format', 'cyclonedx', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const bom = JSON.parse(readFileSync(out, 'utf8')) as { components: unknown[] };
    const validate = cycloneDxValidator();
    expect(validate(bom), errorsOf(validate)).toBe(true);
    expect(bom.components).toHaveLength(installed.version.size);
  });

  it('--fail-on: 3 at or above the threshold, 0 below it', async () => {
    // The image runs as root (a high lint failure) and has no critical finding.
    expect((await cli(env, 'image', 'scan', DEBIAN, '--fail-on', 'high')).code).toBe(3);
    expect((await cli(env, 'image', 'scan', DEBIAN, '--fail-on', 'critical')).code).toBe(0);
    expect((await cli(env, 'image', 'scan', DEBIAN, '--format', 'xml')).code).toBe(2);
  });

  it('db import of a malformed zip or record fails naming the problem, and loses nothing', async () => {
    const bad = join(dataDir, 'all.zip');
    writeFileSync(bad, Buffer.from('PK\u0003\u0004 this is not really a zip'));
    const z = await cli(env, 'db', 'import', bad);
    expect(z.code).toBe(1);
    expect(z.stderr).toMatch(/cannot import .*all\.zip: not a readable zip file/);
    const dir = join(dataDir, 'bad-records');
    mkdirSync(dir);
    writeFileSync(join(dir, 'BAD-1.json'), '{"id":"BAD-1","modified":"yesterday"}');
    const rec = await cli(env, 'db', 'import', dir);
    expect(rec.code).toBe(1);
    expect(rec.stderr).toContain('BAD-1.json: not a valid OSV record: BAD-1: modified: not a timestamp');
    expect(rec.stderr).toContain('--skip-invalid');
    const status = await cli(env, 'db', 'status', '--json');
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as { source: string }).source).toBe(join(dataDir, 'osv'));
    const after = await cli(env, 'image', 'scan', DEBIAN, '--format', 'json');
    expect((JSON.parse(after.stdout) as ImageScanReport).vulnerabilities.length).toBeGreaterThanOrEqual(4);
  });

  it('db update fails fast and explains the offline import when the network is closed', async () => {
    const r = await cli(env, 'db', 'update', '--ecosystem', 'Debian');
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(15_000);
    expect(r.stderr).toMatch(
      /cannot download https:\/\/osv-vulnerabilities\.storage\.googleapis\.com\/Debian\/all\.zip: .+\. To import offline, download .+ and run `bulkhead db import all\.zip`\./,
    );
  });

  it('image import-scan shows a Trivy report', async () => {
    const r = await cli(
      env,
      'image',
      'import-scan',
      join(ROOT, '../shared/data/vuln/scanner-output/trivy_debian-buster.json.golden'),
      '--image',
      DEBIAN,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('trivy');
    expect(r.stdout).toMatch(/reported by both, \d+ by Bulkhead only, 2 by trivy only/);
  });
});
