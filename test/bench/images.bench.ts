import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** Peak resident memory (VmHWM) of a short-lived process, sampled from /proc every 5 ms until it exits. */
async function peakRssOfChild(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peakKb = 0;
  const sample = (): void => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8'));
      if (m !== null) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // The process has exited between two samples.
    }
  };
  const timer = setInterval(sample, 5);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${String(code)}: ${stderr.slice(-500)}`);
  return peakKb * 1024;
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

    // Memory of a scan on its own: the CLI in a fresh process (this process also holds the other benchmarks),
    // against the same process doing no scan (`bulkhead db status`: Node, the bundle and the advisory store).
    const cli = join(import.meta.dirname, '../../dist/cli.cjs');
    const childEnv = { ...process.env, ...env };
    const floor = await peakRssOfChild([cli, 'db', 'status'], childEnv);
    const peaks: number[] = [];
    for (let i = 0; i < 3; i++) {
      const out = join(dataDir, `scan-${i}.json`);
      peaks.push(
        await peakRssOfChild(
          [cli, 'image', 'scan', IMAGE, '--force', '--format', 'json', '--out', out],
          childEnv,
        ),
      );
    }
    const peak1 = median(peaks);
    log(
      `  memory of a cold scan in a fresh process (bulkhead image scan, peak VmHWM, median of 3): ${mb(peak1)}; the same CLI without a scan: ${mb(floor)}; ratio ${(peak1 / floor).toFixed(2)}×  (target < 200 MB): ${peak1 < 200 * 1024 * 1024 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await core.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
