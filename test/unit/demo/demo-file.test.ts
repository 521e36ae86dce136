import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createDemoFile } from '../../../electron/adapters/demo/demo-file.js';
import { mapInspect } from '../../../electron/adapters/docker/map-inspect.js';
import type { DemoScenario } from '../../../electron/services/ports.js';
import type { EpochMillis } from '../../../shared/domain/ids.js';
import { BulkheadError } from '../../../shared/ipc/result.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'inspect');

/** A scenario built from the recorded inspect documents, as the recorder would write it. */
function scenario(): DemoScenario {
  const containers = readdirSync(FIXTURES).map((f) => {
    const inspect = JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as unknown;
    const mapped = mapInspect(inspect);
    if (!mapped.ok) throw new Error(mapped.message);
    return { summary: mapped.summary, inspect };
  });
  return {
    format: 'bulkhead-demo/1',
    recordedAt: 1_764_000_000_000 as EpochMillis,
    recordedWith: 'test/support/record-inspect.sh',
    engine: {
      id: 'X',
      name: 'host',
      version: '20.10.24+dfsg1',
      apiVersion: '1.41',
      os: 'linux',
      arch: 'amd64',
      kernelVersion: '6.1.0',
      operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
    },
    containers,
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bh-demo-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function loadText(text: string) {
  const path = join(dir, 'scenario.json');
  writeFileSync(path, text);
  return createDemoFile(path).load();
}

async function loadError(text: string): Promise<BulkheadError> {
  try {
    await loadText(text);
  } catch (e) {
    expect(e).toBeInstanceOf(BulkheadError);
    return e as BulkheadError;
  }
  throw new Error('expected load() to throw');
}

describe('createDemoFile', () => {
  it('no file → null', async () => {
    expect(await createDemoFile(join(dir, 'missing.json')).load()).toBeNull();
  });

  it('loads a valid scenario, inspect documents untouched', async () => {
    const s = scenario();
    const loaded = await loadText(JSON.stringify(s));
    expect(loaded).toEqual(s);
    expect(loaded?.containers.length).toBe(6);
  });

  it('not JSON → demo-unavailable naming the file', async () => {
    const e = await loadError('{"format": "bulkhead-demo/1",');
    expect(e.code).toBe('demo-unavailable');
    expect(e.message).toContain(join(dir, 'scenario.json'));
    expect(e.message).toContain('not valid JSON');
  });

  const mutations: [string, (s: Record<string, unknown>) => unknown, RegExp][] = [
    ['another format', (s) => ({ ...s, format: 'bulkhead-demo/2' }), /format/],
    ['a missing engine', (s) => ({ ...s, engine: undefined }), /engine/],
    ['an extra top-level key', (s) => ({ ...s, extra: 1 }), /extra|Unrecognized/i],
    [
      'a short container id',
      (s) => withFirst(s, (c) => ({ ...c, summary: { ...c.summary, id: 'abc123' } })),
      /containers\.0\.summary\.id/,
    ],
    [
      'an unknown state',
      (s) => withFirst(s, (c) => ({ ...c, summary: { ...c.summary, state: 'zombie' } })),
      /containers\.0\.summary\.state/,
    ],
    [
      'an extra summary field',
      (s) => withFirst(s, (c) => ({ ...c, summary: { ...c.summary, secret: 'x' } })),
      /containers\.0\.summary/,
    ],
    [
      'a numeric label',
      (s) => withFirst(s, (c) => ({ ...c, summary: { ...c.summary, labels: { a: 1 } } })),
      /labels/,
    ],
    ['containers not a list', (s) => ({ ...s, containers: {} }), /containers/],
  ];
  it.each(mutations)('refuses %s', async (_label, mutate, where) => {
    const e = await loadError(JSON.stringify(mutate(scenario() as unknown as Record<string, unknown>)));
    expect(e.code).toBe('demo-unavailable');
    expect(e.message).toMatch(/is invalid: /);
    expect(e.message).toMatch(where);
  });

  it('refuses a scenario listing one container twice', async () => {
    const s = scenario();
    const first = s.containers[0];
    if (first === undefined) throw new Error('no fixture');
    const e = await loadError(JSON.stringify({ ...s, containers: [first, first] }));
    expect(e.message).toContain('twice');
  });

  it('an unreadable path (a directory) → demo-unavailable, not null', async () => {
    await expect(createDemoFile(dir).load()).rejects.toThrow(/cannot read demo scenario/);
  });
});

type Entry = { summary: Record<string, unknown> } & Record<string, unknown>;
function withFirst(s: Record<string, unknown>, f: (c: Entry) => Entry): unknown {
  const [first, ...rest] = s.containers as Entry[];
  if (first === undefined) throw new Error('no containers');
  return { ...s, containers: [f(first), ...rest] };
}
