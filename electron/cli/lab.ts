import { parseArgs } from 'node:util';

import { BulkheadError } from '../../shared/ipc/result.js';
import { assertNever } from '../../shared/util/assert-never.js';
import type { LabUpReport } from '../../shared/domain/lab.js';
import {
  attackStartLine,
  attackStepLine,
  attackSummaryLine,
  describeResult,
  DOWN_NOTHING_LINE,
  downRemovedLine,
  upConflictLine,
  upHeaderLine,
  upProfileLine,
} from '../../shared/domain/lab.js';
import type { LabEngine, LabImages } from '../adapters/docker/lab.js';
import {
  attackTarget,
  DEFAULT_LAB_IMAGES,
  LAB_ROLES,
  labAttack,
  labDown,
  labUp,
  openLabEngine,
} from '../adapters/docker/lab.js';
import { sanitizeForTerminal } from './format.js';
import type { LabRecordOptions } from './lab-record.js';
import { parseDuration } from './syscalls.js';

/**
 * `bulkhead lab up|attack|down|record`: the demo lab on the local engine (electron/adapters/docker/lab.ts);
 * `record` (maintainers) records a lab session for the offline demo (lab-record.ts).
 *
 * Exit codes: 0 done (a start the engine refused is reported, not a failure), 1 the engine failed or
 * refused the request (a missing image, a container that is not the lab's, a remote engine), 2 bad usage.
 */

/** What the lab commands need. */
export interface LabCliDeps {
  /** The engine the environment points at; throws BulkheadError when it cannot be resolved. */
  openEngine(): LabEngine;
  /** The CLI's usage text, shown after a usage error. */
  readonly usage: string;
  /** `lab record` (maintainers; needs the app core and the host evidence); absent: it says so. */
  readonly record?: (options: LabRecordOptions, log: (line: string) => void) => Promise<unknown>;
}

interface Io {
  out(text: string): void;
  err(text: string): void;
}

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Longest pause `lab attack --pause` accepts. */
export const MAX_ATTACK_PAUSE_MS = 60_000;

/** The lab's dependencies for this environment: the engine resolved like the docker CLI resolves it. */
export function createLabCliDeps(
  usage: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  record?: LabCliDeps['record'],
): LabCliDeps {
  return { usage, openEngine: () => openLabEngine(env), ...(record !== undefined ? { record } : {}) };
}

function usageError(io: Io, deps: LabCliDeps, message: string): number {
  io.err(`bulkhead: ${message}\n\n${deps.usage}`);
  return EXIT.usage;
}

function fail(io: Io, e: unknown): number {
  const code = e instanceof BulkheadError ? ` [${e.code}]` : '';
  io.err(`bulkhead: ${sanitizeForTerminal(e instanceof Error ? e.message : String(e))}${code}`);
  return EXIT.failed;
}

/** `bulkhead lab …` */
export async function labCommand(args: readonly string[], io: Io, deps: LabCliDeps): Promise<number> {
  const [sub, ...rest] = args;
  let parsed: Parsed;
  try {
    parsed = parse(sub, rest);
  } catch (e) {
    return usageError(io, deps, e instanceof Error ? e.message : String(e));
  }
  if ('usage' in parsed) return usageError(io, deps, parsed.usage);
  try {
    if (parsed.sub === 'record') {
      if (deps.record === undefined)
        throw new BulkheadError('internal', 'lab record is not wired in this build');
      await deps.record(parsed.options, (line) => io.err(sanitizeForTerminal(line)));
      return EXIT.ok;
    }
    const lab = deps.openEngine();
    switch (parsed.sub) {
      case 'up':
        return await up(lab, io, parsed.images, parsed.json);
      case 'down':
        return await down(lab, io, parsed.json);
      case 'attack':
        return await attack(lab, io, parsed.target, parsed.pauseMs, parsed.json);
      default:
        return assertNever(parsed);
    }
  } catch (e) {
    return fail(io, e);
  }
}

type Parsed =
  | { readonly usage: string }
  | { readonly sub: 'up'; readonly images: LabImages; readonly json: boolean }
  | { readonly sub: 'down'; readonly json: boolean }
  | { readonly sub: 'attack'; readonly target: string; readonly pauseMs: number; readonly json: boolean }
  | { readonly sub: 'record'; readonly options: LabRecordOptions };

