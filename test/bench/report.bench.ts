import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';

import {
  CHROMIUM_ARGS,
  DEFAULT_CHROMIUM,
  createChromiumReportRenderer,
} from '../../electron/adapters/report/chromium-renderer.js';
import { createLocalCore } from '../../electron/composition.js';
import type { ContainerId } from '../../shared/domain/ids.js';
import type { Report } from '../../shared/domain/report/model.js';
import { Channels } from '../../shared/ipc/contract.js';

/**
 * Benchmark: the PDF report of 20 real containers, rendered headless (playwright-core + /usr/bin/chromium),
 * against a baseline run in the same process: `page.pdf()` of an empty page in the same kind of browser.
 *
 * The Report is built by the REAL builder through the app core (`report:build`) from 20 running busybox
 * containers with four contrasting option sets, with the runtime sections from a real bpftrace subscription
 * that counted their syscalls for a few seconds (and the images section from the real scan of their image).
 * Timed: the renderer's `render(report, 'pdf')` — laying the document out in the report page and printing it
 * — cold (Chromium started by the render) once, then warm (browser reused) as the median of RUNS, interleaved
 * with the baseline. Target: under 10 s.
 */

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const PAGE = join(ROOT, 'dist', 'renderer', 'report.html');
const SOCKET = '/var/run/docker.sock';
const IMAGE = 'bulkhead-test/busybox:1';
const LABEL = 'bulkhead.bench=1';
const COUNT = 20;
const RUNS = 5;
const WATCH_MS = 6_000;
const TARGET_S = 10;
const LOOP = 'while :; do cat /proc/self/status >/dev/null; ls / >/dev/null; sleep 0.2; done';
const OPTION_SETS: readonly (readonly string[])[] = [
  [],
  [
    '--read-only',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--user',
    '1000:1000',
    '--memory',
    '64m',
  ],
  ['--cap-add', 'SYS_ADMIN', '--security-opt', 'seccomp=unconfined'],
  ['--pids-limit', '50', '--cpus', '0.5'],
];

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
}

async function removeLabelled(): Promise<void> {
  const left = await docker('ps', '-aq', '--filter', `label=${LABEL}`);
  if (left !== '') await docker('rm', '-f', ...left.split('\n'));
}

async function createContainers(): Promise<ContainerId[]> {
  const ids: ContainerId[] = [];
  const queue = Array.from({ length: COUNT }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const options = OPTION_SETS[i % OPTION_SETS.length] ?? [];
        const name = `bh-bench-report-${process.pid}-${String(i).padStart(2, '0')}`;
        const id = await docker(
          'run',
          '-d',
          '--label',
          LABEL,
          '--label',
          'bulkhead.test=1',
          '--name',
          name,
          ...options,
          IMAGE,
          'sh',
          '-c',
          LOOP,
        );
        ids.push(id as ContainerId);
      }
    }),
  );
  return ids;
}

/** Build the report of `ids` through the app core, with a bpftrace subscription's counts when one starts. */
async function buildReport(ids: readonly ContainerId[], log: (line: string) => void): Promise<Report> {
  const core = createLocalCore({
    mode: 'cli',
    env: { DOCKER_HOST: `unix://${SOCKET}` },
    showDemoWhenDisconnected: false,
  });
  core.start();
  try {
    const sub = await core.dispatch(Channels.syscallsSubscribe, { source: { kind: 'bpf' } });
    let syscallsSubId: string | undefined;
    if (sub.ok) {
      syscallsSubId = (sub.value as { subId: string }).subId;
      await sleep(WATCH_MS);
    } else log(`  (no bpftrace subscription: ${sub.error.message}; the runtime sections will say so)`);
    const built = await core.dispatch(Channels.reportBuild, {
      containers: ids,
      ...(syscallsSubId !== undefined ? { syscallsSubId, windowSeconds: 60 } : {}),
    });
    if (!built.ok) throw new Error(`report:build failed: ${built.error.message}`);
    if (syscallsSubId !== undefined)
      await core.dispatch(Channels.syscallsUnsubscribe, { subId: syscallsSubId });
    return built.value as Report;
  } finally {
    await core.dispose();
  }
}

/** Run the report benchmark and print its numbers. */
export async function runReportBench(log: (line: string) => void): Promise<void> {
  log('');
  if (!existsSync(PAGE)) throw new Error(`${PAGE} is missing: run \`npm run build\` first`);
  await removeLabelled();
  log(`report: creating ${COUNT} containers (${IMAGE}, ${OPTION_SETS.length} option sets, label ${LABEL}) …`);
  const ids = await createContainers();
  const renderer = createChromiumReportRenderer({ reportPagePath: PAGE });
  const baselineBrowser = await chromium.launch({
    executablePath: process.env.BULKHEAD_CHROMIUM || DEFAULT_CHROMIUM,
    args: [...CHROMIUM_ARGS],
  });
  try {
    log(`  building the report through report:build (bpftrace for ${WATCH_MS / 1000} s) …`);
    const report = await buildReport(ids, log);
    const observed = report.containers.filter((c) => c.syscalls?.state === 'observed').length;
    if (report.containers.length !== COUNT)
      throw new Error(`the report has ${report.containers.length} containers`);

    const baseline = async (): Promise<number> => {
      const context = await baselineBrowser.newContext();
      const page = await context.newPage();
      await page.setContent('<!doctype html><title>empty</title><p>empty</p>');
      const t0 = performance.now();
      await page.pdf({ format: 'A4' });
      const ms = performance.now() - t0;
      await context.close();
      return ms;
    };

    let t0 = performance.now();
    const first = await renderer.render(report, 'pdf');
    const coldMs = performance.now() - t0;
    await baseline();
    const warm: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      base.push(await baseline());
      t0 = performance.now();
      await renderer.render(report, 'pdf');
      warm.push(performance.now() - t0);
    }
    const w = median(warm);
    const b = median(base);
    log(
      `report: PDF of ${COUNT} real containers (${observed} with syscall counts), ${first.pages ?? '?'} pages, ${(first.bytes.length / 1024 / 1024).toFixed(1)} MB`,
    );
    log(`  baseline (page.pdf() of an empty page, same browser flags): median ${b.toFixed(0)} ms`);
    log(`  cold render (starts Chromium, lays out, prints):            ${(coldMs / 1000).toFixed(2)} s`);
    log(
      `  warm render, median of ${RUNS}:                               ${(w / 1000).toFixed(2)} s  ${(w / b).toFixed(1)}× baseline  target < ${TARGET_S} s: ${w / 1000 < TARGET_S && coldMs / 1000 < TARGET_S ? 'met' : 'NOT met'}`,
    );
  } finally {
    await renderer.dispose?.();
    await baselineBrowser.close().catch(() => undefined);
    await docker('rm', '-f', ...ids).catch(() => undefined);
  }
}
