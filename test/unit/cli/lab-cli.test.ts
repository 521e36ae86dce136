import { describe, expect, it } from 'vitest';

import type { LabCliDeps } from '../../../electron/cli/lab.js';
import { labCommand } from '../../../electron/cli/lab.js';
import type { LabRecordOptions } from '../../../electron/cli/lab-record.js';

// `bulkhead lab record`'s command line (the recording itself runs against dockerd and bpftrace: it made
// assets/demo/lab-session.jsonl, which test/unit/demo/lab-session.test.ts checks).

function run(args: string[], record?: LabCliDeps['record']) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: LabCliDeps = {
    usage: 'USAGE',
    openEngine: () => {
      throw new Error('no engine in this test');
    },
    ...(record !== undefined ? { record } : {}),
  };
  return labCommand(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, deps).then((code) => ({
    code,
    out,
    err,
  }));
}

describe('bulkhead lab record', () => {
  it('records into the shipped files by default, logging to stderr without control characters', async () => {
    const seen: LabRecordOptions[] = [];
    const r = await run(['record'], (options, log) => {
      seen.push(options);
      log('attack on bulkhead-lab-weak\u001b[2J');
      return Promise.resolve();
    });
    expect(r.code).toBe(0);
    expect(seen).toEqual([
      {
        out: 'assets/demo/lab-session.jsonl',
        scenario: 'assets/demo/scenario.json',
        pauseMs: 1000,
        quietMs: 5000,
      },
    ]);
    expect(r.err).toEqual(['attack on bulkhead-lab-weak\uFFFD[2J']);
    expect(r.out).toEqual([]);
  });

  it('takes --out, --scenario, --pause and --quiet, and refuses bad usage with exit 2', async () => {
    const seen: LabRecordOptions[] = [];
    const record: LabCliDeps['record'] = (o) => {
      seen.push(o);
      return Promise.resolve();
    };
    expect(
      (
        await run(
          [
            'record',
            '--out',
            '/tmp/s.jsonl',
            '--scenario',
            '/tmp/s.json',
            '--pause',
            '0.5s',
            '--quiet',
            '2s',
          ],
          record,
        )
      ).code,
    ).toBe(0);
    expect(seen[0]).toEqual({ out: '/tmp/s.jsonl', scenario: '/tmp/s.json', pauseMs: 500, quietMs: 2000 });
    expect((await run(['record', '--pause', '2m'], record)).code).toBe(2);
    expect((await run(['record', '--quiet', 'soon'], record)).code).toBe(2);
    expect((await run(['record', 'extra'], record)).code).toBe(2);
    expect((await run(['record', '--bogus'], record)).code).toBe(2);
    expect(seen).toHaveLength(1);
  });

  it('fails with exit 1, saying why, where it is not wired or the recording fails', async () => {
    const none = await run(['record']);
    expect(none.code).toBe(1);
    expect(none.err.join('\n')).toMatch(/lab record is not wired/);
    const failing = await run(['record'], () => Promise.reject(new Error('there is no demo scenario at x')));
    expect(failing.code).toBe(1);
    expect(failing.err.join('\n')).toMatch(/there is no demo scenario at x/);
  });
});
