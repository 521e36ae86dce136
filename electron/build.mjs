// Bundles the Node-side entry points with esbuild. The renderer is built by vite (renderer/vite.config.ts).
// npm packages stay external (they are in node_modules at run time); the preload is bundled whole, because a
// sandboxed preload can require nothing but 'electron'.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['electron/shell/main.ts'],
    outfile: 'dist/electron/main.cjs',
    packages: 'external',
  }),
  build({
    ...common,
    entryPoints: ['electron/shell/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    external: ['electron'],
  }),
  build({ ...common, entryPoints: ['electron/web/main.ts'], outfile: 'dist/web.cjs', packages: 'external' }),
  build({
    ...common,
    entryPoints: ['electron/cli/main.ts'],
    outfile: 'dist/cli.cjs',
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({ ...common, entryPoints: ['electron/start.ts'], outfile: 'dist/start.cjs', packages: 'external' }),
]);
