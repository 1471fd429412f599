import { eventBridgeErrors as errors } from './eventbridge-errors';

/**
 * EventBridge event patterns, as far as the sandbox models them: fields (nested to any depth, so
 * `detail.lastStatus`) whose value is an array of exact values, or of the content filters `prefix`,
 * `suffix`, `anything-but`, `exists` and `equals-ignore-case`. A pattern using another of AWS's
 * filters (numeric, cidr, wildcard, $or) is refused rather than matched wrongly.
 */

type Pattern = { [field: string]: Pattern | unknown[] };

const MODELLED = new Set(['prefix', 'suffix', 'anything-but', 'exists', 'equals-ignore-case']);
const AWS_ONLY = new Set(['numeric', 'cidr', 'wildcard']);

/** Parses and checks a rule's EventPattern; throws InvalidEventPatternException as AWS does. */
export function parseEventPattern(text: string): Pattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw errors.invalidEventPattern('Filter is not an object');
  }
  if (!isObject(parsed)) throw errors.invalidEventPattern('Filter is not an object');
  checkObject(parsed);
  return parsed as Pattern;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkObject(p: Record<string, unknown>): void {
  for (const [field, value] of Object.entries(p)) {
    if (field === '$or') throw errors.invalidEventPattern('the sandbox does not model $or');
    if (Array.isArray(value)) {
      for (const item of value) checkValue(field, item);
    } else if (isObject(value)) {
      checkObject(value);
    } else {
      throw errors.invalidEventPattern(`'${field}' must be an object or an array`);
    }
  }
}

function checkValue(field: string, item: unknown): void {
  if (item === null || ['string', 'number', 'boolean'].includes(typeof item)) return;
  if (!isObject(item))
    throw errors.invalidEventPattern(`Match value must be String, number, true, false, or null`);
  const keys = Object.keys(item);
  if (keys.length !== 1)
    throw errors.invalidEventPattern(`Only one key allowed in match expression in '${field}'`);
  const op = keys[0];
  if (AWS_ONLY.has(op)) throw errors.invalidEventPattern(`the sandbox does not model the match type ${op}`);
  if (!MODELLED.has(op)) throw errors.invalidEventPattern(`Unrecognized match type ${op}`);
  const arg = item[op];
  if (op === 'exists' && typeof arg !== 'boolean')
    throw errors.invalidEventPattern('exists match pattern must be either true or false.');
  if ((op === 'prefix' || op === 'suffix' || op === 'equals-ignore-case') && typeof arg !== 'string') {
    throw errors.invalidEventPattern(`${op} match pattern must be a string.`);
  }
}

/** Whether an event (the JSON object EventBridge delivers) matches a parsed pattern. */
export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  const e = isObject(event) ? event : {};
  for (const [field, expected] of Object.entries(pattern)) {
    const actual = e[field];
    if (Array.isArray(expected)) {
      if (!matchesLeaf(expected, actual)) return false;
    } else if (Array.isArray(actual)) {
      // An array of objects (a task's containers): a nested pattern matches if one element does.
      if (!actual.some((element) => matchesPattern(expected, element))) return false;
    } else if (!isObject(actual) || !matchesPattern(expected, actual)) {
      return false;
    }
  }
  return true;
}

function matchesLeaf(values: unknown[], actual: unknown): boolean {
  if (actual === undefined) return values.some((v) => isObject(v) && v.exists === false);
  // An array in the event matches if any of its elements does.
  const candidates = Array.isArray(actual) ? actual : [actual];
  return values.some((v) => candidates.some((c) => matchesValue(v, c)));
}

function matchesValue(expected: unknown, actual: unknown): boolean {
  if (!isObject(expected)) return expected === actual;
  const [op, arg] = Object.entries(expected)[0];
  switch (op) {
    case 'exists':
      return arg === true;
    case 'prefix':
      return typeof actual === 'string' && actual.startsWith(arg as string);
    case 'suffix':
      return typeof actual === 'string' && actual.endsWith(arg as string);
    case 'equals-ignore-case':
      return typeof actual === 'string' && actual.toLowerCase() === (arg as string).toLowerCase();
    case 'anything-but': {
      if (isObject(arg) && typeof arg.prefix === 'string') {
        return typeof actual === 'string' && !actual.startsWith(arg.prefix);
      }
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.includes(actual);
    }
    default:
      return false;
  }
}
