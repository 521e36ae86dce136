import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import {
  classifyProbeFailure,
  decideLaunch,
  electronProbeNeeded,
  parseProbeOutput,
  probeElectron,
  runForwardingSignals,
} from '../../../electron/start.js';
import type { ElectronProbe, LaunchInput } from '../../../electron/start.js';

const ROOT = '/opt/bulkhead';
const ELECTRON_OK: ElectronProbe = { ok: true, path: '/opt/bulkhead/node_modules/electron/dist/electron' };
const NO_ELECTRON: ElectronProbe = { ok: false, reason: 'the Electron binary could not be downloaded' };
const FALLBACK = ' — starting browser mode instead.';
const NO_DISPLAY = 'No display found (neither DISPLAY nor WAYLAND_DISPLAY is set)';
const BROWSER_ARGS = ['/opt/bulkhead/dist/web.cjs'];
const ELECTRON_ARGS = ['/opt/bulkhead/dist/electron/main.cjs'];

const input = (over: Partial<LaunchInput>): LaunchInput => ({
  electron: ELECTRON_OK,
  platform: 'linux',
  env: { DISPLAY: ':0' },
  args: [],
  uid: 1000,
  appRoot: ROOT,
  nodePath: '/usr/bin/node',
  ...over,
});

describe('decideLaunch', () => {
  it.each<[string, Partial<LaunchInput>, 'electron' | 'browser', string | undefined]>([
    ['linux with X11 and Electron', {}, 'electron', undefined],
    ['linux with Wayland only', { env: { WAYLAND_DISPLAY: 'wayland-0' } }, 'electron', undefined],
    ['linux without a display', { env: {} }, 'browser', NO_DISPLAY + FALLBACK],
    [
      'linux with an empty DISPLAY',
      { env: { DISPLAY: '', WAYLAND_DISPLAY: ' ' } },
      'browser',
      NO_DISPLAY + FALLBACK,
    ],
    [
      'linux with a display but no Electron',
      { electron: NO_ELECTRON },
      'browser',
      `Electron runtime not available (the Electron binary could not be downloaded)${FALLBACK}`,
    ],
    ['linux as root', { uid: 0 }, 'browser', `Electron's sandbox cannot run as root${FALLBACK}`],
    [
      'no display wins over no Electron',
      { env: {}, electron: NO_ELECTRON },
      'browser',
      NO_DISPLAY + FALLBACK,
    ],
    ['macOS needs no DISPLAY', { platform: 'darwin', env: {} }, 'electron', undefined],
    ['Windows needs no DISPLAY', { platform: 'win32', env: {}, uid: undefined }, 'electron', undefined],
    [
      'macOS without Electron',
      { platform: 'darwin', env: {}, electron: NO_ELECTRON },
      'browser',
      `Electron runtime not available (the Electron binary could not be downloaded)${FALLBACK}`,
    ],
    ['--browser skips Electron quietly', { args: ['--browser'] }, 'browser', undefined],
  ])('%s', (_name, over, kind, notice) => {
    const decision = decideLaunch(input(over));
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'browser') {
      expect(decision.notice).toBe(notice);
      expect(decision.command).toBe('/usr/bin/node');
      expect(decision.args).toEqual(BROWSER_ARGS);
    } else {
      expect(decision.command).toBe(ELECTRON_OK.path);
      expect(decision.args).toEqual(ELECTRON_ARGS);
    }
  });

  it('passes the remaining CLI arguments on, without --browser', () => {
    const browser = decideLaunch(input({ args: ['--port', '0', '--browser', '--token=abcdefabcdefabcdef'] }));
    expect(browser.args).toEqual([...BROWSER_ARGS, '--port', '0', '--token=abcdefabcdefabcdef']);
    const electron = decideLaunch(input({ args: ['--enable-logging'] }));
    expect(electron.args).toEqual([...ELECTRON_ARGS, '--enable-logging']);
  });

  it('clears ELECTRON_RUN_AS_NODE for Electron and keeps the rest of the environment', () => {
    const env = { DISPLAY: ':1', ELECTRON_RUN_AS_NODE: '1', DOCKER_HOST: 'unix:///run/docker.sock' };
    const decision = decideLaunch(input({ env }));
    expect(decision.kind).toBe('electron');
    expect(decision.env).toEqual({ DISPLAY: ':1', DOCKER_HOST: 'unix:///run/docker.sock' });
    expect('ELECTRON_RUN_AS_NODE' in decision.env).toBe(false);
    expect(env.ELECTRON_RUN_AS_NODE).toBe('1');
  });

  it('probes for Electron only when it would be used', () => {
    expect(electronProbeNeeded(input({}))).toBe(true);
    expect(electronProbeNeeded(input({ args: ['--browser'] }))).toBe(false);
    expect(electronProbeNeeded(input({ env: {} }))).toBe(false);
    expect(electronProbeNeeded(input({ uid: 0 }))).toBe(false);
    expect(electronProbeNeeded(input({ platform: 'darwin', env: {} }))).toBe(true);
  });
});

