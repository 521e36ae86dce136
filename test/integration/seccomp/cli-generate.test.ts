import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from 'vitest';

import type { SeccompReport } from '../../../shared/domain/seccomp/report.js';
import { ensureTracefs } from '../../support/tracefs.js';

// `bulkhead seccomp generate` (dist/cli.cjs) on a real capture, against an oracle computed here with sysdig
// itself: the syscalls sysdig reports for the container must all be allowed by the profile, and nothing
// else but the runtime's documented set.
const ROOT = process.cwd();
const CLI = join(ROOT, 'dist', 'cli.cjs');
const CAPTURE = resolve(ROOT, '..', 'shared', 'data', 'scap', 'sysdig-inspect_502Error.scap');
const DEFAULT = resolve(ROOT, '..', 'shared', 'data', 'seccomp', 'moby-profiles_seccomp_default.json');
const WEB = 'c78a447010cd';
const work = mkdtempSync(join(tmpdir(), 'bulkhead-seccomp-cli-'));

const run = promisify(execFile);
const created: string[] = [];

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  if (created.length > 0) await run('docker', ['rm', '-f', ...created]).catch(() => undefined);
});

/** The oracle: every enter-event type sysdig reports for the container. */
function sysdigTypes(): Set<string> {
  const out = execFileSync('sysdig', ['-r', CAPTURE, '-p', '*%container.id %evt.type', 'evt.dir=>'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const types = new Set<string>();
  for (const line of out.split('\n')) {
    const [id, type] = line.split(' ');
    if (id === WEB && type !== undefined) types.add(type);
  }
  return types;
}

describe('bulkhead seccomp generate on a real capture', () => {
  it('writes a profile allowing every syscall sysdig saw, plus only the runtime set, and compares with the default', () => {
    const out = join(work, 'web.json');
    const run = spawnSync(
      process.execPath,
      [
        CLI,
        'seccomp',
        'generate',
        '--source',
        `capture:${CAPTURE}`,
        '--container',
        WEB,
        '--out',
        out,
        '--json',
      ],
      { encoding: 'utf8', env: { ...process.env, BULKHEAD_SECCOMP_DEFAULT: DEFAULT } },
    );
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as SeccompReport;
    const profile = JSON.parse(readFileSync(out, 'utf8')) as {
      defaultAction: string;
      defaultErrnoRet: number;
      syscalls: { names: string[]; action: string }[];
    };
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.defaultErrnoRet).toBe(1);
    const allowed = new Set(profile.syscalls.flatMap((s) => (s.action === 'SCMP_ACT_ALLOW' ? s.names : [])));
    const seen = sysdigTypes();
    const syscalls = [...seen].filter((t) => !report.whole.metadata.ignored.includes(t));
    expect(syscalls.length).toBeGreaterThan(5);
    for (const t of syscalls) expect(allowed.has(t), t).toBe(true);
    const extra = [...allowed].filter((n) => !seen.has(n)).sort();
    expect(extra).toEqual([...report.whole.metadata.runtimeAdded].sort());
    expect(report.observedEvents).toBe(1587);
    expect(report.versusDefault.available).toBe(true);
    if (report.versusDefault.available) {
      const r = report.versusDefault.comparison.reduction;
      expect(r.allowed).toBe(allowed.size);
      expect(r.sentence).toBe(
        `this profile allows ${allowed.size} of the ${r.defaultAllowed} syscalls the default allows: −${-(r.reductionPct ?? 0)} %`,
      );
    }
    expect(run.stderr).toContain('split phase');
  });

  it('says when the container was not observed (exit 1), and refuses a bad id (exit 2)', () => {
    const missing = spawnSync(
      process.execPath,
      [CLI, 'seccomp', 'generate', '--source', `capture:${CAPTURE}`, '--container', 'aaaaaaaaaaaa'],
      { encoding: 'utf8' },
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('No syscalls were observed for aaaaaaaaaaaa');
    const bad = spawnSync(
      process.execPath,
      [CLI, 'seccomp', 'generate', '--source', 'bpf', '--container', 'x;rm'],
      {
        encoding: 'utf8',
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('the container must be a name or an id');
  });
});

describe('bulkhead seccomp generate on a live container with a health check (eBPF, real dockerd)', () => {
  it('splits at the health check turning healthy: the start-up-only syscalls are the ones only start-up used', async () => {
    await ensureTracefs();
    // Start-up: mkdir and chmod, then it becomes ready; the steady state only reads a file and sleeps.
    const id = (
      await run('docker', [
        'create',
        '--label',
        'bulkhead.test=1',
        '--health-cmd',
        'test -e /tmp/ready',
        '--health-interval',
        '1s',
        'bulkhead-test/busybox:1',
        'sh',
        '-c',
        'sleep 2; mkdir /tmp/s; chmod 700 /tmp/s; touch /tmp/ready; while true; do cat /tmp/ready >/dev/null; sleep 0.2; done',
      ])
    ).stdout.trim();
    created.push(id);
    const cli = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolvePromise) => {
      execFile(
        process.execPath,
        [CLI, 'seccomp', 'generate', '--source', 'bpf', '--duration', '12s', '--container', id, '--json'],
        { maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          resolvePromise({
            code: error === null ? 0 : ((error as { code?: number }).code ?? 1),
            stdout,
            stderr,
          }),
      );
    });
    // Let the tracer come up before the container starts, so its whole start-up is seen.
    await new Promise((r) => setTimeout(r, 2500));
    await run('docker', ['start', id]);
    const done = await cli;
    expect(done.code, done.stderr).toBe(0);
    const report = JSON.parse(done.stdout) as SeccompReport;
    const phases = report.phases!;
    expect(phases.boundary.kind).toBe('health');
    expect(phases.health?.basis).toMatch(/health check (first )?succeeded at/);
    for (const name of ['mkdir', 'chmod']) {
      expect(phases.startupOnly).toContain(name);
      expect(phases.runningSet).not.toContain(name);
    }
    for (const name of ['read', 'nanosleep']) expect(phases.runningSet).toContain(name);
    expect(phases.running).not.toBeNull();
    const running = JSON.parse(phases.running!.json) as { syscalls: { names: string[] }[] };
    const allowed = new Set(running.syscalls.flatMap((s) => s.names));
    expect(allowed.has('mkdir')).toBe(false);
    expect(phases.reduction?.reductionPct).toBeLessThan(0);
    expect(done.stderr).toContain('split phase (health check turned healthy)');
  }, 40_000);
});
