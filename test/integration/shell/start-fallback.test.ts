import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

import { afterEach, beforeAll, describe, expect, it } from 'vitest';

// Runs the built launcher for real (`npm run build` first): without a display it must say why in one line and
// then start browser mode, whose server must answer and stop when the launcher is terminated.

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const START = join(ROOT, 'dist', 'start.cjs');
const URL_LINE = /^Bulkhead browser mode: (http:\/\/127\.0\.0\.1:\d+\/\S*)$/;

type Child = ChildProcessByStdio<null, Readable, Readable>;
const children: Child[] = [];

beforeAll(() => {
  for (const file of ['dist/start.cjs', 'dist/web.cjs', 'dist/renderer/index.html']) {
    if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
});

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

/** Start dist/start.cjs without any display and collect its output lines. */
function launch(args: readonly string[]): { child: Child; lines: string[]; stderr: () => string } {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const child = spawn(process.execPath, [START, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return { child, lines, stderr: () => err };
}

async function waitForUrl(lines: readonly string[], child: Child, stderr: () => string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const line of lines) {
      const match = URL_LINE.exec(line);
      if (match?.[1] !== undefined) return match[1];
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no URL line; stdout: ${JSON.stringify(lines)}; stderr: ${stderr()}`);
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    get(url, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

function exited(child: Child): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

describe('npm start (dist/start.cjs) without a display', () => {
  it('explains the fallback in one line, starts browser mode, and stops it on SIGTERM', async () => {
    const { child, lines, stderr } = launch(['--port', '0']);
    const url = await waitForUrl(lines, child, stderr);

    expect(lines[0]).toBe(
      'No display found (neither DISPLAY nor WAYLAND_DISPLAY is set) — starting browser mode instead.',
    );
    expect(URL_LINE.test(lines[1] ?? '')).toBe(true);
    expect(await httpStatus(url)).toBe(200);

    child.kill('SIGTERM');
    await expect(exited(child)).resolves.toEqual({ code: 0, signal: null });
    // The launcher forwarded the signal: the browser-mode server is gone too.
    await expect(httpStatus(url)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('--browser starts browser mode without a notice', async () => {
    const { child, lines, stderr } = launch(['--browser', '--port', '0']);
    const url = await waitForUrl(lines, child, stderr);
    expect(URL_LINE.test(lines[0] ?? '')).toBe(true);
    child.kill('SIGTERM');
    await expect(exited(child)).resolves.toEqual({ code: 0, signal: null });
    await expect(httpStatus(url)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('the built shell bundles', () => {
  it('the preload requires nothing but electron (a sandboxed preload can load nothing else)', () => {
    const preload = readFileSync(join(ROOT, 'dist', 'electron', 'preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).not.toMatch(/zod/);
  });

  it('the launcher never loads electron (from plain Node that would try to download it)', () => {
    const start = readFileSync(START, 'utf8');
    expect(start).not.toMatch(/require\(["']electron["']\)/);
  });
});
