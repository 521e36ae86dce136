import { readFileSync } from 'node:fs';

import Docker from 'dockerode';
import type { CDPSession } from 'playwright-core';
import { WebSocket } from 'ws';

import { DashboardPage } from '../e2e/pages/dashboard-page.js';
import { startBrowserMode } from '../e2e/support/browser-mode.js';
import { VIEWPORT, launchChromium } from '../e2e/support/chromium.js';

/**
 * Container churn soak (issue #9, load): N containers (default 1,000; BULKHEAD_SOAK_CONTAINERS) created
 * and removed in batches of 10 while browser mode (`node dist/web.cjs`, the real engine on the real
 * dockerd) runs with a Chromium page open on it. Each batch waits until the page shows its cards and then
 * until they are gone, so the engine's event path, its list/inspect/posture work and the renderer's
 * rendering all run once per container.
 *
 * Printed, before and after (each after a garbage collection, after a warm-up batch so first-use
 * allocations are in the baseline): the engine's RSS (/proc/PID/status VmRSS) and JS heap; dockerd's RSS;
 * the renderer's JS heap and DOM node count (CDP Performance.getMetrics after HeapProfiler.collectGarbage);
 * the growth, as a ratio to the baseline, and a verdict.
 *
 * The engine's heap is read over the Node inspector, which this benchmark alone enables
 * (`--inspect=127.0.0.1:0`: loopback, a random port and a random session path); the app opens no new
 * endpoint for it. Containers carry the label bulkhead.soak=1 and are removed whatever happens.
 */

const TOTAL = Number(process.env.BULKHEAD_SOAK_CONTAINERS ?? 1000);
const BATCH = 10;
const IMAGE = 'bulkhead-test/busybox:1';
const LABEL = { 'bulkhead.soak': '1' };

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** VmRSS of a process, in bytes. */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

function dockerdPid(): number {
  const m = /^(\d+)/.exec(readFileSync('/var/run/docker.pid', 'utf8').trim());
  if (m === null) throw new Error('cannot read /var/run/docker.pid');
  return Number(m[1]);
}

/** A minimal Chrome DevTools Protocol client over the Node inspector's WebSocket. */
async function inspector(url: string): Promise<{
  send(method: string, params?: object): Promise<Record<string, unknown>>;
  close(): void;
}> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, (r: Record<string, unknown>) => void>();
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString('utf8')) as { id?: number; result?: Record<string, unknown> };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result ?? {});
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

interface Sample {
  readonly engineRss: number;
  readonly engineHeap: number;
  readonly dockerdRss: number;
  readonly rendererHeap: number;
  readonly rendererNodes: number;
}

