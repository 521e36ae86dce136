import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import Ajv04 from 'ajv-draft-04';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

/**
 * Validators for the bundled schemas (test/fixtures/schemas, see its README): SARIF 2.1.0 (JSON Schema
 * draft-04, ajv-draft-04) and CycloneDX 1.5 with its SPDX and JSF sub-schemas (draft-07, ajv).
 */

const DIR = join(import.meta.dirname, '../../fixtures/schemas');
const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(DIR, name), 'utf8')) as Record<string, unknown>;

/** A validator of SARIF 2.1.0 logs. */
export function sarifValidator(): ValidateFunction {
  // The SARIF schema has a pattern that is not a valid unicode-mode regular expression; it predates `u`.
  const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(load('sarif-2.1.0-rtm.5.json'));
}

/** A validator of CycloneDX 1.5 JSON BOMs. */
export function cycloneDxValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  // Formats ajv-formats lacks, checked approximately (no whitespace; one @ for e-mail addresses).
  ajv.addFormat('iri-reference', (v: string) => !/\s/u.test(v));
  ajv.addFormat('idn-email', (v: string) => /^[^\s@]+@[^\s@]+$/u.test(v));
  // bom-1.5 refers to its sub-schemas relative to its own $id.
  const base = 'http://cyclonedx.org/schema/';
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    const { $id: _id, ...schema } = load(name);
    ajv.addSchema(schema, `${base}${name}`);
  }
  return ajv.compile(load('bom-1.5.SNAPSHOT.schema.json'));
}

/** The validator's errors as one readable string. */
export function errorsOf(v: ValidateFunction): string {
  return (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`).join('; ');
}
