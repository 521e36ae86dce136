import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import Docker from 'dockerode';

import { createAdvisoryStore, createLocalCore } from '../../electron/composition.js';
import type { ImageScanReport } from '../../shared/domain/images/report.js';
import type { Result } from '../../shared/ipc/result.js';

/**
 * Benchmark: scanning the Debian test image (bulkhead-test/debian:bookworm, ~180 MB) through the app core —
 * cold (`force`: engine export + streaming parse + match + lint, no cache) and cached — against a baseline
 * run in the same process: the bare engine export (`GET /images/{id}/get`, the `docker save` stream) read to
 * its end through dockerode with no processing. Prints medians, the cold/baseline ratio, and the peak RSS
 * sampled while the cold scans run.
 *
 * The advisory store holds the real OSV records of ../shared/data/vuln/osv (a handful; a full osv.dev Debian
 * dump is not available offline here, so the index-load cost of a full dump is not measured).
 */

const SOCKET = '/var/run/docker.sock';
const IMAGE = 'bulkhead-test/debian:bookworm';
const COLD = 5;
const CACHED = 20;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Read the bare export to its end; returns the byte count. */
async function bareExport(docker: Docker, id: string): Promise<number> {
  const stream = (await docker.getImage(id).get()) as unknown as Readable;
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

/** Run the image benchmark; prints its lines. */
export async function runImagesBench(log: (line: string) => void): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bulkhead-images-bench-'));
  const env = { DOCKER_HOST: `unix://${SOCKET}`, BULKHEAD_DATA_DIR: dataDir };
  const core = createLocalCore({ mode: 'cli', env, showDemoWhenDisconnected: false });
  try {
    await createAdvisoryStore(env).importFrom(join(import.meta.dirname, '../../../shared/data/vuln/osv'));
    const docker = new Docker({ socketPath: SOCKET });
    const id = ((await docker.getImage(IMAGE).inspect()) as { Id: string }).Id;
    const scan = async (force: boolean): Promise<ImageScanReport> => {
      const r = (await core.dispatch('images:scan', { image: IMAGE, force })) as Result<ImageScanReport>;
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return r.value;
    };

    // Warm-up: one of each, so the engine's page cache is warm for both sides.
    const bytes = await bareExport(docker, id);
    await scan(true);

    const baseline: number[] = [];
    for (let i = 0; i < COLD; i++) {
      const t = performance.now();
      await bareExport(docker, id);
      baseline.push(performance.now() - t);
    }

    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const cold: number[] = [];
    let packages = 0;
    try {
      for (let i = 0; i < COLD; i++) {
        const t = performance.now();
        const r = await scan(true);
        cold.push(performance.now() - t);
        packages = r.packageDb.packages;
        if (r.cached) throw new Error('a forced scan came from the cache');
      }
    } finally {
      clearInterval(sampler);
    }

    const cached: number[] = [];
    for (let i = 0; i < CACHED; i++) {
      const t = performance.now();
      const r = await scan(false);
      cached.push(performance.now() - t);
      if (!r.cached) throw new Error('a repeated scan was not cached');
    }

    const b = median(baseline);
    const c = median(cold);
    log(`images: ${IMAGE} — export ${mb(bytes)}, ${packages} packages`);
    log(`  baseline (bare engine export read through dockerode, no processing): median ${b.toFixed(0)} ms`);
    log(
      `  cold scan (export + parse + match + lint, force):                   median ${c.toFixed(0)} ms  ratio ${(c / b).toFixed(2)}× baseline  (target < 3000 ms)`,
    );
    log(
      `  cached scan:                                                         median ${median(cached).toFixed(2)} ms`,
    );
    log(
      `  memory: RSS ${mb(rssBefore)} before the cold scans, peak ${mb(peak)} during them (+${mb(peak - rssBefore)}); process maxRSS ${mb(process.resourceUsage().maxRSS * 1024)} (target < 200 MB)`,
    );
  } finally {
    await core.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
