/**
 * Validates parsed specs against crds/*.schema.json and turns ajv's errors into SpecErrors a person
 * can act on: where, which field, what was expected, and a "did you mean" for typos.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { AJV_OPTIONS, SCHEMA_KINDS } from './schema-options';
import type { SpecError } from '../model/source';
import { DEFAULT_SECRET_MATCHER, looksLikeCredential, SENSITIVE_VALUE } from '../model/secret-detection';
import { type FieldPath, formatFieldPath, fromJsonPointer } from './field-path';
import type { Position } from './positions';
import { didYouMean } from './suggest';

export type SchemaKind = (typeof SCHEMA_KINDS)[number];

/** crds/ at the package root: from controller/specfiles/ (jest, tsx) and from dist/specfiles/ (built). */
export const CRDS_DIR = path.resolve(__dirname, '../../crds');

let validators: Map<SchemaKind, ValidateFunction> | undefined;

/**
 * The built CLI loads the validators `npm run build` generated (scripts/build-schema-validators.js):
 * compiling the schemas costs every CLI start about 300 ms. From the sources (tests, tsx) there is no
 * such file, and the schemas are compiled here, with the same options.
 */
export function loadValidators(
  opts: { compile?: boolean; built?: string } = {},
): Map<SchemaKind, ValidateFunction> {
  const built = opts.built ?? path.join(__dirname, 'schema-validators.js');
  if (!opts.compile && fs.existsSync(built)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generated = require(built) as Record<SchemaKind, ValidateFunction>;
    return new Map(SCHEMA_KINDS.map((k) => [k, generated[k]]));
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: Ajv } = require('ajv') as typeof import('ajv');
  const ajv = new Ajv({ ...AJV_OPTIONS });
  // Keys are the file names, so cluster.schema.json's `service.schema.json#/...` refs resolve offline.
  for (const k of SCHEMA_KINDS) {
    const file = `${k}.schema.json`;
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(CRDS_DIR, file), 'utf8')) as object, file);
  }
  return new Map(SCHEMA_KINDS.map((k) => [k, ajv.getSchema(`${k}.schema.json`)!]));
}

function getValidator(kind: SchemaKind): ValidateFunction {
  validators ??= loadValidators();
  return validators.get(kind)!;
}

export interface Locator {
  file: string;
  locate: (path: FieldPath) => Position;
}

/**
 * Validates `value` (found at `prefix` in the file, e.g. `['taskDefinition']` for describe output)
 * and returns one error per real problem.
 */
export function validateAgainstSchema(
  kind: SchemaKind,
  value: unknown,
  doc: Locator,
  prefix: FieldPath = [],
): SpecError[] {
  const validate = getValidator(kind);
  if (validate(value)) return [];
  const all = validate.errors ?? [];
  // Errors inside propertyNames are folded into the propertyNames error they explain.
  const raw = all.filter((e) => !e.schemaPath.includes('/propertyNames/'));
  const out: SpecError[] = [];
  const seen = new Set<string>();
  for (const e of raw) {
    // anyOf/oneOf summarise errors of their branches; keep them only when nothing more precise exists.
    if ((e.keyword === 'anyOf' || e.keyword === 'oneOf') && raw.some((o) => o !== e && isUnder(o, e)))
      continue;
    if (e.keyword === 'if') continue;
    const converted = convert(e, value, all);
    const fieldPath = [...prefix, ...converted.path];
    const field = formatFieldPath(fieldPath);
    const key = `${field}\0${converted.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file: doc.file, ...doc.locate(fieldPath), field, message: converted.message });
  }
  return out;
}

function isUnder(inner: ErrorObject, outer: ErrorObject): boolean {
  return (
    inner.instancePath.startsWith(outer.instancePath) && inner.schemaPath.startsWith(outer.schemaPath + '/')
  );
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function showValue(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * True when the value at `path` may be a secret, so that an error quotes it as `(sensitive value)`:
 * anything under `environment`, under a secret-looking key (`DB_PASSWORD`, `splunk-token`), or the
 * `value` of a pair with a secret-looking name.
 */
function secretPlace(path: FieldPath, root: unknown): boolean {
  if (
    path.some((s) => typeof s === 'string' && (s === 'environment' || DEFAULT_SECRET_MATCHER.isSecretName(s)))
  )
    return true;
  if (path[path.length - 1] !== 'value') return false;
  let parent: unknown = root;
  for (const s of path.slice(0, -1)) parent = (parent as Record<string | number, unknown> | undefined)?.[s];
  const pair = parent as { name?: unknown; key?: unknown } | undefined;
  const name = typeof pair?.name === 'string' ? pair.name : pair?.key;
  return typeof name === 'string' && DEFAULT_SECRET_MATCHER.isSecretName(name);
}

function convert(e: ErrorObject, root: unknown, all: ErrorObject[]): { path: FieldPath; message: string } {
  const path = fromJsonPointer(e.instancePath, root);
  const sensitive = secretPlace(path, root) || (typeof e.data === 'string' && looksLikeCredential(e.data));
  const show = (v: unknown): string => (sensitive ? SENSITIVE_VALUE : showValue(v));
  const parentSchema = (e.parentSchema ?? {}) as { properties?: Record<string, unknown> };
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(parentSchema.properties ?? {});
      return { path: [...path, name], message: `unknown field "${name}"${didYouMean(name, allowed)}` };
    }
    case 'required': {
      const name = String((e.params as { missingProperty: string }).missingProperty);
      return { path: [...path, name], message: `missing required field "${name}"` };
    }
    case 'type': {
      const expected = String((e.params as { type: string | string[] }).type);
      return { path, message: `expected ${expected}, got ${jsonType(e.data)} ${show(e.data)}` };
    }
    case 'enum': {
      const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const got = typeof e.data === 'string' ? e.data : show(e.data);
      return {
        path,
        message: `invalid value ${show(e.data)}, expected one of ${allowed.join(', ')}${didYouMean(got, allowed)}`,
      };
    }
    case 'propertyNames': {
      const name = String((e.params as { propertyName: string }).propertyName);
      const inner = all.find(
        (o) =>
          o.schemaPath.startsWith(`${e.schemaPath}/`) &&
          o.instancePath === e.instancePath &&
          o.propertyName === name,
      );
      const limit = (inner?.params as { limit?: number } | undefined)?.limit;
      let why = 'keys must not start with "aws:"';
      if (inner?.keyword === 'maxLength')
        why = `${[...name].length} characters long; at most ${limit} allowed`;
      else if (inner?.keyword === 'minLength') why = 'keys must not be empty';
      return { path: [...path, name], message: `invalid key ${showValue(name)} (${why})` };
    }
    case 'maxLength': {
      const limit = (e.params as { limit: number }).limit;
      const length = typeof e.data === 'string' ? [...e.data].length : 0;
      return { path, message: `${length} characters long; at most ${limit} allowed` };
    }
    case 'not': {
      const req = ((e.schema as { required?: string[] } | undefined)?.required ?? []).join(' and ');
      return { path, message: req ? `${req} are mutually exclusive: set only one` : 'invalid combination' };
    }
    case 'pattern':
      return { path, message: `${show(e.data)} does not match ${(e.params as { pattern: string }).pattern}` };
    case 'maxProperties':
    case 'minProperties':
      return { path, message: `${e.message ?? 'invalid'} (specify exactly one member)` };
    default:
      return { path, message: e.message ?? `invalid (${e.keyword})` };
  }
}
