// JSON Schema draft 2020-12 with Ajv (and ajv-formats for date-time, email,
// uri, ...). A schema is checked against the draft's meta-schema and then
// compiled (which catches unresolvable $refs and bad patterns); compiled
// validators are kept for the last schemas seen.

import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { JsonSchemaValidator, SchemaProblem } from '../../domain/ports.js';
import type { JsonObject } from '../../domain/types.js';

const CACHE_SIZE = 100;

export class AjvSchemaValidator implements JsonSchemaValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    addFormats.default(this.ajv);
  }

  checkSchema(schema: JsonObject): SchemaProblem[] {
    const valid = this.ajv.validateSchema(schema);
    if (!valid) return problemsOf(this.ajv.errors);
    try {
      this.compile(schema);
      return [];
    } catch (error) {
      return [{ path: '', message: error instanceof Error ? error.message : String(error) }];
    }
  }

  validate(schema: JsonObject, value: unknown): SchemaProblem[] {
    const validate = this.compile(schema);
    return validate(value) ? [] : problemsOf(validate.errors);
  }

  private compile(schema: JsonObject): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      // $id would register the schema globally in Ajv; compile a copy without it.
      const { $id: _id, ...anonymous } = schema;
      validate = this.ajv.compile(anonymous);
      if (this.compiled.size >= CACHE_SIZE) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(key, validate);
    }
    return validate;
  }
}

function problemsOf(errors: ErrorObject[] | null | undefined): SchemaProblem[] {
  return (errors ?? []).map((error) => ({
    path: error.instancePath,
    message: `${error.message ?? error.keyword}${error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : ''}`,
  }));
}
