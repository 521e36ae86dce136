import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';

import { startCaptureReplay } from '../../electron/adapters/syscalls/capture-replay.js';
import { RECORDING_FORMAT, writeRecording } from '../../electron/adapters/syscalls/recording-replay.js';
import { systemClock } from '../../electron/adapters/system-clock.js';
import { createLocalCore } from '../../electron/composition.js';
import type { AppCore, PushEnvelope } from '../../electron/services/app-core.js';
import type { EpochMillis } from '../../shared/domain/ids.js';
import type { SourceState, SyscallFrame } from '../../shared/domain/syscalls/model.js';
import { REQUEST_CHANNELS } from '../../shared/ipc/contract.js';
import type { RequestChannel } from '../../shared/ipc/contract.js';
import type { Result } from '../../shared/ipc/result.js';
import { REQUEST_SCHEMAS } from '../../shared/ipc/schemas.js';

// Process and argument safety (issue #9, point 4). Every request channel of the contract, every string
// parameter of each (found by walking its zod schema, so a new parameter needs a case too), fed shell
// metacharacters through the real dispatcher of a real core: the real dockerd, the real sysdig for capture
// paths, real file reads for recordings and Falco files. Each answer must be a refusal (`bad-request`) where
// the schema forbids the value, else a safe result or a clear error (never `internal`); no canary file may
// appear. Paths that pass the schema are also tried as *real files* whose directory names carry the
// payloads: sysdig must read them verbatim (argv, no shell). A static check then reads every child_process
// call in electron/ and requires an argument array and no shell.

const ROOT = join(import.meta.dirname, '..', '..');
const SCAP = join(ROOT, '..', 'shared', 'data', 'scap', 'falco_cat_write.scap');
const FALCO = join(ROOT, '..', 'shared', 'data', 'events', 'falco_single_rule_with_cat_write.json');
const TOKEN = `${process.pid}-${Date.now().toString(36)}`;
const CLIENT = { id: 'argument-safety' };
const started = Date.now();

const canary = (n: number): string => `/tmp/pwned-${TOKEN}-${n}`;
/** Values a shell would act on; none may have an effect. (`rm -rf /` is refused by GNU rm's --preserve-root.) */
const PAYLOADS: readonly string[] = [
  `; rm -rf / ; touch ${canary(1)}`,
  `$(touch ${canary(2)})`,
  `\`touch ${canary(3)}\``,
  `| touch ${canary(4)}`,
  `&& touch ${canary(5)}`,
  `x\ntouch ${canary(6)}`,
  `x\0touch ${canary(7)}`,
  '../../../../../../etc/passwd',
  '--version',
  `-w${canary(8)}`,
  `--option=$(touch ${canary(9)})`,
];

let work: string;
let core: AppCore;
let recording: string;
const states = new Map<string, SourceState[]>();
let stopListening: () => void = () => undefined;

/** Where each kind of subscription pushes its state. */
const STATE_PUSH = { syscalls: 'syscalls:state', anomaly: 'anomaly:state' } as const;

