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
  id: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected a full 64-hex container id')
    .transform((s) => s as ContainerId),
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

/** The schema of `assets/demo/scenario.json` (format `bulkhead-demo/1`): summaries strictly, inspect as is. */
export const demoScenarioSchema = z.strictObject({
  format: z.literal('bulkhead-demo/1'),
  recordedAt: epochMillis,
  recordedWith: z.string(),
  engine: engineInfoSchema,
  containers: z.array(z.strictObject({ summary: summarySchema, inspect: z.unknown() })),
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
