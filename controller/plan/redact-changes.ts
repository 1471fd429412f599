/**
 * Field diffs with secret values replaced, so that no output made from a plan (text, markdown,
 * JSON, logs, status) can show one. Applied by the planner to every action it returns except DNS
 * records, whose values are public. The steps keep the real values: apply needs them.
 */
import {
  looksLikeCredential,
  SENSITIVE_CHANGED,
  SENSITIVE_UNCHANGED,
  SENSITIVE_VALUE,
  type SecretMatcher,
} from '../model/secret-detection';
import { deepEqual, isPlainObject, type Obj } from './json-util';
import type { FieldChange, PlannedAction } from './plan-types';

/** Maps whose keys users choose: a key like `splunk-token` makes its value a secret. */
const USER_KEYED_MAPS = new Set(['dockerLabels', 'options', 'driverOpts', 'labels', 'tags']);

export function redactActions(actions: readonly PlannedAction[], matcher: SecretMatcher): PlannedAction[] {
  return actions.map((a) =>
    a.resource === 'dnsRecord' || a.changes.length === 0
      ? a
      : { ...a, changes: a.changes.map((c) => redactChange(c, matcher)) },
  );
}

export function redactChange(change: FieldChange, matcher: SecretMatcher): FieldChange {
  const { before, after } = change;
  const byName = secretNameInPath(change.path, matcher);
  const byValue = [before, after].some((v) => typeof v === 'string' && looksLikeCredential(v));
  if (byName || byValue) {
    const out: FieldChange = { path: change.path, sensitive: true };
    if (before !== undefined) out.before = SENSITIVE_VALUE;
    if (after !== undefined) out.after = before !== undefined ? SENSITIVE_CHANGED : SENSITIVE_VALUE;
    return out;
  }
  if (!isStructured(before) && !isStructured(after)) return change;
  const rb = redactValue(before, after, matcher, 'before');
  const ra = redactValue(after, before, matcher, 'after');
  if (!rb.redacted && !ra.redacted) return change;
  const out: FieldChange = { path: change.path, sensitive: true };
  if (before !== undefined) out.before = rb.value;
  if (after !== undefined) out.after = ra.value;
  return out;
}

function isStructured(v: unknown): boolean {
  return Array.isArray(v) || isPlainObject(v);
}

/**
 * `containerDefinitions[web].environment[DB_PASSWORD].value`, `dockerLabels.api.token`,
 * `logConfiguration.options[splunk-token]`: the path names a value under a secret-looking name.
 * `secrets[...]` never does: its `valueFrom` is a reference, shown as written.
 */
function secretNameInPath(path: string, matcher: SecretMatcher): boolean {
  const segs = [...path.matchAll(/\[([^\]]*)\]|([^.[\]]+)/g)].map((m) =>
    m[1] !== undefined ? { key: m[1] } : { field: m[2] },
  );
  for (let i = 0; i < segs.length; i++) {
    const f = segs[i].field;
    if (f === 'secrets') return false;
    const next = segs[i + 1];
    if (f === 'environment' && next?.key !== undefined) {
      // The whole item (`environment[X]`) is redacted field by field in redactValue. An item known
      // only by its position (`environment[0]`: names not unique) may be anything: hidden.
      if (segs[i + 2]?.field === 'value' && (/^\d+$/.test(next.key) || matcher.isSecretName(next.key)))
        return true;
    }
    if (f !== undefined && USER_KEYED_MAPS.has(f) && next !== undefined) {
      const key =
        next.key ??
        segs
          .slice(i + 1)
          .map((s) => s.field ?? s.key)
          .join('.');
      if (matcher.isSecretName(key)) return true;
    }
  }
  return false;
}

interface Redacted {
  value: unknown;
  redacted: boolean;
}

/**
 * A copy of a whole value (a new container, an environment item) with its secrets replaced. The
 * marker says how the secret compares with the same place on the other side, so that a reviewer
 * still sees what changed: unchanged, changed, or only on this side.
 */
function redactValue(v: unknown, other: unknown, matcher: SecretMatcher, side: 'before' | 'after'): Redacted {
  const marker = (mine: unknown, theirs: unknown): string =>
    theirs === undefined
      ? SENSITIVE_VALUE
      : deepEqual(mine, theirs)
        ? SENSITIVE_UNCHANGED
        : side === 'before'
          ? SENSITIVE_VALUE
          : SENSITIVE_CHANGED;
  if (typeof v === 'string') {
    return looksLikeCredential(v)
      ? { value: marker(v, other), redacted: true }
      : { value: v, redacted: false };
  }
  if (Array.isArray(v)) {
    let redacted = false;
    const value = v.map((item, i) => {
      const r = redactValue(item, counterpart(item, i, other), matcher, side);
      redacted ||= r.redacted;
      return r.value;
    });
    return { value, redacted };
  }
  if (!isPlainObject(v)) return { value: v, redacted: false };
  const o = isPlainObject(other) ? other : undefined;
  const pairName = typeof v.name === 'string' ? v.name : typeof v.key === 'string' ? v.key : undefined;
  let redacted = false;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const theirs = o?.[k];
    if (k === 'value' && pairName !== undefined && 'value' in v && matcher.isSecretName(pairName)) {
      out[k] = marker(x, theirs);
      redacted = true;
    } else if (USER_KEYED_MAPS.has(k) && isPlainObject(x)) {
      const r = redactMap(x, isPlainObject(theirs) ? theirs : undefined, matcher, marker);
      redacted ||= r.redacted;
      out[k] = r.value;
    } else if (k === 'secrets') {
      out[k] = x;
    } else {
      const r = redactValue(x, theirs, matcher, side);
      redacted ||= r.redacted;
      out[k] = r.value;
    }
  }
  return { value: out, redacted };
}

function redactMap(
  map: Obj,
  other: Obj | undefined,
  matcher: SecretMatcher,
  marker: (mine: unknown, theirs: unknown) => string,
): Redacted {
  let redacted = false;
  const out: Obj = {};
  for (const [k, x] of Object.entries(map)) {
    const secret = matcher.isSecretName(k) || (typeof x === 'string' && looksLikeCredential(x));
    out[k] = secret ? marker(x, other?.[k]) : x;
    redacted ||= secret;
  }
  return { value: out, redacted };
}

/** The item at the same place on the other side: matched by `name` (containers, variables), else index. */
function counterpart(item: unknown, index: number, other: unknown): unknown {
  if (!Array.isArray(other)) return undefined;
  if (isPlainObject(item) && typeof item.name === 'string') {
    return other.find((x) => isPlainObject(x) && x.name === item.name);
  }
  return other[index];
}