function settledState(subId: string, timeoutMs = 20_000): Promise<SourceState> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = (): void => {
      const last = states.get(subId)?.at(-1);
      if (last !== undefined && (last.phase === 'exited' || last.phase === 'failed')) resolve(last);
      else if (Date.now() > deadline) reject(new Error(`${subId} did not settle: ${JSON.stringify(last)}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

/** What the core answers, as a Result. */
const call = (channel: string, payload: unknown): Promise<Result<unknown>> =>
  core.dispatch(channel, payload, CLIENT);

/** A real file at `<work>/<payload>/<name>` (the payload as directory names), copied from `from`. */
function hostileCopy(payload: string, name: string, from: string): string {
  const dir = join(work, 'files', payload);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  copyFileSync(from, path);
  return path;
}

/** A recording of the small capture, written by the app's own writer. */
async function makeRecording(path: string): Promise<void> {
  const frames: SyscallFrame[] = [];
  await new Promise<void>((resolve) => {
    const src = startCaptureReplay(
      SCAP,
      'max',
      {
        onState: (s) => {
          if (s.phase === 'exited' || s.phase === 'failed') {
            src.dispose();
            resolve();
          }
        },
        onFrame: (f) => frames.push(f),
      },
      { clock: systemClock },
    );
  });
  expect(frames.length).toBeGreaterThan(0);
  await writeRecording(
    path,
    { format: RECORDING_FORMAT, recordedAt: Date.now() as EpochMillis, recordedWith: 'argument-safety test' },
    frames.map((frame, i) => ({ at: (1_700_000_000_000 + i * 250) as EpochMillis, frame })),
  );
}

/** A subscription of the given kind on a real file, settled; returns its subId (still registered). */
async function settledSubscription(kind: 'syscalls' | 'anomaly'): Promise<string> {
  const r =
    kind === 'syscalls'
      ? await call('syscalls:subscribe', { source: { kind: 'sysdig-capture', path: SCAP, speed: 'max' } })
      : await call('anomaly:subscribe', { source: { kind: 'sysdig-capture', path: SCAP } });
  if (!r.ok) throw new Error(r.error.message);
  const { subId } = r.value as { subId: string };
  expect(await settledState(subId)).toMatchObject({ phase: 'exited', reason: 'end-of-input' });
  return subId;
}

/** The fixtures a probe's base payload may refer to. */
interface Ctx {
  readonly syscallsSub: string;
  readonly anomalySub: string;
}

/** One string parameter of a channel. */
interface ParamCase {
  /** Dotted path into the payload; `[]` for an array element. */
  readonly path: string;
  /** A valid payload around the parameter (its value is replaced by each probe). */
  readonly base: (ctx: Ctx) => Record<string, unknown>;
  /**
   * `refused`: the schema must refuse every payload (`bad-request`). `lookup`: an engine-minted id, looked up
   * in a registry only — refused or not found. `path`: a file path handed to a tool or
   * a read — refused only for NUL and a leading `-` (argv options), otherwise handled safely; `realFile`
   * makes a real file whose directory names are the payload. `value`: reaches a handler (e.g. dockerode),
   * which must answer safely.
   */
  readonly reaches:
    | 'refused'
    | 'lookup'
    | {
        readonly kind: 'path';
        readonly realFile: (payload: string) => string;
        readonly settles?: 'syscalls' | 'anomaly';
      }
    | { readonly kind: 'value'; readonly extra: readonly string[] };
}

const none: readonly ParamCase[] = [];
const capture = (payload: string): string => hostileCopy(payload, 'c.scap', SCAP);

/**
 * Every channel's string parameters. The mapped type makes a new channel a compile error here; the test
 * also iterates REQUEST_CHANNELS at run time and compares each list with the schema's string leaves.
 */
const CASES: { readonly [C in RequestChannel]: readonly ParamCase[] } = {
  'engine:describe': none,
  'containers:list': none,
  'containers:inspect': [{ path: 'id', base: () => ({ id: '' }), reaches: 'refused' }],
  'demo:configure': none,
  'app:describe': none,
  'posture:assess': [{ path: 'ids[]', base: () => ({ ids: [] }), reaches: 'refused' }],
  'syscalls:sources': none,
  'syscalls:subscribe': [
    { path: 'source.kind', base: () => ({ source: { kind: '' } }), reaches: 'refused' },
    {
      path: 'source.speed',
      base: () => ({ source: { kind: 'sysdig-capture', path: SCAP, speed: '' } }),
      reaches: 'refused',
    },
    {
      path: 'source.path',
      base: () => ({ source: { kind: 'sysdig-capture', path: '', speed: 'max' } }),
      reaches: { kind: 'path', realFile: capture, settles: 'syscalls' },
    },
    {
      path: 'source.path',
      base: () => ({ source: { kind: 'recording', path: '', speed: 'max' } }),
      reaches: { kind: 'path', realFile: (p) => hostileCopy(p, 'r.jsonl', recording), settles: 'syscalls' },
    },
  ],
  'syscalls:unsubscribe': [{ path: 'subId', base: () => ({ subId: '' }), reaches: 'lookup' }],
  'syscalls:control': [
    { path: 'subId', base: () => ({ subId: '', playing: true }), reaches: 'lookup' },
    { path: 'speed', base: (c) => ({ subId: c.syscallsSub, speed: '' }), reaches: 'refused' },
  ],
  'images:scan': [
    {
      path: 'image',
      base: () => ({ image: '' }),
      // Values in Docker's reference alphabet that try to walk the engine's API paths (these once reached
      // dockerode, which followed the engine's redirect to a host named `info` and threw outside any
      // promise), and a well-formed reference the engine does not have.
      reaches: {
        kind: 'value',
        extra: [
          'x/../../info',
          'bulkhead-test/busybox:1/../../../containers/json',
          'bulkhead-test/none-such:1',
        ],
      },
    },
  ],
  'images:status': none,
  'db:status': none,
  'seccomp:generate': [
    { path: 'subId', base: () => ({ subId: '', subject: 'host' }), reaches: 'lookup' },
    { path: 'subject', base: (c) => ({ subId: c.syscallsSub, subject: '' }), reaches: 'refused' },
  ],
  'anomaly:subscribe': [
    { path: 'source.kind', base: () => ({ source: { kind: '' } }), reaches: 'refused' },
    {
      path: 'source.path',
      base: () => ({ source: { kind: 'sysdig-capture', path: '' } }),
      reaches: { kind: 'path', realFile: capture, settles: 'anomaly' },
    },
    {
      path: 'settings.threshold.kind',
      base: () => ({ source: { kind: 'bpf' }, settings: { threshold: { kind: '', value: 1 } } }),
      reaches: 'refused',
    },
  ],
  'anomaly:unsubscribe': [{ path: 'subId', base: () => ({ subId: '' }), reaches: 'lookup' }],
  'anomaly:import-falco': [
    { path: 'subId', base: () => ({ subId: '', path: FALCO }), reaches: 'lookup' },
    {
      path: 'path',
      base: (c) => ({ subId: c.anomalySub, path: '' }),
      reaches: { kind: 'path', realFile: (p) => hostileCopy(p, 'f.json', FALCO) },
    },
  ],
  // The lab's operations take no string (attack's target is an enum): never run here, only refused.
  'lab:status': none,
  'lab:up': none,
  'lab:attack': none,
  'lab:down': none,
  'report:build': reportRequestCases({}),
  'report:export': [
    ...reportRequestCases({ format: 'json', path: '/tmp/bh-argsafety-none/r.json', exportId: 'x1' }),
    {
      path: 'exportId',
      base: () => ({ sections: ['posture'], format: 'json', path: '/tmp/r.json', exportId: '' }),
      reaches: 'refused',
    },
    {
      path: 'path',
      base: () => ({ sections: ['posture'], format: 'json', path: '', exportId: 'x1' }),
      // Relative payloads are refused (the path must be absolute); an absolute one through a directory
      // named like a command that does not exist is written nowhere and says why.
      reaches: { kind: 'value', extra: [`/tmp/bh-argsafety-none/$(touch ${canary(10)})/r.json`] },
    },
  ],
  'report:reveal': [
    {
      path: 'path',
      base: () => ({ path: '' }),
      reaches: { kind: 'value', extra: [`/tmp/$(touch ${canary(11)}).pdf`] },
    },
  ],
};

/** The string parameters every report request shares; `rest` completes the payload. */
function reportRequestCases(rest: Record<string, unknown>): readonly ParamCase[] {
  const base = (over: Record<string, unknown>) => () => ({ sections: ['posture'], ...rest, ...over });
  return [
    { path: 'containers[]', base: base({ containers: [] }), reaches: 'refused' },
    { path: 'syscallsSubId', base: base({ syscallsSubId: '' }), reaches: 'lookup' },
    { path: 'anomalySubId', base: base({ anomalySubId: '' }), reaches: 'lookup' },
  ];
}

/** Every string-typed leaf of a zod schema, as dotted paths (union variants merged). */
function stringLeaves(schema: z.ZodType, path = ''): Set<string> {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const out = new Set<string>();
  const add = (s: Set<string>): void => s.forEach((p) => out.add(p));
  switch (def.type) {
    case 'string':
      out.add(path);
      break;
    case 'literal':
      if ((def.values as unknown[]).some((v) => typeof v === 'string')) out.add(path);
      break;
    case 'object':
      for (const [k, v] of Object.entries(def.shape as Record<string, z.ZodType>))
        add(stringLeaves(v, path === '' ? k : `${path}.${k}`));
      break;
    case 'array':
      add(stringLeaves(def.element as z.ZodType, `${path}[]`));
      break;
    case 'optional':
    case 'nullable':
      add(stringLeaves(def.innerType as z.ZodType, path));
      break;
    case 'pipe':
      add(stringLeaves(def.in as z.ZodType, path));
      break;
    case 'union':
      for (const o of def.options as z.ZodType[]) add(stringLeaves(o, path));
      break;
    default:
      break;
  }
  return out;
}

function withValue(base: Record<string, unknown>, path: string, value: string): Record<string, unknown> {
  const copy = structuredClone(base);
  const keys = path.split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (last.endsWith('[]')) node[last.slice(0, -2)] = [value];
  else node[last] = value;
  return copy;
}

/** Unsubscribe whatever a probe's answer opened. */
async function release(channel: string, r: Result<unknown>): Promise<void> {
  if (!r.ok) return;
  const subId = (r.value as { subId?: unknown }).subId;
  if (typeof subId !== 'string') return;
  if (channel === 'syscalls:subscribe') await call('syscalls:unsubscribe', { subId });
  if (channel === 'anomaly:subscribe') await call('anomaly:unsubscribe', { subId });
}

function expectClear(r: Result<unknown>, what: string): void {
  if (r.ok) return;
  expect(r.error.code, `${what}: ${r.error.message}`).not.toBe('internal');
  expect(r.error.message.length, what).toBeGreaterThan(0);
}

let ctx: Ctx;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bh-argsafety-'));
  recording = join(work, 'small.jsonl');
  await makeRecording(recording);
  core = createLocalCore({
    mode: 'browser',
    env: { DOCKER_HOST: 'unix:///var/run/docker.sock', BULKHEAD_DATA_DIR: join(work, 'data') },
    demoPath: join(work, 'no-demo.json'),
  });
  stopListening = core.pushes.subscribe((push: PushEnvelope) => {
    if (push.channel === STATE_PUSH.syscalls || push.channel === STATE_PUSH.anomaly) {
      const { subId, state } = push.payload as { subId: string; state: SourceState };
      states.set(subId, [...(states.get(subId) ?? []), state]);
    }
  });
  ctx = {
    syscallsSub: await settledSubscription('syscalls'),
    anomalySub: await settledSubscription('anomaly'),
  };
});

afterAll(async () => {
  stopListening();
  await core?.dispose();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('shell metacharacters through every request channel', () => {
  it('every channel of the contract has a case, and each case lists exactly its schema’s string parameters', () => {
    const cases = CASES as Partial<Record<string, readonly ParamCase[]>>;
    expect(REQUEST_CHANNELS.filter((c) => cases[c] === undefined)).toEqual([]);
    for (const channel of REQUEST_CHANNELS) {
      const declared = new Set((cases[channel] ?? []).map((p) => p.path));
      expect([...declared].sort(), channel).toEqual([...stringLeaves(REQUEST_SCHEMAS[channel])].sort());
    }
  });

  for (const channel of REQUEST_CHANNELS) {
    it(`${channel}: refused where the schema forbids, handled safely where it allows, nothing executed`, async () => {
      // A payload that is a string, or carries an unknown key: refused on every channel (strict schemas).
      for (const p of PAYLOADS) {
        expect(await call(channel, p)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
        expect(await call(channel, { [p]: p })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
      }
      for (const param of CASES[channel]) {
        const base = param.base(ctx);
        const reaches = param.reaches;
        const values =
          typeof reaches === 'object' && reaches.kind === 'value'
            ? [...PAYLOADS, ...reaches.extra]
            : PAYLOADS;
        for (const value of values) {
          const what = `${channel} ${param.path}=${JSON.stringify(value)}`;
          const r = await call(channel, withValue(base, param.path, value));
          if (reaches === 'lookup') {
            expect(r.ok, what).toBe(false);
            if (!r.ok)
              expect(['bad-request', 'not-found'], `${what}: ${r.error.message}`).toContain(r.error.code);
            continue;
          }
          const refused =
            reaches === 'refused' ||
            (reaches.kind === 'path' && (value.includes('\0') || value.startsWith('-'))) ||
            (reaches.kind === 'value' && PAYLOADS.includes(value));
          if (refused) {
            expect(r, what).toMatchObject({ ok: false, error: { code: 'bad-request' } });
            continue;
          }
          expectClear(r, what);
          if (reaches.kind === 'path' && reaches.settles !== undefined && r.ok) {
            // The hostile string as a path names no capture: the source fails saying so.
            const s = await settledState((r.value as { subId: string }).subId);
            expect(s.phase, what).toBe('failed');
            if (s.phase === 'failed') expect(s.error.code, what).not.toBe('internal');
          }
          await release(channel, r);
          if (reaches.kind !== 'path') continue;
          // The same payload as the directory names of a real file: read verbatim, to its end.
          if (value.includes('..')) continue;
          const real = reaches.realFile(value);
          const rr = await call(channel, withValue(base, param.path, real));
          expect(rr.ok, `${what} as a real file: ${rr.ok ? '' : rr.error.message}`).toBe(true);
          if (reaches.settles !== undefined && rr.ok) {
            expect(await settledState((rr.value as { subId: string }).subId), what).toMatchObject({
              phase: 'exited',
              reason: 'end-of-input',
            });
          }
          if (channel === 'anomaly:import-falco' && rr.ok)
            expect((rr.value as { alerts: number }).alerts, what).toBeGreaterThan(0);
          await release(channel, rr);
        }
      }
      // Nothing a shell would have done happened.
      expect(Array.from({ length: 11 }, (_, i) => canary(i + 1)).filter((p) => existsSync(p))).toEqual([]);
    });
  }

  it('no /tmp/pwned-* file appeared while the probes ran', () => {
    const fresh = readdirSync('/tmp').filter(
      (n) => n.startsWith('pwned-') && statSync(join('/tmp', n)).mtimeMs >= started - 1000,
    );
    expect(fresh).toEqual([]);
  });
});

/** Names child_process exports that run a command, and whether each takes its arguments as an array. */
const ARRAY_CALLS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork']);
const SHELL_CALLS = new Set(['exec', 'execSync']);

describe('every child process in electron/ is started with an argument array and no shell', () => {
  it('found by the type checker: each call resolves to node:child_process, has an array argv, shell unset or false', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) files.push(p);
      }
    };
    walk(join(ROOT, 'electron'));
    const importers = files.filter((f) => /from 'node:child_process'/.test(readFileSync(f, 'utf8')));
    expect(importers.length).toBeGreaterThan(0);

    const program = ts.createProgram(importers, {
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    });
    const checker = program.getTypeChecker();
    const found = new Map<string, number>();
    const problems: string[] = [];
    for (const file of importers) {
      const sf = program.getSourceFile(file)!;
      const where = (n: ts.Node): string =>
        `${relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const decl = checker.getResolvedSignature(node)?.getDeclaration();
          const fromChildProcess = decl?.getSourceFile().fileName.endsWith('@types/node/child_process.d.ts');
          const name =
            decl !== undefined && 'name' in decl ? (decl.name as ts.Node | undefined)?.getText() : '';
          if (
            fromChildProcess &&
            name !== undefined &&
            (ARRAY_CALLS.has(name) || SHELL_CALLS.has(name) || name === '__promisify__')
          ) {
            found.set(file, (found.get(file) ?? 0) + 1);
            if (SHELL_CALLS.has(name)) problems.push(`${where(node)}: ${name} runs a shell`);
            const argv = node.arguments[1];
            const argvType = argv === undefined ? undefined : checker.getTypeAtLocation(argv);
            if (argvType === undefined || !(checker.isArrayType(argvType) || checker.isTupleType(argvType)))
              problems.push(`${where(node)}: ${name} without an argument array`);
            for (const opt of node.arguments.slice(2)) {
              const shell = checker.getTypeAtLocation(opt).getProperty('shell');
              if (shell === undefined) continue;
              const t = checker.getTypeOfSymbolAtLocation(shell, opt);
              if (!(t.flags & ts.TypeFlags.BooleanLiteral) || checker.typeToString(t) !== 'false')
                problems.push(`${where(node)}: ${name} with shell: ${checker.typeToString(t)}`);
            }
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(problems).toEqual([]);
    // Every file that imports child_process was seen calling it (a call the checker missed would hide here).
    expect(
      importers.filter(
        (f) =>
          !found.has(f) && !/import type \{[^}]*\} from 'node:child_process'/.test(readFileSync(f, 'utf8')),
      ),
    ).toEqual([]);
  });
});
