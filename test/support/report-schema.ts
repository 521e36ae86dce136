import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

import { REPORT_JSON_SCHEMA } from '../../shared/domain/report/schema.js';

/** A validator of Bulkhead report JSON against REPORT_JSON_SCHEMA (JSON Schema draft 2020-12, ajv strict mode). */
export function reportValidator(schema: object = REPORT_JSON_SCHEMA): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** The validator's errors as one readable string. */
export function schemaErrors(v: ValidateFunction): string {
  return (v.errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath} ${e.message ?? ''}`)
    .join('; ');
}
