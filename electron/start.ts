import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import path from 'node:path';

import { findAppRoot } from './adapters/app-paths.js';

// The `npm start` launcher (bundled to dist/start.cjs), run by plain Node. It starts the Electron desktop
// app when an Electron runtime and a display are available, and browser mode otherwise — saying why in one
// line. It never imports 'electron': from plain Node that module tries to download the binary.

/** Whether an Electron runtime was found, and where. */
export type ElectronProbe =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/** What to run. `notice` is the one line printed before falling back to browser mode. */
export type LaunchDecision =
  | {
      readonly kind: 'electron';
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string | undefined>>;
    }
  | {
      readonly kind: 'browser';
      readonly notice: string | undefined;
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string | undefined>>;
    };

/** Inputs of {@link decideLaunch}; all plain data, so the decision is a pure function. */
export interface LaunchInput {
  readonly electron: ElectronProbe;
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** CLI arguments after `dist/start.cjs`. */
  readonly args?: readonly string[];
  /** The user id on POSIX (process.getuid()); undefined on Windows. */
  readonly uid?: number;
  /** The Bulkhead root (the folder holding dist/). */
  readonly appRoot?: string;
  /** The Node binary (process.execPath). */
  readonly nodePath?: string;
}

/** The flag that skips Electron. */
export const BROWSER_FLAG = '--browser';

const FALLBACK_SUFFIX = ' — starting browser mode instead.';

/** Whether the user asked for browser mode. */
export function browserRequested(args: readonly string[]): boolean {
  return args.includes(BROWSER_FLAG);
}

/**
 * Why Electron cannot open a window here, or undefined when it can.
 *
 * On Linux a window needs an X11 or Wayland display; macOS and Windows always have one.
 */
export function displayProblem(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (platform === 'darwin' || platform === 'win32') return undefined;
  const x11 = nonEmpty(env.DISPLAY);
  const wayland = nonEmpty(env.WAYLAND_DISPLAY);
  if (x11 || wayland) return undefined;
  return 'No display found (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}

/**
 * Decide between the Electron desktop app and browser mode.
 *
 * In order: `--browser` → browser mode, quietly; no display → browser mode; root on Linux (Chromium's
 * sandbox refuses to run as root, and Bulkhead never turns the sandbox off) → browser mode; no Electron
 * runtime → browser mode; otherwise Electron with `dist/electron/main.cjs`. `ELECTRON_RUN_AS_NODE` is removed
 * from Electron's environment (it would make Electron behave as plain Node).
 */
export function decideLaunch(input: LaunchInput): LaunchDecision {
  const args = input.args ?? [];
  const appRoot = input.appRoot ?? '.';
  const nodePath = input.nodePath ?? 'node';
  const rest = args.filter((a) => a !== BROWSER_FLAG);
  const browser = (notice: string | undefined): LaunchDecision => ({
    kind: 'browser',
    notice,
    command: nodePath,
    args: [path.join(appRoot, 'dist', 'web.cjs'), ...rest],
    env: { ...input.env },
  });

  if (browserRequested(args)) return browser(undefined);
  const noDisplay = displayProblem(input.platform, input.env);
  if (noDisplay !== undefined) return browser(noDisplay + FALLBACK_SUFFIX);
  if (input.platform === 'linux' && input.uid === 0) {
    return browser(`Electron's sandbox cannot run as root${FALLBACK_SUFFIX}`);
  }
  if (!input.electron.ok)
    return browser(`Electron runtime not available (${input.electron.reason})${FALLBACK_SUFFIX}`);

  const env: Record<string, string | undefined> = { ...input.env };
  delete env.ELECTRON_RUN_AS_NODE;
  return {
    kind: 'electron',
    command: input.electron.path,
    args: [path.join(appRoot, 'dist', 'electron', 'main.cjs'), ...rest],
    env,
  };
}

/** Whether a launch without probing would already choose browser mode (so the probe can be skipped). */
export function electronProbeNeeded(input: Omit<LaunchInput, 'electron'>): boolean {
  const decision = decideLaunch({ ...input, electron: { ok: true, path: 'electron' } });
  return decision.kind === 'electron';
}

/** Options of {@link probeElectron}. */
export interface ProbeOptions {
  readonly appRoot: string;
  readonly nodePath: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The electron package may try to download its binary; give up after this long. */
  readonly timeoutMs?: number;
  /** Stops the probe (and the download it may have started), e.g. on Ctrl+C. */
  readonly signal?: AbortSignal;
}

/** Prefix of the line the probe child prints the binary's path on (the package may print other lines). */
const PROBE_MARKER = 'BULKHEAD_ELECTRON_PATH=';

/**
 * Find the Electron binary without importing 'electron' into this process.
 *
 * A child Node resolves the `electron` package from the app root and prints the path it exports; resolving
 * may try to download the binary, which fails without network, so the child runs under a timeout and its
 * output is kept quiet. The path must exist and be executable.
 */
export function probeElectron(options: ProbeOptions): Promise<ElectronProbe> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const script = [
    "const { createRequire } = require('node:module');",
    "const req = createRequire(require('node:path').join(process.argv[1], 'package.json'));",
    `process.stdout.write('\\n${PROBE_MARKER}' + JSON.stringify(req('electron')) + '\\n');`,
  ].join('\n');
  const env: Record<string, string | undefined> = { ...options.env };
  delete env.ELECTRON_RUN_AS_NODE;

  return new Promise((resolve) => {
    let settled = false;
    const settle = (probe: ElectronProbe): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(probe);
    };
    let stdout = '';
    let stderr = '';
    const child = spawn(options.nodePath, ['-e', script, options.appRoot], {
      cwd: options.appRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout also stops the download child the electron package spawns.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const timer = setTimeout(() => {
      killTree(child);
      settle({
        ok: false,
        reason: `looking for the Electron binary timed out after ${Math.round(timeoutMs / 1000)} s`,
      });
    }, timeoutMs);
    // Its own process group does not get the terminal's Ctrl+C, so an abort has to stop it explicitly.
    const onAbort = (): void => {
      killTree(child);
      settle({ ok: false, reason: 'interrupted' });
    };
    if (options.signal?.aborted === true) onAbort();
    options.signal?.addEventListener('abort', onAbort);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = keepTail(stdout + chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = keepTail(stderr + chunk)));
    child.on('error', (e) =>
      settle({ ok: false, reason: `could not run ${options.nodePath}: ${e.message}` }),
    );
    child.on('close', (code) => {
      if (code !== 0) {
        settle({ ok: false, reason: classifyProbeFailure(stderr) });
        return;
      }
      settle(checkBinary(parseProbeOutput(stdout)));
    });
  });
}

