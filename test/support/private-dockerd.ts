import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A second dockerd, private to one test file, that the test may stop and start at will. */
export interface PrivateDockerd {
  /** The directory holding everything of this engine (socket, data, exec root, pidfile, log). */
  readonly dir: string;
  readonly socketPath: string;
  /** `unix://<socketPath>`, for DOCKER_HOST or `docker -H`. */
  readonly host: string;
  /** The bridge created for it (never docker0). */
  readonly bridge: string;
  /** The dockerd log (stdout and stderr of every run). */
  readonly logPath: string;
  /** PID of the running dockerd, or null while stopped. */
  pid(): number | null;
  /** Start dockerd (again) on the same paths; resolves once `/_ping` answers. */
  start(): Promise<void>;
  /** SIGTERM, then wait for it to exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
  /** Stop if running, delete the bridge and the directory. Idempotent. */
  cleanup(): Promise<void>;
  /** The last lines of the log, for failure messages. */
  tail(lines?: number): string;
}

/** Options for createPrivateDockerd. */
export interface PrivateDockerdOptions {
  /** Extra dockerd arguments, e.g. `['--userns-remap=default']`. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for the socket to answer after a start. */
  readonly startTimeoutMs?: number;
}

/** GET /_ping on a unix socket; resolves true on `200 OK`. */
export function pingSocket(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Prepare a private dockerd under /tmp (not started yet).
 *
 * It has its own socket (`--host unix:///tmp/<dir>/docker.sock`), `--data-root`, `--exec-root` (so its own
 * managed containerd), `--pidfile`, an empty `--config-file`, and its own bridge created with
 * `ip link add … type bridge` and passed as `--bridge` with `--iptables=false`, so it touches neither docker0
 * nor the host's iptables. It never uses `--bridge none`, which deletes docker0 of the main engine.
 * `--shutdown-timeout 2` keeps stops short even with containers whose PID 1 ignores SIGTERM.
 */
export async function createPrivateDockerd(options: PrivateDockerdOptions = {}): Promise<PrivateDockerd> {
  const dir = mkdtempSync('/tmp/bh-dockerd-');
  const socketPath = join(dir, 'docker.sock');
  const logPath = join(dir, 'dockerd.log');
  const configFile = join(dir, 'daemon.json');
  const bridge = `bhbr${randomBytes(4).toString('hex')}`; // 12 characters, under IFNAMSIZ
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'exec'));
  writeFileSync(configFile, '{}\n');
  await run('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  await run('ip', ['link', 'set', bridge, 'up']);

  const args = [
    '--host',
    `unix://${socketPath}`,
    '--data-root',
    join(dir, 'data'),
    '--exec-root',
    join(dir, 'exec'),
    '--pidfile',
    join(dir, 'docker.pid'),
    '--config-file',
    configFile,
    '--bridge',
    bridge,
    '--iptables=false',
    '--shutdown-timeout',
    '2',
    ...(options.extraArgs ?? []),
  ];
  const startTimeout = options.startTimeoutMs ?? 60_000;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let cleaned = false;

  const self: PrivateDockerd = {
    dir,
    socketPath,
    host: `unix://${socketPath}`,
    bridge,
    logPath,
    pid: () => child?.pid ?? null,
    tail(lines = 30) {
      try {
        return readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
    async start() {
      if (child !== null) throw new Error('private dockerd already running');
      const log = openSync(logPath, 'a');
      const proc = spawn('dockerd', args, { stdio: ['ignore', log, log] });
      closeSync(log);
      child = proc;
      // Set from the child's callbacks; an object so the compiler does not narrow it to its initial null.
      const status: { exit: number | string | null } = { exit: null };
      exited = new Promise((resolve) => {
        proc.once('exit', (code, signal) => {
          status.exit = code ?? signal;
          if (child === proc) child = null;
          resolve();
        });
      });
      proc.once('error', (e) => {
        status.exit = e.message;
      });
      const deadline = Date.now() + startTimeout;
      while (Date.now() < deadline) {
        if (status.exit !== null) throw new Error(`private dockerd exited (${status.exit}):\n${self.tail()}`);
        if (await pingSocket(socketPath, 500)) return;
        await sleep(100);
      }
      await self.stop();
      throw new Error(`private dockerd did not answer within ${startTimeout} ms:\n${self.tail()}`);
    },
    async stop(timeoutMs = 30_000) {
      const proc = child;
      if (proc === null) return;
      proc.kill('SIGTERM');
      const killed = sleep(timeoutMs).then(() => 'timeout' as const);
      if ((await Promise.race([exited.then(() => 'exited' as const), killed])) === 'timeout') {
        proc.kill('SIGKILL');
        await exited;
      }
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await self.stop();
      await run('ip', ['link', 'del', bridge]).catch(() => undefined);
      // A killed dockerd can leave mounts behind; unmount what is under our directory before deleting it.
      const mounts = readFileSync('/proc/self/mounts', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[1] ?? '')
        .filter((m) => m.startsWith(`${dir}/`))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
