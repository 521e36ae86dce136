import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { createToolProbe } from '../../../electron/adapters/syscalls/tool-probe.js';

const dir = mkdtempSync(join(tmpdir(), 'bulkhead-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tool probe', () => {
  it('finds executables on PATH only (not plain files, not directories), reads the uid and the device node', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(a, 'bpftrace'), '#!/bin/sh\n');
    chmodSync(join(a, 'bpftrace'), 0o644);
    mkdirSync(join(a, 'sysdig'));
    writeFileSync(join(b, 'sysdig'), '#!/bin/sh\n');
    chmodSync(join(b, 'sysdig'), 0o755);
    writeFileSync(join(dir, 'scap0'), '');

    const facts = await createToolProbe({
      path: ['', a, b].join(delimiter),
      euid: 1000,
      scapDevice: join(dir, 'scap0'),
    }).probe();
    // A root process passes access(X_OK) for any file with an x bit; 0644 has none.
    expect(facts).toEqual({
      isRoot: false,
      bpftraceOnPath: false,
      sysdigOnPath: true,
      sysdigDriverPresent: true,
    });

    const none = await createToolProbe({ path: a, euid: 0, scapDevice: join(dir, 'nope') }).probe();
    expect(none).toEqual({
      isRoot: true,
      bpftraceOnPath: false,
      sysdigOnPath: false,
      sysdigDriverPresent: false,
    });
  });
});
