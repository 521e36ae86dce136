// Composition root of browser mode (`npm run web`, bundled to dist/web.cjs): the real engine core, served to
// a browser tab over a loopback-only, token-protected HTTP + WebSocket server.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { rendererDir } from '../adapters/app-paths.js';
import { createLocalCore } from '../composition.js';
import { USAGE, parseWebArgs } from './args.js';
import type { WebArgs } from './args.js';
import { startWebServer } from './server.js';
import type { WebServer } from './server.js';

async function main(): Promise<void> {
  let args: WebArgs | 'help';
  try {
    args = parseWebArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bulkhead web: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const staticDir = rendererDir();
  if (!existsSync(join(staticDir, 'index.html'))) {
    process.stderr.write(
      `bulkhead web: the renderer is not built (no ${staticDir}/index.html); run \`npm run build\`.\n`,
    );
    process.exitCode = 1;
    return;
  }

  const core = createLocalCore({ mode: 'browser' });
  core.start();
  let server: WebServer;
  try {
    server = await startWebServer({ core, staticDir, port: args.port, token: args.token });
  } catch (e) {
    await core.dispose();
    throw e;
  }
  process.stdout.write(`Bulkhead browser mode: ${server.url}\n`);
  process.stdout.write('Press Ctrl+C to stop it.\n');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`bulkhead web: ${signal}, shutting down\n`);
    // Nothing keeps the event loop alive once both are closed, so the process exits by itself.
    server
      .close()
      .then(() => core.dispose())
      .catch((e: unknown) => {
        process.stderr.write(
          `bulkhead web: shutdown failed: ${e instanceof Error ? e.message : String(e)}\n`,
        );
        process.exitCode = 1;
      });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`bulkhead web: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
