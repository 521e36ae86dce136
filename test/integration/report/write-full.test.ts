import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createReportFiles } from '../../../electron/adapters/files/report-files.js';

// A full disk, for real: a 16 KiB tmpfs mounted here (as root, like CI runs), and /dev/full. An export that
// does not fit must fail with a clear error naming ENOSPC and leave the report already there untouched.

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.cjs');
const NO_ENGINE = 'unix:///nonexistent/bulkhead-report-test.sock';

describe('writing a report to a full disk', () => {
  let dir: string;
  let mounted = false;

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'bh-report-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir]);
    mounted = true;
  });

  afterAll(() => {
    if (mounted) execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the CLI: exit 1 with ENOSPC named; the previous report is unchanged; no temporary file is left', () => {
    const out = join(dir, 'report.json');
    writeFileSync(out, 'the previous report\n');
    const r = spawnSync(
      process.execPath,
      // The embedded demo scenario (no engine at that socket): six containers' posture, ~240 KiB of JSON.
      [CLI, 'report', '--format', 'json', '--out', out, '--sections', 'posture', '--demo'],
      { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: NO_ENGINE }, timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(
        `^bulkhead: cannot write ${out}: the disk is full \\(ENOSPC, no space left on device\\); the previous file is unchanged \\[disk-full\\]$`,
      ),
    );
    expect(readFileSync(out, 'utf8')).toBe('the previous report\n');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('the file port: the same failure as data, and a small report still fits afterwards', async () => {
    const files = createReportFiles();
    const out = join(dir, 'report.json');
    await expect(files.write(out, new Uint8Array(64 * 1024))).rejects.toMatchObject({
      code: 'disk-full',
      message: expect.stringContaining('ENOSPC') as unknown,
    });
    expect(readFileSync(out, 'utf8')).toBe('the previous report\n');
    expect(await files.write(out, new TextEncoder().encode('{}\n'))).toBe(out);
    expect(readFileSync(out, 'utf8')).toBe('{}\n');
  });

  it('/dev/full and other non-regular targets are refused, never replaced', async () => {
    const files = createReportFiles();
    await expect(files.write('/dev/full', new TextEncoder().encode('x'))).rejects.toMatchObject({
      code: 'bad-request',
    });
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
    const r = spawnSync(
      process.execPath,
      [CLI, 'report', '--format', 'json', '--out', '/dev/full', '--sections', 'posture', '--demo'],
      {
        encoding: 'utf8',
        env: { ...process.env, DOCKER_HOST: NO_ENGINE },
        timeout: 120_000,
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\/dev\/full exists and is not a regular file .*\[bad-request\]/);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});
