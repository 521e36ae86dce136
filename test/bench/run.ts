import { runAnomalyBench } from './anomaly.bench.js';
import { runBpfBench } from './bpf.bench.js';
import { runImagesBench } from './images.bench.js';
import { runPostureBench } from './posture.bench.js';
import { runReportBench } from './report.bench.js';
import { runSyscallsBench } from './syscalls.bench.js';

/**
 * `npm run bench`: every benchmark, one after the other, each printing its results as ratios against a
 * baseline measured in the same process (not as timed tests). Needs the real dockerd and the test image.
 */
async function main(): Promise<void> {
  const log = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  await runPostureBench(log);
  await runImagesBench(log);
  await runBpfBench(log);
  await runSyscallsBench(log);
  await runAnomalyBench(log);
  await runReportBench(log);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
