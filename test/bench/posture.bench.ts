import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import Docker from 'dockerode';

import { createDockerEngine } from '../../electron/adapters/docker/docker-engine.js';
import { resolveEndpoint } from '../../electron/adapters/docker/endpoint.js';
import { createProcHostEvidence } from '../../electron/adapters/host/host-evidence.js';
import { systemClock } from '../../electron/adapters/system-clock.js';
import { createLocalCore } from '../../electron/composition.js';
import { createEngineMonitor } from '../../electron/services/engine-monitor.js';
import { createPostureService } from '../../electron/services/posture-service.js';
import type { ContainerId } from '../../shared/domain/ids.js';
import type { PostureReport } from '../../shared/ipc/contract.js';

/**
 * Benchmark: the isolation posture of 50 real containers, end to end from the engine, against a baseline
 * run in the same process — the bare engine cost with dockerode: one list and one sequential inspect per
 * container, no evaluation. Printed as medians, containers/s, time for all 50 and the ratio to the baseline.
 *
 * Variants:
 * - `posture:assess` through the app core (dispatcher + zod validation + posture service + real adapters),
 *   as the UI refreshes it: the engine's info/version and the daemon facts are reused for ENGINE_CACHE_MS.
 * - the posture service with that cache off: info, version, the daemon's command line and daemon.json, the
 *   host LSMs are read on every run too.
 */

const run = promisify(execFile);
const SOCKET = '/var/run/docker.sock';
const IMAGE = 'bulkhead-test/busybox:1';
const LABEL = 'bulkhead.bench=1';
const COUNT = 50;
const WARMUP = 3;
const ITERATIONS = 15;

/** One line of the result table. */
export interface BenchLine {
  readonly name: string;
  readonly medianMs: number;
  readonly ratio: number;
}

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
    Array.from({ length: 8 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        ids.push(
          (await docker(
            'run',
            '-d',
            '--label',
            LABEL,
            '--label',
            'bulkhead.test=1',
            '--name',
            `bh-bench-${process.pid}-${i}`,
            IMAGE,
          )) as ContainerId,
        );
      }
    }),
  );
  return ids;
}

function check(report: PostureReport, ids: readonly ContainerId[]): void {
  const assessed = report.containers.filter((c) => c.result.state === 'assessed');
  if (assessed.length !== ids.length || report.evidenceKind !== 'kernel')
    throw new Error(`posture assessed ${assessed.length} of ${ids.length} (${report.evidenceKind})`);
  for (const c of assessed)
    if (c.result.state === 'assessed' && c.result.evidenceKind !== 'kernel')
      throw new Error(`${c.name}: no kernel evidence`);
}

/** Run the posture benchmark; prints its table and returns it. */
export async function runPostureBench(log: (line: string) => void): Promise<BenchLine[]> {
  await removeLabelled();
  log(`posture: creating ${COUNT} containers (${IMAGE}, label ${LABEL}) …`);
  const ids = await createContainers();
  const dockerode = new Docker({ socketPath: SOCKET });
  const core = createLocalCore({
    mode: 'cli',
    env: { DOCKER_HOST: `unix://${SOCKET}` },
    showDemoWhenDisconnected: false,
  });
  const engine = createDockerEngine(
    resolveEndpoint({
      env: { DOCKER_HOST: `unix://${SOCKET}` },
      homeDir: '/nonexistent',
      readFile: () => {
        throw new Error('no docker config is read for an explicit DOCKER_HOST');
      },
      platform: process.platform,
    }),
  );
  const monitor = createEngineMonitor({ engine, clock: systemClock, publish: () => undefined });
  monitor.start();
  const uncached = createPostureService({
    engine,
    host: createProcHostEvidence({ socketPath: SOCKET }),
    monitor,
    demo: { load: () => Promise.resolve(null) },
    clock: systemClock,
    showDemoWhenDisconnected: () => false,
    engineCacheMs: 0,
  });

  const variants: { name: string; run: () => Promise<void> }[] = [
    {
      name: 'baseline: dockerode list + 50 sequential inspects',
      run: async () => {
        const listed = (await dockerode.listContainers({ all: true })) as { Id: string }[];
        const wanted = new Set<string>(ids);
        for (const c of listed) if (wanted.has(c.Id)) await dockerode.getContainer(c.Id).inspect();
      },
    },
    {
      name: 'posture:assess (app core, engine facts cached)',
      run: async () => {
        const r = await core.dispatch('posture:assess', { ids });
        if (!r.ok) throw new Error(r.error.message);
        check(r.value as PostureReport, ids);
      },
    },
    {
      name: 'posture service, engine facts read every run',
      run: async () => check(await uncached.assess(ids), ids),
    },
  ];

  try {
    for (let i = 0; i < WARMUP; i++) for (const v of variants) await v.run();
    const times = variants.map(() => [] as number[]);
    // Interleaved, so drift on the machine affects every variant alike.
    for (let i = 0; i < ITERATIONS; i++) {
      for (const [k, v] of variants.entries()) {
        const t0 = performance.now();
        await v.run();
        times[k]?.push(performance.now() - t0);
      }
    }
    const base = median(times[0] ?? []);
    const lines = variants.map((v, k) => {
      const m = median(times[k] ?? []);
      return { name: v.name, medianMs: m, ratio: m / base };
    });
    log(`posture of ${COUNT} running containers, median of ${ITERATIONS} runs after ${WARMUP} warm-up runs:`);
    for (const l of lines) {
      log(
        `  ${l.name.padEnd(52)} ${l.medianMs.toFixed(1).padStart(7)} ms for ${COUNT}  ${((COUNT / l.medianMs) * 1000).toFixed(0).padStart(5)} containers/s  ${l.ratio.toFixed(2)}× baseline`,
      );
    }
    return lines;
  } finally {
    monitor.dispose();
    await core.dispose();
    await docker('rm', '-f', ...ids);
  }
}
