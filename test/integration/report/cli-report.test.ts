import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Report } from '../../../shared/domain/report/model.js';
import type { AdvisoryDbSummary } from '../../../shared/domain/images/report.js';
import { reportValidator, schemaErrors } from '../../support/report-schema.js';
import { errorsOf, sarifValidator } from '../../unit/images/schema-validators.js';

// `bulkhead report` as CI would run it: the built CLI (dist/cli.cjs, `npm run build`) against the real
// dockerd, on two real containers with contrasting options, one of them busy so the eBPF source sees it.

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.cjs');
const IMAGE = 'bulkhead-test/busybox:1';
const NAME = `bh-cli-report-${process.pid}`;
const WEAK = `${NAME}-weak`;
const HARD = `${NAME}-hardened`;
const docker = (...args: string[]): string =>
  execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: 'unix:///var/run/docker.sock' },
    timeout: 180_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hasBpftrace = spawnSync('bpftrace', ['--version']).status === 0;

describe('bulkhead report (dist/cli.cjs) on the real engine', () => {
  const ids: string[] = [];
  let dir: string;

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'bh-report-it-'));
    const common = ['run', '-d', '--label', 'bulkhead.test=1'];
    ids.push(
      docker(
        ...common,
        '--name',
        WEAK,
        '--cap-add',
        'ALL',
        '--cap-drop',
        'SYS_RESOURCE',
        '--security-opt',
        'seccomp=unconfined',
        IMAGE,
        'sh',
        '-c',
        'while true; do dd if=/dev/zero of=/dev/null bs=1 count=1000 2>/dev/null; done',
      ),
    );
    ids.push(
      docker(
        ...common,
        '--name',
        HARD,
        '--read-only',
        '--cap-drop',
        'ALL',
        '--security-opt',
        'no-new-privileges',
        '--user',
        '1000:1000',
        '--memory',
        '64m',
        '--pids-limit',
        '50',
        '--cpus',
        '0.5',
        IMAGE,
        'sleep',
        '3600',
      ),
    );
  }, 60_000);

  afterAll(() => {
    if (ids.length > 0) docker('rm', '-f', ...ids);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('JSON: validates against its schema; names, scores, engine version and DB age are the real ones', () => {
    const out = join(dir, 'report.json');
    const r = cli('report', '--format', 'json', '--out', out, '--containers', `${WEAK},${HARD}`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(
      new RegExp(`^wrote ${out} \\(json, \\d+ bytes\\): 2 containers, host \\d+/100$`),
    );
    expect(r.stderr).toMatch(/^report: gathering posture/m);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    const validate = reportValidator();
    expect(validate(report), schemaErrors(validate)).toBe(true);

    expect(report.containers.map((c) => [c.name, c.id])).toEqual([
      [HARD, ids[1]],
      [WEAK, ids[0]],
    ]);
    expect(report.source).toEqual({ kind: 'live' });
    expect(report.host.engine?.version).toBe(docker('version', '--format', '{{.Server.Version}}'));
    const [hard, weak] = report.containers;
    if (hard?.posture?.state !== 'assessed' || weak?.posture?.state !== 'assessed')
      throw new Error('not assessed');
    expect(hard.posture.evidenceKind).toBe('kernel');
    expect(weak.posture.score.grade).toBe('F');
    expect(hard.posture.score.value).toBeGreaterThan(weak.posture.score.value + 40);
    expect(weak.posture.findings.find((f) => f.ruleId === 'cap-add-all')).toMatchObject({ status: 'fail' });
    expect(weak.posture.findings.find((f) => f.ruleId === 'seccomp')).toMatchObject({
      status: 'fail',
      evidenceKind: 'kernel',
    });
    expect(report.summary.rows.map((row) => [row.name, row.score])).toEqual([
      [HARD, hard.posture.score.value],
      [WEAK, weak.posture.score.value],
    ]);
    expect(report.summary.highlights[0]).toMatchObject({ severity: 'critical', container: WEAK });

    // The advisory DB as `db status` reports it: present in the image section exactly when imported.
    const db = cli('db', 'status', '--json');
    expect(db.status, db.stderr).toBe(0);
    const status = JSON.parse(db.stdout) as AdvisoryDbSummary | null;
    const img = hard.imageFindings;
    if (img?.state !== 'scanned') throw new Error(JSON.stringify(img));
    expect('db' in img).toBe(true);
    if (status === null) {
      expect(img.db).toBeNull();
      expect(report.methodology.find((m) => m.section === 'images')?.text).toMatch(/No advisory database/);
    } else {
      expect(img.db?.source).toBe(status.source);
      expect(img.db?.importedAt).toBe(status.importedAt);
      expect(report.methodology.find((m) => m.section === 'images')?.text).toContain(status.source);
    }
    // No syscall source was asked for.
    expect(weak.syscalls).toEqual({
      state: 'unavailable',
      reason: 'not observed: no syscall source was running',
    });
  });

  it("SARIF: validates against 2.1.0, with the weak container's failed checks as errors", () => {
    const out = join(dir, 'report.sarif');
    const r = cli(
      'report',
      '--format',
      'sarif',
      '--out',
      out,
      '--containers',
      `${WEAK},${HARD}`,
      '--sections',
      'posture',
    );
    expect(r.status, r.stderr).toBe(0);
    const log = JSON.parse(readFileSync(out, 'utf8')) as {
      runs: {
        results: { ruleId: string; level: string; locations: { logicalLocations: { name: string }[] }[] }[];
      }[];
    };
    const validate = sarifValidator();
    expect(validate(log), errorsOf(validate)).toBe(true);
    const weak = log.runs[0]?.results.filter((x) => x.locations[0]?.logicalLocations[0]?.name === WEAK) ?? [];
    expect(weak.find((x) => x.ruleId === 'cap-add-all')?.level).toBe('error');
    expect(weak.find((x) => x.ruleId === 'seccomp')?.level).toBe('error');
  });

  it('--fail-on: exit 3 for the weak container (after writing), 0 for the hardened one alone', () => {
    const out = join(dir, 'fail.json');
    const weak = cli(
      'report',
      '--format',
      'json',
      '--out',
      out,
      '--containers',
      WEAK,
      '--sections',
      'posture',
      '--fail-on',
      'critical',
    );
    expect(weak.status).toBe(3);
    expect(weak.stderr).toContain(`  ${WEAK}: critical check failed: No --cap-add ALL (cap-add-all)`);
    expect((JSON.parse(readFileSync(out, 'utf8')) as Report).containers[0]?.name).toBe(WEAK);
    const hard = cli(
      'report',
      '--format',
      'json',
      '--out',
      out,
      '--containers',
      HARD,
      '--sections',
      'posture',
      '--fail-on',
      'critical',
    );
    expect(hard.status, hard.stderr).toBe(0);
  });

  it.skipIf(!hasBpftrace)(
    "--source bpf: the busy container's syscalls over the window, and a seccomp profile",
    () => {
      const out = join(dir, 'runtime.json');
      const r = cli(
        'report',
        '--format',
        'json',
        '--out',
        out,
        '--containers',
        `${WEAK},${HARD}`,
        '--sections',
        'syscalls,seccomp',
        '--source',
        'bpf',
        '--duration',
        '4s',
      );
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
      const validate = reportValidator();
      expect(validate(report), schemaErrors(validate)).toBe(true);
      expect(report.runtimeSource).toBe('eBPF (bpftrace), live');
      const weak = report.containers.find((c) => c.name === WEAK);
      if (weak?.syscalls?.state !== 'observed') throw new Error(JSON.stringify(weak?.syscalls));
      // dd copies 1000 single bytes per run, in a loop: read and write dominate, by far.
      const names = weak.syscalls.top.map((t) => t.syscall);
      expect(names.slice(0, 2).sort()).toEqual(['read', 'write']);
      expect(weak.syscalls.total).toBeGreaterThan(1000);
      expect(weak.seccomp?.state).toBe('generated');
      expect(report.window.to - report.window.from).toBeGreaterThanOrEqual(3000);
      expect(report.window.to - report.window.from).toBeLessThanOrEqual(6000);
    },
  );
});
