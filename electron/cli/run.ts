import { parseArgs } from 'node:util';

import type { AppCore } from '../services/app-core.js';
import type { Result } from '../../shared/ipc/result.js';
import type { RequestChannel, RequestOf, ResponseOf } from '../../shared/ipc/contract.js';
import { Channels } from '../../shared/ipc/contract.js';
import { formatConnection, formatContainerTable } from './format.js';

/** Exit codes of the `bulkhead` CLI, documented in README. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** What the CLI needs from its composition root. */
export interface CliDeps {
  readonly version: string;
  createCore(): AppCore;
  /** Record the demo scenario (a maintainer command; talks to the live engine). */
  recordDemo(options: { out: string; image: string; log: (line: string) => void }): Promise<void>;
  /** Start browser mode with these arguments; resolves with its exit code. */
  runWeb(args: readonly string[]): Promise<number>;
  now(): number;
}

export const USAGE = `Usage: bulkhead <command> [options]

Commands:
  containers [--json] [--demo]   List every container (running and stopped) on the Docker engine.
                                 --demo shows the embedded demo scenario when no engine is reachable.
  engine [--json]                Show how the engine is reached (DOCKER_HOST, docker context) and its version.
  web [--port N]                 Start browser mode on 127.0.0.1 (prints a URL with an access token).
  demo record [--out FILE] [--image IMAGE]
                                 Maintainers: create contrasting containers on the local engine, record
                                 them into the demo scenario, and remove them again.
  help, --help                   This text.   --version   Bulkhead's version.

Exit codes: 0 success, 1 the engine or the operation failed (the message says why), 2 bad usage.
The engine is found like the docker CLI finds it: DOCKER_HOST, DOCKER_CONTEXT, then the current context.`;

async function call<C extends RequestChannel>(
  core: AppCore,
  channel: C,
  request: RequestOf<C>,
): Promise<Result<ResponseOf<C>>> {
  return (await core.dispatch(channel, request)) as Result<ResponseOf<C>>;
}

async function withCore<T>(deps: CliDeps, use: (core: AppCore) => Promise<T>): Promise<T> {
  const core = deps.createCore();
  core.start();
  try {
    return await use(core);
  } finally {
    await core.dispose();
  }
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * Run one CLI invocation and return its exit code.
 *
 * Never calls process.exit: the entry point sets `process.exitCode` and lets the event loop drain.
 */
export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? ExitCode.usage : ExitCode.ok;
      case '--version':
      case 'version':
        io.out(deps.version);
        return ExitCode.ok;
      case 'containers': {
        const { values } = parseArgs({
          args: [...rest],
          options: { json: { type: 'boolean' }, demo: { type: 'boolean' } },
          strict: true,
        });
        return await withCore(deps, async (core) => {
          const configured = await call(core, Channels.demoConfigure, {
            showDemoWhenDisconnected: values.demo === true,
          });
          if (!configured.ok) return fail(io, configured.error.message);
          const list = await call(core, Channels.containersList, {});
          if (!list.ok) return fail(io, list.error.message, list.error.code);
          io.out(values.json === true ? json(list.value) : formatContainerTable(list.value, deps.now()));
          return ExitCode.ok;
        });
      }
      case 'engine': {
        const { values } = parseArgs({
          args: [...rest],
          options: { json: { type: 'boolean' } },
          strict: true,
        });
        return await withCore(deps, async (core) => {
          // The first verdict (connected or not) arrives within the monitor's first attempt.
          const list = await call(core, Channels.containersList, {});
          const state = await call(core, Channels.engineDescribe, {});
          if (!state.ok) return fail(io, state.error.message, state.error.code);
          io.out(values.json === true ? json(state.value) : formatConnection(state.value));
          return state.value.phase === 'connected' || list.ok ? ExitCode.ok : ExitCode.failed;
        });
      }
      case 'web':
        return await deps.runWeb(rest);
      case 'demo': {
        const [sub, ...subArgs] = rest;
        if (sub !== 'record') return usage(io, `unknown demo command ${JSON.stringify(sub ?? '')}`);
        const { values } = parseArgs({
          args: subArgs,
          options: { out: { type: 'string' }, image: { type: 'string' } },
          strict: true,
        });
        await deps.recordDemo({
          out: values.out ?? 'assets/demo/scenario.json',
          image: values.image ?? 'bulkhead-test/busybox:1',
          log: (line) => io.err(line),
        });
        return ExitCode.ok;
      }
      default:
        return usage(io, `unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      return usage(io, e.message);
    }
    return fail(io, e instanceof Error ? e.message : String(e));
  }
}

function usage(io: CliIo, message: string): number {
  io.err(`bulkhead: ${message}\n\n${USAGE}`);
  return ExitCode.usage;
}

function fail(io: CliIo, message: string, code?: string): number {
  io.err(`bulkhead: ${message}${code !== undefined ? ` [${code}]` : ''}`);
  return ExitCode.failed;
}
