import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  appVersion,
  demoScenarioPath,
  findAppRoot,
  rendererDir,
} from '../../../electron/adapters/app-paths.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const tmp: string[] = [];
afterEach(() => {
  for (const d of tmp.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('app paths', () => {
  it('from source, the root is the repository (package.json name "bulkhead")', () => {
    expect(findAppRoot()).toBe(REPO);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    expect(pkg.name).toBe('bulkhead');
    expect(appVersion()).toBe(pkg.version);
  });

  it('renderer and demo paths hang off the root', () => {
    expect(rendererDir()).toBe(join(REPO, 'dist', 'renderer'));
    expect(demoScenarioPath()).toBe(join(REPO, 'assets', 'demo', 'scenario.json'));
  });

  it('walks up from a bundle location (dist/electron) and skips other packages', () => {
    const root = mkdtempSync(join(tmpdir(), 'bh-root-'));
    tmp.push(root);
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bulkhead', version: '9.9.9' }));
    // A dependency's package.json on the way up must not be mistaken for the root.
    mkdirSync(join(root, 'dist', 'electron', 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(root, 'dist', 'electron', 'package.json'), JSON.stringify({ name: 'other' }));
    const start = join(root, 'dist', 'electron', 'node_modules', 'dep');
    expect(findAppRoot(start)).toBe(root);
    expect(appVersion(root)).toBe('9.9.9');
  });

  it('throws when there is no Bulkhead root above', () => {
    const lonely = mkdtempSync(join(tmpdir(), 'bh-lonely-'));
    tmp.push(lonely);
    expect(() => findAppRoot(lonely)).toThrow(/cannot find Bulkhead's package.json/);
  });
});
