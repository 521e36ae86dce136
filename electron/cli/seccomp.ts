import { parseArgs } from 'node:util';

import type { SeccompReport } from '../../shared/domain/seccomp/report.js';
import { Channels } from '../../shared/ipc/contract.js';
import type { ErrorData, Result } from '../../shared/ipc/result.js';
import type { AppCore } from '../services/app-core.js';
import type { SyscallsArgs } from './syscalls.js';
import { resolveContainers } from './resolve.js';
import { collectSyscalls, parseSyscallsArgs } from './syscalls.js';

/**
 * `bulkhead seccomp generate CONTAINER [--source bpf|capture:FILE|recording:FILE] [--duration 30s]
 * [--phase whole|running] [--out FILE] [--json] [--quiet-seconds N]`: watch a container through a syscall source (a capture or recording is read
 * to its end; a live source runs for --duration), then write a seccomp profile of what it called in Docker's
 * format, with a summary on stderr: the comparison with Docker's default profile (when
 * BULKHEAD_SECCOMP_DEFAULT names it) and the split into start-up and running phase.
 */

/** A parsed `seccomp generate` command line, or the usage error. */
export type SeccompArgs =
  | {
      readonly ok: true;
      readonly watch: Extract<SyscallsArgs, { ok: true }>;
      /** An id (12 to 64 hex digits) or a name, resolved against the engine's containers. */
      readonly container: string;
      readonly phase: 'whole' | 'running';
      readonly out: string | null;
      readonly json: boolean;
      readonly quietSeconds: number | undefined;
    }
  | { readonly ok: false; readonly message: string };

/** A container name (Docker's rule) or an id. */
const CONTAINER_REF = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
const ID = /^[0-9a-f]{12,64}$/;

/** Parse the arguments after `seccomp generate`. */
export function parseSeccompArgs(args: readonly string[], cwd: string): SeccompArgs {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      duration: { type: 'string' },
      container: { type: 'string' },
      phase: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      'quiet-seconds': { type: 'string' },
    },
    strict: true,
  });
  if (positionals.length > 1) return { ok: false, message: 'seccomp generate takes one container' };
  const container = (positionals[0] ?? values.container)?.replace(/^\//, '');
  if (container === undefined) return { ok: false, message: 'name the container (its name or id)' };
  if (!CONTAINER_REF.test(container))
    return {
      ok: false,
      message: `the container must be a name or an id (letters, digits, _ . -; got ${JSON.stringify(container)})`,
    };
  const phase = values.phase ?? 'whole';
  if (phase !== 'whole' && phase !== 'running')
    return { ok: false, message: `--phase must be whole or running (got ${JSON.stringify(phase)})` };
  let quietSeconds: number | undefined;
  if (values['quiet-seconds'] !== undefined) {
    quietSeconds = Number(values['quiet-seconds']);
    if (!Number.isInteger(quietSeconds) || quietSeconds < 1 || quietSeconds > 3600)
      return { ok: false, message: '--quiet-seconds must be a whole number from 1 to 3600' };
  }
  const watchArgs = ['--source', values.source ?? ''];
  if (values.source === undefined)
    return { ok: false, message: '--source is required (bpf, capture:FILE …)' };
  if (values.duration !== undefined) watchArgs.push('--duration', values.duration);
  const watch = parseSyscallsArgs(watchArgs, cwd);
  if (!watch.ok) return watch;
  return {
    ok: true,
    watch,
    container,
    phase,
    out: values.out ?? null,
    json: values.json === true,
    quietSeconds,
  };
}

