import { z } from 'zod';

import type { ContainerId } from '../domain/ids.js';
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

/** The schema table; the mapped type keeps it in step with RequestMap at compile time. */
export const REQUEST_SCHEMAS: { readonly [C in RequestChannel]: z.ZodType<RequestOf<C>, unknown> } = {
  'engine:describe': empty,
  'containers:list': empty,
  'containers:inspect': z.strictObject({ id: containerIdSchema }),
  'demo:configure': z.strictObject({ showDemoWhenDisconnected: z.boolean() }),
  'app:describe': empty,
  'posture:assess': z.strictObject({ ids: z.array(containerIdSchema).max(10_000).optional() }),
};

/** One line describing why a payload was refused, for the `bad-request` message. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`)
    .join('; ');
}