describe('probe output', () => {
  it('finds the marked path among other output', () => {
    expect(parseProbeOutput('Downloading Electron binary...\n\nBULKHEAD_ELECTRON_PATH="/x/electron"\n')).toBe(
      '/x/electron',
    );
    expect(parseProbeOutput('Downloading Electron binary...\n')).toBeUndefined();
    expect(parseProbeOutput('BULKHEAD_ELECTRON_PATH={not json\n')).toBeUndefined();
    expect(parseProbeOutput('BULKHEAD_ELECTRON_PATH=42\n')).toBeUndefined();
  });

  it('classifies failures', () => {
    expect(
      classifyProbeFailure('TypeError: fetch failed\nError: Electron failed to install correctly.'),
    ).toBe('the Electron binary could not be downloaded');
    expect(classifyProbeFailure("Error: Cannot find module 'electron'\n  code: 'MODULE_NOT_FOUND'")).toBe(
      'the electron package is not installed',
    );
    expect(classifyProbeFailure('Segmentation fault\n')).toBe('electron failed: Segmentation fault');
    expect(classifyProbeFailure('')).toBe('electron failed without a message');
  });
});

// probeElectron for real: a child Node resolves an `electron` package from a temporary app root. The packages
// are stand-ins that behave like the real one does (print the path, throw after a failed download, hang).
describe('probeElectron', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bulkhead-probe-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function appWithElectron(name: string, indexJs: string | undefined): Promise<string> {
    const root = join(dir, name);
    await mkdir(join(root, 'node_modules', 'electron'), { recursive: true });
    await writeFile(join(root, 'package.json'), '{"name":"bulkhead"}');
    if (indexJs !== undefined) {
      await writeFile(
        join(root, 'node_modules', 'electron', 'package.json'),
        '{"name":"electron","main":"index.js"}',
      );
      await writeFile(join(root, 'node_modules', 'electron', 'index.js'), indexJs);
    }
    return root;
  }

  const probe = (appRoot: string, timeoutMs?: number) =>
    probeElectron({ appRoot, nodePath: process.execPath, env: process.env, timeoutMs });

  it('reports the binary the package names when it exists and is executable', async () => {
    const root = await appWithElectron(
      'ok',
      `console.log('Downloading Electron binary...');\nmodule.exports = ${JSON.stringify(process.execPath)};`,
    );
    await expect(probe(root)).resolves.toEqual({ ok: true, path: process.execPath });
  });

  it('refuses a path that does not exist', async () => {
    const root = await appWithElectron('missing', `module.exports = '/nonexistent/electron';`);
    await expect(probe(root)).resolves.toEqual({
      ok: false,
      reason: 'the Electron binary is missing at /nonexistent/electron',
    });
  });

  it('refuses a file that is not executable', async () => {
    const root = await appWithElectron('noexec', '');
    const binary = join(root, 'not-executable');
    await writeFile(binary, 'data');
    await chmod(binary, 0o644);
    await writeFile(
      join(root, 'node_modules', 'electron', 'index.js'),
      `module.exports = ${JSON.stringify(binary)};`,
    );
    await expect(probe(root)).resolves.toEqual({ ok: false, reason: `${binary} is not executable` });
  });

  it('explains a failed download', async () => {
    const root = await appWithElectron(
      'download-fails',
      `console.error('TypeError: fetch failed');\nthrow new Error('Electron failed to install correctly. Please delete node_modules/electron');`,
    );
    await expect(probe(root)).resolves.toEqual({
      ok: false,
      reason: 'the Electron binary could not be downloaded',
    });
  });

  it('explains a missing package', async () => {
    const root = await appWithElectron('no-package', undefined);
    await rm(join(root, 'node_modules'), { recursive: true });
    await expect(probe(root)).resolves.toEqual({
      ok: false,
      reason: 'the electron package is not installed',
    });
  });

  it('gives up on a package that hangs, and stops the download child it started too', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    // Like the real package: a synchronous download child that, here, never finishes.
    const grandchild = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => undefined, 1000);`;
    const root = await appWithElectron(
      'hangs',
      `require('child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'inherit' });`,
    );
    const started = Date.now();
    await expect(probe(root, 1_000)).resolves.toEqual({
      ok: false,
      reason: 'looking for the Electron binary timed out after 1 s',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    try {
      await vi.waitFor(() => expect(isRunning(pid)).toBe(false), { timeout: 3_000 });
    } finally {
      if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});

describe('probeElectron abort', () => {
  it('stops at once when aborted (Ctrl+C while the package downloads)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bulkhead-probe-abort-'));
    try {
      await mkdir(join(root, 'node_modules', 'electron'), { recursive: true });
      await writeFile(
        join(root, 'node_modules', 'electron', 'index.js'),
        'setInterval(() => undefined, 1000);',
      );
      const abort = new AbortController();
      const started = Date.now();
      const probing = probeElectron({
        appRoot: root,
        nodePath: process.execPath,
        env: process.env,
        signal: abort.signal,
      });
      setTimeout(() => abort.abort(), 200);
      await expect(probing).resolves.toEqual({ ok: false, reason: 'interrupted' });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

/** Whether a process is alive (a zombie waiting to be reaped counts as gone). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

describe('runForwardingSignals', () => {
  it('resolves with the exit code of the child', async () => {
    await expect(
      runForwardingSignals(process.execPath, ['-e', 'process.exitCode = 3'], process.env),
    ).resolves.toBe(3);
  });

  it('resolves with an Error when the command cannot be started', async () => {
    const result = await runForwardingSignals('/nonexistent/bulkhead-binary', [], process.env);
    expect(result).toBeInstanceOf(Error);
  });

  /** Start a child, then deliver SIGTERM to the launcher's own handler, as a terminal or `kill` would. */
  async function terminate(script: string): Promise<number | Error> {
    const before = process.listeners('SIGTERM');
    const running = runForwardingSignals(process.execPath, ['-e', script], process.env);
    const added = process.listeners('SIGTERM').filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    // Give the child time to start (and install its own handler).
    await new Promise((r) => setTimeout(r, 300));
    added[0]?.('SIGTERM');
    const status = await running;
    expect(process.listeners('SIGTERM')).toEqual(before);
    return status;
  }

  it('forwards SIGTERM to the child and exits with the code the child chose', async () => {
    await expect(
      terminate("process.on('SIGTERM', () => process.exit(42)); setInterval(() => undefined, 1000);"),
    ).resolves.toBe(42);
  });

  it('reports 128 + signal number when the signal killed the child', async () => {
    await expect(terminate('setInterval(() => undefined, 1000);')).resolves.toBe(128 + 15);
  });
});
