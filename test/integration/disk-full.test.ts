import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OsvStore } from '../../electron/adapters/advisories/osv-store.js';
import { writeTextAtomic } from '../../electron/adapters/atomic-write.js';
import { BulkheadError } from '../../shared/ipc/result.js';
import { osvFile } from '../unit/packages/data.js';

// A real full filesystem: a 64 KiB tmpfs mounted for this file (root only). A database or file already on
// it must survive a write that runs out of space, byte for byte, with a clear `disk-full` error and no
// temporary file left behind.

const ROOT_ONLY = process.getuid?.() === 0;
const SKIP_REASON = 'mounting a tmpfs needs root; the disk-full tests are skipped';
if (!ROOT_ONLY) console.warn(SKIP_REASON);

let work: string;
let mnt: string;
let mounted = false;

beforeAll(() => {
  if (!ROOT_ONLY) return;
  work = mkdtempSync(join(tmpdir(), 'bh-diskfull-'));
  mnt = join(work, 'mnt');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mnt]);
  mounted = true;
});

afterAll(() => {
  if (mounted) execFileSync('umount', [mnt]);
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** Every file under `dir` (relative path → bytes). */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

async function failure(p: Promise<unknown>): Promise<BulkheadError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BulkheadError) return e;
    throw e;
  }
  throw new Error('the write did not fail');
}

describe.skipIf(!ROOT_ONLY)('a full disk (64 KiB tmpfs)', () => {
  it('an advisory import that runs out of space: disk-full, the previous database byte-identical, no temporaries', async () => {
    const dir = join(mnt, 'advisories');
    const store = new OsvStore({ dir, now: () => Date.parse('2026-12-03T12:00:00Z') });
    await store.importFrom(osvFile('DSA-3029-1.json'));
    const before = snapshot(dir);
    expect([...before.keys()].some((k) => k.endsWith('.jsonl'))).toBe(true);
    expect(before.has('meta.json')).toBe(true);

    // 400 distinct Debian advisories (~500 KiB as stored), far more than the filesystem holds.
    const big = join(work, 'big');
    mkdirSync(big);
    const template = JSON.parse(readFileSync(osvFile('DLA-3008-1.json'), 'utf8')) as Record<string, unknown>;
    for (let i = 0; i < 400; i++) {
      const record = { ...template, id: `DLA-9${String(i).padStart(4, '0')}-1`, details: 'x'.repeat(1000) };
      writeFileSync(join(big, `DLA-9${String(i).padStart(4, '0')}-1.json`), JSON.stringify(record));
    }

    const e = await failure(store.importFrom(big));
    expect(e.code).toBe('disk-full');
    expect(e.message).toMatch(/ENOSPC/);
    expect(e.message).toMatch(/disk .*is full/);
    expect(e.message).toContain('nothing was changed');

    // The store as it was: same files, same bytes; no temporary, no lock.
    const after = snapshot(dir);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, bytes] of before) expect(after.get(name)?.equals(bytes), name).toBe(true);
    // And still usable: the old advisory is found.
    expect((await store.recordsFor('Debian:7', 'nginx')).map((r) => r.id)).toEqual(['DSA-3029-1']);
  });

  it('a big report over an existing one: disk-full naming ENOSPC, the old file byte-identical, no temporary', async () => {
    const dir = join(mnt, 'reports');
    mkdirSync(dir);
    const target = join(dir, 'report.json');
    await writeTextAtomic(target, '{"previous":true}\n');
    const before = readFileSync(target);

    const e = await failure(writeTextAtomic(target, 'y'.repeat(512 * 1024)));
    expect(e.code).toBe('disk-full');
    expect(e.message).toContain(target);
    expect(e.message).toMatch(/ENOSPC, no space left on device/);
    expect(e.message).toContain('the previous file is unchanged');
    expect(readFileSync(target).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['report.json']);

    // Space is back once the failed write cleaned up: a small replacement goes through.
    await writeTextAtomic(target, '{"next":true}\n');
    expect(readFileSync(target, 'utf8')).toBe('{"next":true}\n');
  });
});