/** The human summary printed beside the profile. */
export function formatSeccompSummary(r: SeccompReport, phase: 'whole' | 'running'): string {
  const lines: string[] = [];
  const who = r.subject.kind === 'container' ? (r.subject.name ?? r.subject.id) : r.subject.kind;
  lines.push(
    `${who}: ${r.observedEvents.toLocaleString('en-US')} syscalls observed, ${r.observedNames} distinct; the profile allows ${r.whole.metadata.allowed.length} (${r.whole.metadata.runtimeAdded.length} added for the runtime).`,
  );
  if (r.whole.metadata.unknown.length > 0)
    lines.push(`  not in the ${r.arch} table, left out: ${r.whole.metadata.unknown.join(', ')}`);
  if (r.versusDefault.available) {
    const c = r.versusDefault.comparison;
    lines.push(`  against Docker's default profile (${r.versusDefault.path}): ${c.reduction.sentence}`);
    if (c.defaultProfile.observedBlocked.length > 0)
      lines.push(`  observed but blocked by the default: ${c.defaultProfile.observedBlocked.join(', ')}`);
  } else lines.push(`  ${r.versusDefault.reason}`);
  if (r.phases === null) lines.push('  split phase: this source cannot say when each syscall was seen.');
  else {
    const b = r.phases.boundary;
    if (r.phases.health !== null) lines.push(`  health: ${r.phases.health.basis}`);
    if (b.kind === 'none-yet')
      lines.push(
        `  split phase: no boundary yet (new syscalls ${b.lastGrowth === null ? 'none' : 'still appearing'}).`,
      );
    else {
      lines.push(
        `  split phase (${b.kind === 'health' ? 'health check turned healthy' : `no new syscall for ${b.quietSeconds} s`}): ${r.phases.startupSet.length} at start-up, ${r.phases.runningSet.length} running; start-up only: ${r.phases.startupOnly.join(', ') || 'none'}`,
      );
      if (r.phases.reduction !== null)
        lines.push(
          `  running phase: ${r.phases.reduction.sentence.replace('the default', 'the whole-life profile')}`,
        );
    }
  }
  if (phase === 'running') lines.push('  wrote the running-phase profile.');
  lines.push(`  ${r.note}`);
  return lines.join('\n');
}

/** What `seccomp generate` ended with. */
export type SeccompOutcome =
  | { readonly ok: true; readonly report: SeccompReport; readonly profile: string }
  | { readonly ok: false; readonly error: ErrorData };

/**
 * The id to ask for: a name (or an id the engine knows) resolved like the docker CLI does; an id the engine
 * does not know is used as it is (a capture's containers are usually not on this engine).
 */
async function resolveSubject(
  core: AppCore,
  ref: string,
): Promise<{ readonly ok: true; readonly id: string } | { readonly ok: false; readonly error: ErrorData }> {
  const listed = (await core.dispatch(Channels.containersList, {})) as Result<{
    readonly containers: readonly { readonly id: string; readonly name: string }[];
  }>;
  const containers = listed.ok ? listed.value.containers : [];
  const found = resolveContainers(containers, [ref]);
  if ('found' in found && found.found[0] !== undefined) return { ok: true, id: found.found[0].id };
  if (ID.test(ref.toLowerCase())) return { ok: true, id: ref.toLowerCase() };
  const why = 'error' in found ? found.error : `no such container: ${JSON.stringify(ref)}`;
  return {
    ok: false,
    error: {
      code: 'not-found',
      message: listed.ok
        ? why
        : `cannot resolve the name ${JSON.stringify(ref)}: ${listed.error.message}; give its id`,
    },
  };
}

/** Watch, then ask the core for the profile before the subscription ends. */
export async function generateSeccomp(
  core: AppCore,
  args: Extract<SeccompArgs, { ok: true }>,
  sleep: (ms: number) => { promise: Promise<void>; cancel(): void },
): Promise<SeccompOutcome> {
  const subject = await resolveSubject(core, args.container);
  if (!subject.ok) return subject;
  let result: Result<SeccompReport> | null = null;
  const watched = await collectSyscalls(core, args.watch, sleep, async (subId) => {
    result = (await core.dispatch(Channels.seccompGenerate, {
      subId,
      subject: subject.id,
      ...(args.quietSeconds !== undefined ? { quietSeconds: args.quietSeconds } : {}),
    })) as Result<SeccompReport>;
  });
  if (!watched.ok) return { ok: false, error: watched.error };
  const r = result as Result<SeccompReport> | null;
  if (r === null) return { ok: false, error: { code: 'internal', message: 'no profile was generated' } };
  if (!r.ok) return { ok: false, error: r.error };
  if (args.phase === 'running') {
    const running = r.value.phases?.running ?? null;
    if (running === null)
      return {
        ok: false,
        error: {
          code: 'bad-request',
          message:
            'No running phase yet: the set of new syscalls did not stop growing while watched (watch longer, or lower --quiet-seconds).',
        },
      };
    return { ok: true, report: r.value, profile: running.json };
  }
  return { ok: true, report: r.value, profile: r.value.whole.json };
}
