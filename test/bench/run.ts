import { runAnomalyBench } from './anomaly.bench.js';
import { runBpfBench } from './bpf.bench.js';
import { runFloodBench } from './flood.bench.js';
import { runImagesBench } from './images.bench.js';
import { runPostureBench } from './posture.bench.js';
import { runReportBench } from './report.bench.js';
import { runSoakBench } from './soak.bench.js';
import { runSyscallsBench } from './syscalls.bench.js';

type Bench = (log: (line: string) => void) => Promise<unknown>;

/** Every benchmark by name, in the order `npm run bench` runs them. */
const BENCHES: readonly (readonly [string, Bench])[] = [
  ['posture', runPostureBench],
  ['images', runImagesBench],
  ['bpf', runBpfBench],
  ['syscalls', runSyscallsBench],
  ['anomaly', runAnomalyBench],
  ['report', runReportBench],
  ['flood', runFloodBench],
  ['soak', runSoakBench],
];

/**
 * `npm run bench`: every benchmark, one after the other, each printing its results as ratios against a
 * baseline measured in the same process (not as timed tests). Needs the real dockerd and the test image.
 * `npm run bench -- NAME…` runs only the named ones.
 */
async function main(): Promise<void> {
  const log = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !BENCHES.some(([name]) => name === w));
  if (unknown.length > 0) {
    throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map(([n]) => n).join(', ')}`);
  }
  for (const [name, bench] of BENCHES) {
    if (wanted.length === 0 || wanted.includes(name)) await bench(log);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
