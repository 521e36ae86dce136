import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (tests run with it as the working directory). */
export const ROOT = process.cwd();

/** A running `node dist/web.cjs` child process and what it printed. */
export interface BrowserModeProcess {
  /** The URL it printed, token included. */
  readonly url: string;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  /** The process id of `node dist/web.cjs` (its tracers are its children). */
  readonly pid: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Send SIGINT and wait for the process to exit on its own; resolves with its exit code. */
  stop(): Promise<number | null>;
}

const LINE = /^Bulkhead browser mode: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))$/m;

/**
 * Start the real browser mode (`node dist/web.cjs --port 0`) and wait for the line with its URL.
 *
 * `env` is merged over this process's environment (e.g. a DOCKER_HOST pointing nowhere for demo mode).
 */
export async function startBrowserMode(env: Record<string, string> = {}): Promise<BrowserModeProcess> {
  const entry = join(ROOT, 'dist', 'web.cjs');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before the e2e tests`);
  const child: ChildProcess = spawn(process.execPath, [entry, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`browser mode printed no URL within 20 s:\n${out}`)),
      20_000,
    );
    const check = (): void => {
      const m = LINE.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`browser mode exited with ${code} before printing its URL:\n${out}`));
    });
  });
  const [, url, port, token] = match;
  if (url === undefined || port === undefined || token === undefined) throw new Error('unparsable URL line');

  return {
    url,
    origin: `http://127.0.0.1:${port}`,
    port: Number(port),
    token,
    pid: child.pid ?? -1,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGINT');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000));
      const result = await Promise.race([exited, timeout]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        throw new Error(`browser mode did not exit within 10 s of SIGINT:\n${out}`);
      }
      return result;
    },
  };
}
