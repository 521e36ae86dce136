import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PostureReport } from '../../../shared/ipc/contract.js';

// The built CLI (dist/cli.cjs, `npm run build`; `npm test` builds first) on real containers of the real
// dockerd: what CI would run.

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.cjs');
const IMAGE = 'bulkhead-test/busybox:1';
const NAME = `bh-cli-posture-${process.pid}`;
const docker = (...args: string[]): string =>
  execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: 'unix:///var/run/docker.sock' },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bulkhead posture (dist/cli.cjs) on the real engine', () => {
  const ids: string[] = [];

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    ids.push(docker('run', '-d', '--label', 'bulkhead.test=1', '--name', `${NAME}-default`, IMAGE));
    ids.push(
      docker(
        'run',
        '-d',
        '--label',
        'bulkhead.test=1',
        '--name',
        `${NAME}-sys-admin`,
        '--cap-add',
        'SYS_ADMIN',
        '--security-opt',
        'seccomp=unconfined',
        IMAGE,
      ),
    );
  }, 60_000);

  afterAll(() => {
    if (ids.length > 0) docker('rm', '-f', ...ids);
  }, 60_000);

  it('--json for one container by name: the report with kernel evidence, exit 0', () => {
    const r = cli('posture', '--json', `${NAME}-default`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as PostureReport;
    expect(report.source).toEqual({ kind: 'live' });
    expect(report.evidenceKind).toBe('kernel');
    expect(report.containers.map((c) => [c.id, c.name])).toEqual([[ids[0], `${NAME}-default`]]);
    const result = report.containers[0]?.result;
    if (result?.state !== 'assessed') throw new Error(JSON.stringify(result));
    expect(result.findings.find((f) => f.ruleId === 'seccomp')).toMatchObject({
      status: 'pass',
      evidenceKind: 'kernel',
    });
    expect(report.engine.state).toBe('assessed');
  });

  it('a container failing a high check exits 3, unless --fail-on critical', () => {
    const short = (ids[1] ?? '').slice(0, 12);
    const r = cli('posture', short);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(new RegExp(`^${NAME}-sys-admin \\(${short}\\)  \\d+/100 F `, 'm'));
    expect(r.stdout).toMatch(
      /^ {2}FAIL high {5}CIS 5\.22 Seccomp filter active: The kernel reports no seccomp filter/m,
    );
    expect(cli('posture', '--fail-on', 'critical', short).status).toBe(0);
  });

  it('an unknown container exits 1 with a clear message', () => {
    const r = cli('posture', `${NAME}-does-not-exist`);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`bulkhead: no such container: "${NAME}-does-not-exist" [not-found]`);
  });
});
