import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { format, resolveConfig } from 'prettier';

import { reportSchemaText } from '../../shared/domain/report/schema.js';

/**
 * Write the report's published JSON Schema (assets/schemas/bulkhead-report-1.schema.json) from
 * REPORT_JSON_SCHEMA, formatted by Prettier like every other file: `npx tsx test/support/gen-report-schema.ts`.
 * test/unit/report/schema.test.ts fails while the file and the constant differ.
 */

/** Where the published schema lives. */
export const REPORT_SCHEMA_FILE = join(
  import.meta.dirname,
  '..',
  '..',
  'assets',
  'schemas',
  'bulkhead-report-1.schema.json',
);

if (process.argv[1]?.endsWith('gen-report-schema.ts') === true) {
  const options = (await resolveConfig(REPORT_SCHEMA_FILE)) ?? {};
  writeFileSync(REPORT_SCHEMA_FILE, await format(reportSchemaText(), { ...options, parser: 'json' }));
  process.stdout.write(`wrote ${REPORT_SCHEMA_FILE}\n`);
}