/** Run the soak and print its figures. */
export async function runSoakBench(log: (line: string) => void): Promise<void> {
  log('');
  log(`soak: ${TOTAL} containers created and removed, ${BATCH} at a time, with browser mode and a page open`);
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const cleanup = async (): Promise<void> => {
    const left = await docker.listContainers({ all: true, filters: { label: ['bulkhead.soak=1'] } });
    await Promise.all(
      left.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
  };
  await cleanup();
  const live = await startBrowserMode({}, { nodeArgs: ['--inspect=127.0.0.1:0'] });
  const browser = await launchChromium();
  let engine: Awaited<ReturnType<typeof inspector>> | undefined;
  try {
    const wsUrl = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+)/.exec(live.output())?.[1];
    if (wsUrl === undefined) throw new Error(`no inspector URL in:\n${live.output()}`);
    engine = await inspector(wsUrl);
    const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    const cdp: CDPSession = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const dashboard = new DashboardPage(page);
    if ((await dashboard.open(live.url)) !== 200) throw new Error('the dashboard did not load');
    const dockerd = dockerdPid();

    const sample = async (): Promise<Sample> => {
      await engine!.send('HeapProfiler.collectGarbage');
      const heap = (await engine!.send('Runtime.getHeapUsage')) as { usedSize: number };
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
      return {
        engineRss: rssOf(live.pid),
        engineHeap: heap.usedSize,
        dockerdRss: rssOf(dockerd),
        rendererHeap: metric('JSHeapUsedSize'),
        rendererNodes: metric('Nodes'),
      };
    };

    let made = 0;
    const batch = async (n: number): Promise<void> => {
      const names = Array.from({ length: n }, () => `bh-soak-${process.pid}-${made++}`);
      const created = await Promise.all(
        names.map((name) => docker.createContainer({ Image: IMAGE, name, Labels: LABEL, Cmd: ['true'] })),
      );
      for (const name of names) await dashboard.waitForCard(name, 30_000);
      await Promise.all(created.map((c) => c.remove({ force: true })));
      for (const name of names) await dashboard.waitForNoCard(name, 30_000);
    };

    await batch(BATCH); // warm-up: first-use allocations belong in the baseline
    const before = await sample();
    // Checkpoints at each quarter: growth that continues through the second half is a trend (a leak), a
    // step in the first quarter that stays is a one-off (caches, compiled code).
    const checkpoints: { done: number; engineHeap: number; rendererHeap: number }[] = [
      { done: 0, engineHeap: before.engineHeap, rendererHeap: before.rendererHeap },
    ];
    const quarter = Math.max(BATCH, Math.round(TOTAL / 4 / BATCH) * BATCH);
    const t0 = Date.now();
    for (let done = 0; done < TOTAL; done += BATCH) {
      await batch(Math.min(BATCH, TOTAL - done));
      const now = Math.min(TOTAL, done + BATCH);
      if (now % quarter === 0 && now < TOTAL) {
        const c = await sample();
        checkpoints.push({ done: now, engineHeap: c.engineHeap, rendererHeap: c.rendererHeap });
      }
      if ((done / BATCH) % 20 === 19)
        log(`    … ${done + BATCH} containers in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    const seconds = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 2000)); // let debounced re-fetches settle
    const after = await sample();
    checkpoints.push({ done: TOTAL, engineHeap: after.engineHeap, rendererHeap: after.rendererHeap });

    const row = (what: string, b: number, a: number, unit: (x: number) => string): void => {
      const ratio = a / b;
      log(
        `    ${what.padEnd(24)} before ${unit(b).padStart(10)}   after ${unit(a).padStart(10)}   growth ${unit(a - b).padStart(10)} (${ratio.toFixed(3)}×)`,
      );
    };
    log(`    ${TOTAL} containers through the dashboard in ${seconds.toFixed(0)} s`);
    row('engine RSS', before.engineRss, after.engineRss, mib);
    row('engine JS heap', before.engineHeap, after.engineHeap, mib);
    row('dockerd RSS', before.dockerdRss, after.dockerdRss, mib);
    row('renderer JS heap', before.rendererHeap, after.rendererHeap, mib);
    row('renderer DOM nodes', before.rendererNodes, after.rendererNodes, (x) => x.toFixed(0));
    log(
      `    heap at each quarter (after GC)   engine ${checkpoints.map((c) => `${c.done}: ${mib(c.engineHeap)}`).join(', ')}`,
    );
    log(
      `                                      renderer ${checkpoints.map((c) => `${c.done}: ${mib(c.rendererHeap)}`).join(', ')}`,
    );
    const mid = checkpoints[Math.floor(checkpoints.length / 2)]!;
    const perContainerLate = (x: 'engineHeap' | 'rendererHeap'): number =>
      TOTAL === mid.done ? 0 : (after[x] - mid[x]) / (TOTAL - mid.done);
    log(
      `    second-half slope   engine ${perContainerLate('engineHeap').toFixed(0)} B/container, renderer ${perContainerLate('rendererHeap').toFixed(0)} B/container (from ${mid.done} to ${TOTAL})`,
    );
    // Growth that scales with the containers would be ≥ some bytes per container; allow 5 % or 2 MiB of noise.
    const flat = (b: number, a: number): boolean => a - b < Math.max(2 * 1024 * 1024, 0.05 * b);
    const engineOk = flat(before.engineHeap, after.engineHeap);
    const rendererOk =
      flat(before.rendererHeap, after.rendererHeap) && after.rendererNodes <= before.rendererNodes * 1.05;
    log(
      `    verdict  engine heap ${engineOk ? 'flat' : 'GREW'}; renderer heap and DOM ${rendererOk ? 'flat' : 'GREW'} (per container: engine ${((after.engineHeap - before.engineHeap) / TOTAL).toFixed(0)} B, renderer ${((after.rendererHeap - before.rendererHeap) / TOTAL).toFixed(0)} B)`,
    );
  } finally {
    engine?.close();
    await browser.close().catch(() => undefined);
    await live.stop().catch(() => undefined);
    await cleanup();
  }
}
