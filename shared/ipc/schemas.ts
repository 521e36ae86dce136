import { z } from 'zod';

import type { ContainerId } from '../domain/ids.js';
import { REPORT_FORMATS, REPORT_SECTIONS } from '../domain/report/model.js';
import { LAB_ROLES } from '../domain/lab.js';
import type { RequestChannel, RequestOf } from './contract.js';

/**
 * A zod schema for every request payload.
 *
 * Every payload is validated at the main boundary before it reaches a handler: container ids and flags end
 * up in dockerode calls and, later, in child-process arguments. Schemas are strict: unknown keys are refused.
 */
export const containerIdSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'expected a full 64-hex container id')
  .transform((s) => s as ContainerId);

const empty = z.strictObject({});

/** A file path handed to a child process: bounded, no NUL, not an option (argv injection). */
export const filePathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte')
  .refine((p) => !p.startsWith('-'), 'path must not start with "-"');

// Docker's image reference grammar (the distribution reference format), written out: lowercase path
// components joined by `.`, `_`, `__` or dashes; an optional registry host (name or [IPv6]) with a port;
// a tag of word characters, `.` and `-`; a digest. `..`, `//`, a leading `-` or `/` cannot match, so a
// reference cannot walk the engine's API paths (`x/../../info` made dockerode follow a redirect).
const REF_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REF_HOST_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const REF_HOST = `(?:${REF_HOST_PART}(?:\\.${REF_HOST_PART})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const REF_TAG = '[\\w][\\w.-]{0,127}';
const REF_DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const IMAGE_REFERENCE = new RegExp(
  `^(?:sha256:[0-9a-f]{64}|(?:${REF_HOST}/)?${REF_COMPONENT}(?:/${REF_COMPONENT})*(?::${REF_TAG})?(?:@${REF_DIGEST})?)$`,
);

/**
 * An image id (`sha256:` + 64 hex) or a reference (`[host[:port]/]path[:tag][@digest]`) in Docker's own
 * grammar; never starting with `-`, so it cannot become an option of a tool it is handed to, and without
 * `..` segments, so it cannot walk the engine's API paths.
 */
export const imageRefSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(IMAGE_REFERENCE, 'expected an image id or reference');

const replaySpeedSchema = z.union([z.literal('max'), z.number().min(0.1).max(1000)]);

/** Subscription ids are minted by the engine; anything else is refused before a lookup. */
export const subIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a subscription id');

const syscallSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bpf') }),
  z.strictObject({ kind: z.literal('sysdig-live') }),
  z.strictObject({ kind: z.literal('sysdig-capture'), path: filePathSchema, speed: replaySpeedSchema }),
  z.strictObject({
    kind: z.literal('recording'),
    path: filePathSchema,
    speed: replaySpeedSchema,
    loop: z.boolean().optional(),
  }),
  z.strictObject({ kind: z.literal('lab-session'), speed: replaySpeedSchema }),
]);

const anomalySourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bpf') }),
  z.strictObject({ kind: z.literal('sysdig-capture'), path: filePathSchema }),
]);

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * A file the engine writes (a report): absolute (POSIX `/…` or Windows `C:\…`) or in the engine's home
 * directory (`~/…`, resolved by the writer), bounded, no NUL. The writer resolves it (`..` segments) before
 * use; the UI gets it from a save dialog (or proposes `~/…`), the CLI resolves a relative --out against its
 * working directory before asking.
 */
export const outputPathSchema = z
  .string()
  .min(2)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte')
  .refine(
    (p) => p.startsWith('/') || p.startsWith('~/') || /^[A-Za-z]:[\\/]/.test(p),
    'path must be absolute (or start with ~/)',
  );

const reportRequestShape = {
  containers: z.array(containerIdSchema).max(10_000).optional(),
  sections: z.array(z.enum(REPORT_SECTIONS)).min(1).max(REPORT_SECTIONS.length).optional(),
  windowSeconds: int(1, 3600).optional(),
  syscallsSubId: subIdSchema.optional(),
  anomalySubId: subIdSchema.optional(),
};

/**
 * BoSC settings from a client, bounded tighter than the detector's own limits where memory is at stake
 * (bags per container, syscall names, containers): a request must not be able to make the engine allocate
 * gigabytes. Cross-field checks (a count threshold below the epoch size) are the detector's, reported as
 * `bad-request` by the service.
 */
export const anomalySettingsSchema = z.strictObject({
  windowSize: int(2, 100).optional(),
  epochSize: int(10, 10_000_000).optional(),
  trainingEpochs: int(1, 1_000_000).optional(),
  threshold: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('fraction'), value: z.number().min(0).lt(1) }),
      z.strictObject({ kind: z.literal('count'), value: int(0, 10_000_000) }),
    ])
    .optional(),
  maxBags: int(1, 1 << 20).optional(),
  maxSyscalls: int(16, 4096).optional(),
  maxContainers: int(1, 1024).optional(),
  maxAnomalies: int(1, 1000).optional(),
  hintSize: int(0, 20).optional(),
});

/** The schema table; the mapped type keeps it in step with RequestMap at compile time. */
export const REQUEST_SCHEMAS: { readonly [C in RequestChannel]: z.ZodType<RequestOf<C>, unknown> } = {
  'engine:describe': empty,
  'containers:list': empty,
  'containers:inspect': z.strictObject({ id: containerIdSchema }),
  'demo:configure': z.strictObject({ showDemoWhenDisconnected: z.boolean() }),
  'app:describe': empty,
  'posture:assess': z.strictObject({ ids: z.array(containerIdSchema).max(10_000).optional() }),
  'syscalls:sources': empty,
  'syscalls:subscribe': z.strictObject({ source: syscallSourceSchema }),
  'syscalls:unsubscribe': z.strictObject({ subId: subIdSchema }),
  'syscalls:control': z.strictObject({
    subId: subIdSchema,
    seek: z.number().finite().optional(),
    speed: replaySpeedSchema.optional(),
    playing: z.boolean().optional(),
  }),
  'images:scan': z.strictObject({ image: imageRefSchema, force: z.boolean().optional() }),
  'images:status': empty,
  'db:status': empty,
  'seccomp:generate': z.strictObject({
    subId: subIdSchema,
    subject: z.string().regex(/^(?:[0-9a-f]{12,64}|host|<NA>)$/, 'expected a container id, host or <NA>'),
    healthyAt: z.number().int().min(0).max(1e11).optional(),
    quietSeconds: z.number().int().min(1).max(3600).optional(),
  }),
  'anomaly:subscribe': z.strictObject({
    source: anomalySourceSchema,
    settings: anomalySettingsSchema.optional(),
  }),
  'anomaly:unsubscribe': z.strictObject({ subId: subIdSchema }),
  'anomaly:import-falco': z.strictObject({ subId: subIdSchema, path: filePathSchema }),
  'report:build': z.strictObject(reportRequestShape),
  'report:export': z.strictObject({
    ...reportRequestShape,
    format: z.enum(REPORT_FORMATS),
    path: outputPathSchema,
    exportId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected an export id'),
  }),
  'report:reveal': z.strictObject({ path: outputPathSchema }),
  'lab:status': empty,
  'lab:up': empty,
  'lab:attack': z.strictObject({ target: z.enum(LAB_ROLES) }),
  'lab:down': empty,
};

/** One line describing why a payload was refused, for the `bad-request` message. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`)
    .join('; ');
}
