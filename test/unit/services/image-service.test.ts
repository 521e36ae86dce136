import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { AdvisoryPort, ImageContents, ImageReadPort } from '../../../electron/services/image-ports.js';
import { createImageService, summariseDb } from '../../../electron/services/image-service.js';
import type { ContainerListing } from '../../../electron/services/ports.js';
import type { AdvisoryDbMeta } from '../../../shared/domain/advisories/store-model.js';
import { STALE_AFTER_MS } from '../../../shared/domain/advisories/store-model.js';
import type { ContainerSummary } from '../../../shared/domain/container.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import type { ImageScanState } from '../../../shared/domain/images/report.js';
import { mapImageConfig } from '../../../shared/domain/packages/image.js';
import { buildInventory } from '../../../shared/domain/packages/inventory.js';
import { BulkheadError } from '../../../shared/ipc/result.js';

// The service with scripted ports: the reader is a fake whose reads the test completes by hand, so
// dedupe, caching, progress throttling and failure states can be observed exactly. The real reader and
// store are covered by the integration test.

const ID_A = `sha256:${'a'.repeat(64)}`;
const ID_B = `sha256:${'b'.repeat(64)}`;
const config = mapImageConfig(
  JSON.parse(
    readFileSync(
      join(import.meta.dirname, '../../fixtures/images/bulkhead-test_debian_bookworm.config.json'),
      'utf8',
    ),
  ) as unknown,
);
const OS_RELEASE =
  'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
const STATUS =
  'Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10+deb12u15\n';

function contents(id: string, files: Record<string, string>): ImageContents {
  return {
    imageId: id,
    repoTags: ['x:1'],
    config,
    files: new Map(),
    specialFiles: [],
    inventory: buildInventory({
      readText: (p) => files[p] ?? null,
      has: (p) => p in files,
      list: () => [],
    }),
    problems: [],
  };
}

interface Pending {
  id: string;
  fresh: boolean;
  onBytes: (n: number) => void;
  resolve: (c: ImageContents) => void;
  reject: (e: unknown) => void;
}

function fakeReader(): ImageReadPort & { pending: Pending[]; inspects: string[] } {
  const pending: Pending[] = [];
  const inspects: string[] = [];
  return {
    pending,
    inspects,
    inspect(ref) {
      inspects.push(ref);
      if (ref === 'gone:1') return Promise.reject(new BulkheadError('not-found', 'no such image: gone:1'));
      return Promise.resolve({ id: ref.startsWith('sha256:') ? ref : ID_A, repoTags: ['x:1'], size: 1000 });
    },
    read(id, { fresh, onBytes }) {
      return new Promise((resolve, reject) => pending.push({ id, fresh, onBytes, resolve, reject }));
    },
  };
}

const META: AdvisoryDbMeta = {
  format: 'bulkhead-osv/1',
  ecosystems: [
    {
      base: 'Debian',
      source: '/dumps/debian/all.zip',
      importedAt: 1_700_000_000_000 as EpochMillis,
      newestModified: null,
      records: 1,
      counts: { 'Debian:12': 1 },
      file: 'Debian.x.jsonl',
    },
  ],
};

const advisories: AdvisoryPort = {
  meta: () => Promise.resolve(META),
  findings: () => Promise.resolve({ findings: [], missing: [] }),
};

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(now: { t: number }, listing: ContainerListing = { containers: [], problems: [] }) {
  const reader = fakeReader();
  const pushes: { imageId: string; state: ImageScanState }[] = [];
  const service = createImageService({
    images: reader,
    advisories,
    engine: { listContainers: () => Promise.resolve(listing) },
    clock: { now: () => now.t as EpochMillis },
    publish: (p) => pushes.push(p),
  });
  return { reader, pushes, service };
}