/** The path the probe child printed, if any. */
export function parseProbeOutput(stdout: string): string | undefined {
  const line = stdout
    .split(/\r?\n/)
    .reverse()
    .find((l) => l.startsWith(PROBE_MARKER));
  if (line === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(line.slice(PROBE_MARKER.length));
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A short reason for a failed probe, from the child's stderr. */
export function classifyProbeFailure(stderr: string): string {
  if (/Cannot find module 'electron'|MODULE_NOT_FOUND/.test(stderr) && !/install/i.test(stderr)) {
    return 'the electron package is not installed';
  }
  if (/failed to install|fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|download/i.test(stderr)) {
    return 'the Electron binary could not be downloaded';
  }
  const last = stderr.trim().split(/\r?\n/).pop()?.trim();
  return last ? `electron failed: ${last.slice(0, 160)}` : 'electron failed without a message';
}

function checkBinary(binary: string | undefined): ElectronProbe {
  if (binary === undefined) return { ok: false, reason: 'the electron package did not report a binary path' };
  try {
    if (!statSync(binary).isFile()) return { ok: false, reason: `${binary} is not a file` };
    if (process.platform !== 'win32') accessSync(binary, fsConstants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason:
        code === 'ENOENT' ? `the Electron binary is missing at ${binary}` : `${binary} is not executable`,
    };
  }
  return { ok: true, path: binary };
}

/**
 * Run a child with inherited stdio until it exits, forwarding SIGINT/SIGTERM to it.
 *
 * Resolves with the exit status to end with (128 + signal number when the child was killed), or with an
 * Error when the child could not be started.
 */
export function runForwardingSignals(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number | Error> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { stdio: 'inherit', env, windowsHide: false });
    const forward = (signal: NodeJS.Signals) => () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const cleanup = (): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
    child.once('error', (e) => {
      cleanup();
      resolve(e);
    });
    child.once('exit', (code, signal) => {
      cleanup();
      if (code !== null) resolve(code);
      else resolve(128 + (signal === null ? 0 : (osConstants.signals[signal] ?? 0)));
    });
  });
}

async function main(): Promise<void> {
  const appRoot = findAppRoot();
  const args = process.argv.slice(2);
  const base = {
    platform: process.platform,
    env: process.env,
    args,
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    appRoot,
    nodePath: process.execPath,
  };
  // Probing is only worth it (and only allowed to take time) when Electron could actually be used.
  const electron: ElectronProbe = electronProbeNeeded(base) ? await probeInterruptibly(appRoot) : NOT_PROBED;
  if (process.exitCode !== undefined) return;
  let decision = decideLaunch({ ...base, electron });

  if (decision.kind === 'electron') {
    const status = await runForwardingSignals(decision.command, decision.args, decision.env);
    if (typeof status === 'number') {
      process.exitCode = status;
      return;
    }
    decision = decideLaunch({
      ...base,
      electron: { ok: false, reason: `it failed to start: ${status.message}` },
    });
  }
  if (decision.kind !== 'browser') return;

  if (decision.notice !== undefined) console.log(decision.notice);
  const webEntry = decision.args[0];
  if (webEntry === undefined || !existsSync(webEntry)) {
    console.error(`bulkhead: ${webEntry ?? 'dist/web.cjs'} not found — run \`npm run build\` first.`);
    process.exitCode = 1;
    return;
  }
  const status = await runForwardingSignals(decision.command, decision.args, decision.env);
  if (typeof status === 'number') {
    process.exitCode = status;
  } else {
    console.error(`bulkhead: could not start browser mode: ${status.message}`);
    process.exitCode = 1;
  }
}

const NOT_PROBED: ElectronProbe = { ok: false, reason: 'not probed' };

/** Probe for Electron; Ctrl+C (or SIGTERM) meanwhile stops the probe and ends the launcher. */
async function probeInterruptibly(appRoot: string): Promise<ElectronProbe> {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    process.exitCode = 128 + (osConstants.signals[signal] ?? 0);
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await probeElectron({
      appRoot,
      nodePath: process.execPath,
      env: process.env,
      signal: abort.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

function keepTail(text: string): string {
  return text.length > 16_384 ? text.slice(-16_384) : text;
}

function killTree(child: ChildProcess): void {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    // Already gone.
  }
}

// Run only as the bundled entry point, not when tests import the module.
if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  main().catch((e: unknown) => {
    console.error(`bulkhead: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  });
}