/** Parse a lab command line; throws parseArgs' TypeError on an unknown option. */
function parse(sub: string | undefined, rest: readonly string[]): Parsed {
  switch (sub) {
    case 'up': {
      const { values, positionals } = parseArgs({
        args: [...rest],
        options: {
          image: { type: 'string' },
          'idle-image': { type: 'string' },
          json: { type: 'boolean' },
        },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length > 0) return { usage: 'lab up takes no positional arguments' };
      const images = {
        attack: values.image ?? DEFAULT_LAB_IMAGES.attack,
        idle: values['idle-image'] ?? DEFAULT_LAB_IMAGES.idle,
      };
      for (const image of [images.attack, images.idle])
        if (!/^[a-z0-9][a-zA-Z0-9._/:@-]{0,254}$/.test(image))
          return { usage: `not an image reference: ${JSON.stringify(image)}` };
      return { sub, images, json: values.json === true };
    }
    case 'down': {
      const { values, positionals } = parseArgs({
        args: [...rest],
        options: { json: { type: 'boolean' } },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length > 0) return { usage: 'lab down takes no positional arguments' };
      return { sub, json: values.json === true };
    }
    case 'attack': {
      const { values, positionals } = parseArgs({
        args: [...rest],
        options: { pause: { type: 'string' }, json: { type: 'boolean' } },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length !== 1)
        return {
          usage: `lab attack takes exactly one CONTAINER (a name, an id, or a role: ${LAB_ROLES.join(', ')})`,
        };
      const target = positionals[0]!;
      if (attackTarget(target) === null) return { usage: `not a container name: ${JSON.stringify(target)}` };
      const pauseMs = parseDuration(values.pause ?? '1s');
      if (pauseMs === null || pauseMs > MAX_ATTACK_PAUSE_MS)
        return { usage: `--pause must be a duration up to 60s (got ${JSON.stringify(values.pause)})` };
      return { sub, target, pauseMs, json: values.json === true };
    }
    case 'record': {
      const { values, positionals } = parseArgs({
        args: [...rest],
        options: {
          out: { type: 'string' },
          scenario: { type: 'string' },
          pause: { type: 'string' },
          quiet: { type: 'string' },
        },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length > 0) return { usage: 'lab record takes no positional arguments' };
      const pauseMs = parseDuration(values.pause ?? '1s');
      const quietMs = parseDuration(values.quiet ?? '5s');
      if (pauseMs === null || pauseMs > MAX_ATTACK_PAUSE_MS)
        return { usage: `--pause must be a duration up to 60s (got ${JSON.stringify(values.pause)})` };
      if (quietMs === null || quietMs > MAX_ATTACK_PAUSE_MS)
        return { usage: `--quiet must be a duration up to 60s (got ${JSON.stringify(values.quiet)})` };
      return {
        sub,
        options: {
          out: values.out ?? 'assets/demo/lab-session.jsonl',
          scenario: values.scenario ?? 'assets/demo/scenario.json',
          pauseMs,
          quietMs,
        },
      };
    }
    default:
      return { usage: `unknown lab command ${JSON.stringify(sub ?? '')}: up, attack, down or record` };
  }
}

async function up(lab: LabEngine, io: Io, images: LabImages, json: boolean): Promise<number> {
  const say = (text: string): void => (json ? io.err(text) : io.out(text));
  say(sanitizeForTerminal(upHeaderLine(lab.endpoint.url)));
  const report = await labUp(lab, { images, onEntry: (e) => say(sanitizeForTerminal(e.line)) });
  if (json) io.out(JSON.stringify(upJson(report), null, 2));
  else {
    say(upProfileLine(report));
    say('Attack one: bulkhead lab attack weak (or hardened, default). Remove them: bulkhead lab down');
  }
  const conflicts = upConflictLine(report);
  if (conflicts !== null) {
    io.err(`bulkhead: ${sanitizeForTerminal(conflicts)}`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

/** The report as JSON: the profile's document rather than its text, so the output stays one document. */
function upJson(report: LabUpReport): unknown {
  return {
    engine: report.engine,
    arch: report.arch,
    entries: report.entries,
    hardenedProfile: {
      document: report.hardenedProfile.document,
      metadata: report.hardenedProfile.metadata,
    },
  };
}

async function down(lab: LabEngine, io: Io, json: boolean): Promise<number> {
  const say = (text: string): void => (json ? io.err(text) : io.out(text));
  const report = await labDown(lab, { onRemoved: (c) => say(sanitizeForTerminal(downRemovedLine(c))) });
  if (json) io.out(JSON.stringify(report, null, 2));
  else if (report.removed.length === 0) say(DOWN_NOTHING_LINE);
  return EXIT.ok;
}

async function attack(
  lab: LabEngine,
  io: Io,
  target: string,
  pauseMs: number,
  json: boolean,
): Promise<number> {
  const say = (text: string): void => (json ? io.err(text) : io.out(text));
  const report = await labAttack(lab, target, {
    pauseMs,
    onStart: (c, steps) => say(sanitizeForTerminal(attackStartLine(c, steps, pauseMs))),
    onStepStart: (step, i, of) => say(sanitizeForTerminal(attackStepLine(step, i, of))),
    onStepResult: (r) => say(`      ${sanitizeForTerminal(describeResult(r))}`),
  });
  if (json) io.out(JSON.stringify(report, null, 2));
  else say(sanitizeForTerminal(attackSummaryLine(report)));
  return EXIT.ok;
}
