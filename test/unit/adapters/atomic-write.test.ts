import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { diskWriteError, openAtomicFile, writeTextAtomic } from '../../../electron/adapters/atomic-write.js';
import { BulkheadError } from '../../../shared/ipc/result.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bh-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('atomic writes', () => {
  it('replace a file whole, through a temporary sibling that does not outlive the write', async () => {
    const target = join(dir, 'out.json');
    writeFileSync(target, 'old');
    await writeTextAtomic(target, 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['out.json']);
  });

  it('a streamed file is invisible until commit, and abort leaves the target and the directory as they were', async () => {
    const target = join(dir, 'data.jsonl');
    writeFileSync(target, 'previous\n');
    const f = await openAtomicFile(target);
    for (let i = 0; i < 20_000; i++) await f.write(`line ${i}\n`);
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    await f.abort();
    await f.abort();
    expect(readdirSync(dir)).toEqual(['data.jsonl']);
    expect(readFileSync(target, 'utf8')).toBe('previous\n');

    const g = await openAtomicFile(target);
    for (let i = 0; i < 20_000; i++) await g.write(`line ${i}\n`);
    await g.commit();
    const lines = readFileSync(target, 'utf8').split('\n');
    expect(lines).toHaveLength(20_001);
    expect(lines[19_999]).toBe('line 19999');
    expect(readdirSync(dir)).toEqual(['data.jsonl']);
    await expect(g.write('more')).rejects.toThrow(/after commit/);
  });

  it('a missing directory is reported as it is (ENOENT), with nothing created', async () => {
    await expect(writeTextAtomic(join(dir, 'no', 'such', 'file'), 'x')).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('ENOSPC and EDQUOT become disk-full naming the file; other errors pass through', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const mapped = diskWriteError(enospc, '/data/meta.json');
    expect(mapped).toBeInstanceOf(BulkheadError);
    expect(mapped).toMatchObject({ code: 'disk-full' });
    expect((mapped as Error).message).toBe(
      'cannot write /data/meta.json: the disk is full (ENOSPC, no space left on device); the previous file is unchanged',
    );
    const edquot = Object.assign(new Error('quota'), { code: 'EDQUOT' });
    expect((diskWriteError(edquot, '/x') as Error).message).toContain('EDQUOT, disk quota exceeded');
    const eacces = Object.assign(new Error('EACCES'), { code: 'EACCES' });
    expect(diskWriteError(eacces, '/x')).toBe(eacces);
  });
});
