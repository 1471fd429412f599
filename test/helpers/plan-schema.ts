/** schemas/plan.v1.json as tests use it: compiled with ajv, closed so that an undocumented field fails. */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { type ValidateFunction } from 'ajv';

const SCHEMA_FILE = path.join(__dirname, '../../schemas/plan.v1.json');

/**
 * The schema with `additionalProperties: false` on every object that lists its properties: a field
 * the schema does not describe fails (the published schema lets new fields appear within a version).
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = closed(v);
  if ('properties' in out) out.additionalProperties = false;
  return out;
}

export function planSchemaValidator(opts: { closed: boolean }): ValidateFunction {
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as object;
  return new Ajv({ allErrors: true, strict: false }).compile(
    (opts.closed ? closed(schema) : schema) as object,
  );
}
