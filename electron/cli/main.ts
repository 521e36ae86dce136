import { spawn } from 'node:child_process';
import { join } from 'node:path';

import type { EpochMillis } from '../../shared/domain/ids.js';
import { appVersion, findAppRoot } from '../adapters/app-paths.js';
import { recordDemoScenario } from '../adapters/docker/demo-recorder.js';
import { openLabEngine } from '../adapters/docker/lab.js';
import {
  createHeadlessReportRenderer,
  createHostEvidence,
  createLocalCore,
  createLocalEngine,
  reportFiles,
} from '../composition.js';
import { createImageCliDeps } from './image-deps.js';
import { recordLabSession } from './lab-record.js';
import { runCli } from './run.js';

/**
 * The CLI composition root (`bulkhead …`, bundled to dist/cli.cjs).
 *
 * Same engine as the desktop app and browser mode, without UI. Sets `process.exitCode` and lets the event
 * loop drain rather than calling process.exit, so output is never cut short.
 */
async function main(): Promise<void> {
  const root = findAppRoot();
  process.exitCode = await runCli(
    process.argv.slice(2),
    { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) },
    {
      version: appVersion(root),
      createCore: (options) =>
        createLocalCore({
          mode: 'cli',
          ...(options?.syscallFold !== undefined ? { syscallFold: options.syscallFold } : {}),
        }),
      recordDemo: async ({ out, image, log }) => {
        const engine = createLocalEngine();
        await recordDemoScenario({
          engine,
          host: createHostEvidence(engine),
          image,
          out,
          log,
          now: () => Date.now() as EpochMillis,
        });
      },
      recordLab: async (options, log) => {
        const engine = createLocalEngine();
        const core = createLocalCore({ mode: 'cli' });
        core.start();
        try {
          return await recordLabSession(
            {
              lab: openLabEngine(),
              core,
              engine,
              host: createHostEvidence(engine),
              now: () => Date.now() as EpochMillis,
              sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
              log,
            },
            options,
          );
        } finally {
          await core.dispose();
        }
      },
      runWeb: (args) =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, [join(root, 'dist', 'web.cjs'), ...args], {
            stdio: 'inherit',
          });
          const forward = (signal: NodeJS.Signals) => child.kill(signal);
          process.on('SIGINT', forward);
          process.on('SIGTERM', forward);
          child.on('exit', (code) => resolve(code ?? 1));
          child.on('error', (e) => {
            process.stderr.write(`bulkhead: could not start browser mode: ${e.message}\n`);
            resolve(1);
          });
        }),
      now: () => Date.now(),
      images: createImageCliDeps(appVersion(root)),
      report: { renderer: () => createHeadlessReportRenderer(root), files: reportFiles },
    },
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bulkhead: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
