import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The `name` in Bulkhead's own package.json, which marks the application root. */
const PACKAGE_NAME = 'bulkhead';

function isAppRoot(dir: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as unknown;
    return typeof pkg === 'object' && pkg !== null && (pkg as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The directory of this module: `__dirname` in the CJS bundles, and under tsx and vitest, which provide it. */
function moduleDir(): string {
  return typeof __dirname === 'string' ? __dirname : process.cwd();
}

const cache = new Map<string, string>();

/**
 * The directory holding Bulkhead's package.json.
 *
 * Walks up from `start` (default: this module's directory), so it works from source
 * (`electron/adapters/`) and from the bundles (`dist/`, `dist/electron/`). Throws when no ancestor is the
 * Bulkhead root.
 */
export function findAppRoot(start: string = moduleDir()): string {
  const known = cache.get(start);
  if (known !== undefined) return known;
  let dir = start;
  for (;;) {
    if (isAppRoot(dir)) {
      cache.set(start, dir);
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find Bulkhead's package.json above ${start}`);
    dir = parent;
  }
}

/** Bulkhead's version, from its package.json. */
export function appVersion(root: string = findAppRoot()): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** Where vite puts the built renderer: `<root>/dist/renderer`. */
export function rendererDir(root: string = findAppRoot()): string {
  return join(root, 'dist', 'renderer');
}

/** The embedded demo scenario: `<root>/assets/demo/scenario.json`. */
export function demoScenarioPath(root: string = findAppRoot()): string {
  return join(root, 'assets', 'demo', 'scenario.json');
}

/** The recorded lab session (`bulkhead lab record`): `<root>/assets/demo/lab-session.jsonl`. */
export function labSessionPath(root: string = findAppRoot()): string {
  return join(root, 'assets', 'demo', 'lab-session.jsonl');
}
