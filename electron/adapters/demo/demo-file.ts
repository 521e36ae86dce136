import { readFile } from 'node:fs/promises';

import { z } from 'zod';

import { CONTAINER_STATES } from '../../../shared/domain/container.js';
import type { ContainerId, EpochMillis } from '../../../shared/domain/ids.js';
import { BulkheadError } from '../../../shared/ipc/result.js';
import { describeIssues } from '../../../shared/ipc/schemas.js';
import type { DemoScenario, DemoScenarioPort } from '../../services/ports.js';

const epochMillis = z
  .number()
  .int()
  .nonnegative()
  .transform((n) => n as EpochMillis);

const containerIdSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'expected a full 64-hex container id')
  .transform((s) => s as ContainerId);

const engineInfoSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  apiVersion: z.string(),
  os: z.string(),
  arch: z.string(),
  kernelVersion: z.string(),
  operatingSystem: z.string(),
});

const summarySchema = z.strictObject({
  id: containerIdSchema,
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  state: z.enum(CONTAINER_STATES),
  status: z.string(),
  createdAt: epochMillis,
  startedAt: epochMillis.nullable(),
  finishedAt: epochMillis.nullable(),
  exitCode: z.number().int().nullable(),
  pid: z.number().int().nonnegative(),
  labels: z.record(z.string(), z.string()),
});

const int = z.number().int();
const evidenceSchema = z.strictObject({
  source: z.enum(['inspect', 'proc', 'engine', 'host']),
  field: z.string(),
  value: z.string(),
});
const kernelErrorSchema = z.strictObject({
  code: z.enum(['permission-denied', 'process-gone', 'not-supported', 'unparseable', 'unreadable']),
  message: z.string(),
});
/** A KernelFile<T>: the parsed value, or the typed reason it could not be read. */
const kernelFile = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [
    z.strictObject({ ok: z.literal(true), path: z.string(), value }),
    z.strictObject({ ok: z.literal(false), path: z.string(), error: kernelErrorSchema }),
  ]);
const capabilitySetSchema = z.strictObject({
  hex: z.string().regex(/^[0-9a-f]{16}$/),
  names: z.array(z.string()),
  unknownBits: z.array(int),
});
const procStatusSchema = z.strictObject({
  name: z.string().nullable(),
  pid: int.nullable(),
  uid: z.tuple([int, int, int, int]).nullable(),
  seccompMode: z.union([z.literal(0), z.literal(1), z.literal(2)]).nullable(),
  seccompFilters: int.nullable(),
  noNewPrivs: z.boolean().nullable(),
  capInh: capabilitySetSchema.nullable(),
  capPrm: capabilitySetSchema.nullable(),
  capEff: capabilitySetSchema.nullable(),
  capBnd: capabilitySetSchema.nullable(),
  capAmb: capabilitySetSchema.nullable(),
});
const kernelEvidenceSchema = z.strictObject({
  pid: int,
  status: kernelFile(procStatusSchema),
  uidMap: kernelFile(z.array(z.strictObject({ inside: int, outside: int, count: int }))),
  attrCurrent: kernelFile(
    z.strictObject({
      raw: z.string(),
      lsm: z.enum(['apparmor', 'selinux', 'unknown']),
      profile: z.string(),
      mode: z.string().nullable(),
      unconfined: z.boolean(),
    }),
  ),
  pidNamespace: kernelFile(z.string()),
});
const processListSchema = z.strictObject({
  source: z.enum(['proc', 'engine']),
  scope: z.enum(['pid-namespace', 'cgroup', 'engine-top']),
  items: z.array(z.strictObject({ pid: int, comm: z.string(), args: z.array(z.string()) })),
  truncated: z.boolean(),
});
const optionalBool = z.boolean().nullable().optional();
const decidedSchema = z.strictObject({
  facts: z.strictObject({
    tcpWithoutTls: optionalBool,
    icc: optionalBool,
    userlandProxy: optionalBool,
    defaultUlimits: z
      .array(z.strictObject({ name: z.string(), soft: int, hard: int }))
      .nullable()
      .optional(),
    noNewPrivilegesDefault: optionalBool,
    iptables: optionalBool,
  }),
  evidence: z.strictObject({
    tcpWithoutTls: z.array(evidenceSchema).optional(),
    icc: z.array(evidenceSchema).optional(),
    userlandProxy: z.array(evidenceSchema).optional(),
    defaultUlimits: z.array(evidenceSchema).optional(),
    noNewPrivilegesDefault: z.array(evidenceSchema).optional(),
    iptables: z.array(evidenceSchema).optional(),
  }),
  notes: z.array(z.string()),
});