describe('image service', () => {
  it('dedupes concurrent scans of one image and caches the report by id', async () => {
    const now = { t: 1_700_000_100_000 };
    const { reader, service } = setup(now);
    const one = service.scan('x:1');
    const two = service.scan(ID_A);
    await tick();
    expect(reader.pending).toHaveLength(1);
    reader.pending[0]?.resolve(
      contents(ID_A, { '/etc/os-release': OS_RELEASE, '/var/lib/dpkg/status': STATUS }),
    );
    const [a, b] = await Promise.all([one, two]);
    expect(a).toBe(b);
    expect(a.cached).toBe(false);
    expect(a.packageDb).toEqual({ kind: 'dpkg', packages: 1, skipped: 0, note: null });
    expect(a.ecosystem).toBe('Debian:12');
    expect(a.db?.source).toBe('/dumps/debian/all.zip');
    const again = await service.scan('x:1');
    expect(again.cached).toBe(true);
    expect(again.scannedAt).toBe(a.scannedAt);
    expect(reader.pending).toHaveLength(1);
  });

  it('force rescans, bypassing the reader cache', async () => {
    const now = { t: 1_700_000_100_000 };
    const { reader, service } = setup(now);
    const first = service.scan(ID_A);
    await tick();
    reader.pending[0]?.resolve(contents(ID_A, {}));
    await first;
    const forced = service.scan(ID_A, true);
    await tick();
    expect(reader.pending).toHaveLength(2);
    expect(reader.pending[1]?.fresh).toBe(true);
    reader.pending[1]?.resolve(contents(ID_A, {}));
    expect((await forced).cached).toBe(false);
  });

  it('runs scans one at a time', async () => {
    const now = { t: 0 };
    const { reader, service } = setup(now);
    const a = service.scan(ID_A);
    const b = service.scan(ID_B);
    await tick();
    expect(reader.pending.map((p) => p.id)).toEqual([ID_A]);
    reader.pending[0]?.resolve(contents(ID_A, {}));
    await a;
    await tick();
    expect(reader.pending.map((p) => p.id)).toEqual([ID_A, ID_B]);
    reader.pending[1]?.resolve(contents(ID_B, {}));
    await b;
  });

  it('pushes phase changes always and byte counts at most every 250 ms', async () => {
    const now = { t: 10_000 };
    const { reader, pushes, service } = setup(now);
    const scan = service.scan(ID_A);
    await tick();
    const p = reader.pending[0] as Pending;
    for (let i = 1; i <= 100; i++) {
      now.t += 10; // 100 chunks over one second
      p.onBytes(i * 10);
    }
    p.resolve(contents(ID_A, {}));
    await scan;
    const phases = pushes.map((x) => x.state.phase);
    expect(phases[0]).toBe('queued');
    expect(phases[1]).toBe('exporting');
    const reading = pushes.filter((x) => x.state.phase === 'reading');
    expect(reading.length).toBeGreaterThanOrEqual(3);
    expect(reading.length).toBeLessThanOrEqual(5);
    expect(phases.slice(-2)).toEqual(['matching', 'done']);
    const last = reading.at(-1)?.state;
    expect(last?.phase === 'reading' ? last.totalBytes : null).toBe(1000);
  });

  it('records a failed scan as a failed state with the error code, and does not cache it', async () => {
    const now = { t: 0 };
    const { reader, pushes, service } = setup(now);
    const scan = service.scan(ID_A);
    await tick();
    reader.pending[0]?.reject(
      new BulkheadError('not-found', 'image x:1 was removed while it was being read'),
    );
    await expect(scan).rejects.toThrow('removed while it was being read');
    expect(pushes.at(-1)?.state).toEqual({
      phase: 'failed',
      error: { code: 'not-found', message: 'image x:1 was removed while it was being read' },
    });
    await expect(service.scan('gone:1')).rejects.toThrow('no such image');
    const retry = service.scan(ID_A);
    await tick();
    expect(reader.pending).toHaveLength(2);
    reader.pending[1]?.resolve(contents(ID_A, {}));
    await retry;
  });

  it('status lists each image used by containers once and queues the unscanned ones', async () => {
    const c = (id: string, imageId: string, image: string): ContainerSummary => ({
      id: id.repeat(64) as ContainerId,
      name: id,
      image,
      imageId,
      state: 'running',
      status: '',
      createdAt: 0 as EpochMillis,
      startedAt: null,
      finishedAt: null,
      exitCode: null,
      pid: 1,
      labels: {},
    });
    const now = { t: 0 };
    const { reader, service } = setup(now, {
      containers: [c('1', ID_A, 'x:1'), c('2', ID_A, 'x:1'), c('3', ID_B, ID_B)],
      problems: [],
    });
    const status = await service.status();
    expect(status.map((s) => [s.imageId, s.containers.length, s.state.phase])).toEqual([
      [ID_B, 1, 'queued'],
      [ID_A, 2, 'queued'],
    ]);
    await tick();
    reader.pending[0]?.resolve(contents(reader.pending[0].id, {}));
    await tick();
    await tick();
    reader.pending[1]?.resolve(contents(reader.pending[1].id, {}));
    await service.idle();
    expect(reader.pending).toHaveLength(2);
    const after = await service.status();
    expect(after.map((s) => s.state.phase)).toEqual(['done', 'done']);
    expect(reader.pending).toHaveLength(2);
  });

  it('summarises the database with its age and staleness', () => {
    const at = META.ecosystems[0]?.importedAt as number;
    expect(summariseDb(null, at)).toBeNull();
    expect(summariseDb(META, at + 1000)).toEqual({
      source: '/dumps/debian/all.zip',
      importedAt: at,
      ageMs: 1000,
      stale: false,
      ecosystems: ['Debian:12'],
    });
    expect(summariseDb(META, at + STALE_AFTER_MS + 1)?.stale).toBe(true);
  });
});