/** What a scenario records for posture: engine documents, decided daemon facts, host and kernel evidence. */
export const demoPostureSchema = z.strictObject({
  engine: z.strictObject({ info: z.unknown(), version: z.unknown() }),
  decided: decidedSchema,
  host: z
    .strictObject({ lsms: kernelFile(z.array(z.string())), pidNamespace: z.string().nullable() })
    .nullable(),
  containers: z.array(
    z.strictObject({
      id: containerIdSchema,
      kernel: kernelEvidenceSchema,
      processes: processListSchema.nullable(),
    }),
  ),
});

/** The lab session recorded into a scenario (`bulkhead lab record`). */
const demoLabSchema = z.strictObject({
  recordedAt: epochMillis,
  recordedWith: z.string(),
  recording: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/, 'expected a file name beside the scenario'),
});

/**
 * The schema of `assets/demo/scenario.json` (format `bulkhead-demo/1`): summaries strictly, inspect as is.
 * `posture` and `lab` are optional, so scenarios recorded before them still load (their posture is
 * configuration only; they hold no lab session).
 */
export const demoScenarioSchema = z.strictObject({
  format: z.literal('bulkhead-demo/1'),
  recordedAt: epochMillis,
  recordedWith: z.string(),
  engine: engineInfoSchema,
  containers: z.array(z.strictObject({ summary: summarySchema, inspect: z.unknown() })),
  posture: demoPostureSchema.optional(),
  lab: demoLabSchema.optional(),
});

/**
 * Parse and validate a demo scenario document.
 *
 * Throws BulkheadError `demo-unavailable` naming `where` and the first problems found.
 */
export function parseDemoScenario(text: string, where: string): DemoScenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new BulkheadError('demo-unavailable', `demo scenario ${where} is not valid JSON: ${message}`);
  }
  const parsed = demoScenarioSchema.safeParse(json);
  if (!parsed.success) {
    throw new BulkheadError(
      'demo-unavailable',
      `demo scenario ${where} is invalid: ${describeIssues(parsed.error)}`,
    );
  }
  const ids = new Set<string>();
  for (const c of parsed.data.containers) {
    if (ids.has(c.summary.id)) {
      throw new BulkheadError(
        'demo-unavailable',
        `demo scenario ${where} lists container ${c.summary.id} twice`,
      );
    }
    ids.add(c.summary.id);
  }
  for (const k of parsed.data.posture?.containers ?? []) {
    if (!ids.has(k.id)) {
      throw new BulkheadError(
        'demo-unavailable',
        `demo scenario ${where} has kernel evidence for container ${k.id}, which it does not list`,
      );
    }
  }
  return parsed.data;
}

/**
 * The demo scenario stored at `path`.
 *
 * `load()` answers null when the file does not exist and throws BulkheadError `demo-unavailable` for one
 * that cannot be read, is not JSON or does not match the format.
 */
export function createDemoFile(path: string): DemoScenarioPort {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ENOENT') return null;
        const message = e instanceof Error ? e.message : String(e);
        throw new BulkheadError('demo-unavailable', `cannot read demo scenario ${path}: ${message}`);
      }
      return parseDemoScenario(text, path);
    },
  };
}
