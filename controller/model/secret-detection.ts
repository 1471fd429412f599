/**
 * What counts as a secret in a spec: by the name a user gave it (an environment variable, a docker
 * label, a log driver option) and by what a value looks like whatever its name. Used by the planner
 * to redact field diffs and by the logger; pure, no I/O.
 */
import type { DesiredState } from './desired';
import type { SourceRef } from './source';

/**
 * Name patterns that are always on (case-insensitive, anywhere in the name, except `_KEY` which must
 * end it). They cannot be switched off, only single names exempted in cluster.yaml.
 */
export const DEFAULT_SECRET_NAME_PATTERNS: readonly string[] = [
  'PASSWORD',
  'PASSWD',
  'SECRET',
  'TOKEN',
  'API_KEY',
  'APIKEY',
  'PRIVATE_KEY',
  'CREDENTIAL',
  'AUTH',
  'DSN',
  '_KEY$',
];

/** `redaction:` in cluster.yaml: more name patterns, and names whose values may be shown. */
export interface RedactionConfig {
  /** Extra name patterns (regular expressions, case-insensitive) on top of the defaults. */
  patterns: string[];
  /**
   * Names (exact, case-insensitive) whose values are shown although a name pattern matches them
   * (`AUTH_ENABLED`). A value that looks like a credential is redacted whatever its name.
   */
  exempt: string[];
  source?: SourceRef;
}

/** Shown instead of a sensitive value, in every output. */
export const SENSITIVE_VALUE = '(sensitive value)';
export const SENSITIVE_CHANGED = '(sensitive value changed)';
export const SENSITIVE_UNCHANGED = '(sensitive, unchanged)';

export interface SecretMatcher {
  /** A user-chosen name (environment variable, label or option key) whose value is a secret. */
  isSecretName(name: string): boolean;
}

/** Names remembered per matcher before it starts over. */
const SECRET_NAME_CACHE_SIZE = 10_000;

export function secretMatcher(cfg?: Pick<RedactionConfig, 'patterns' | 'exempt'>): SecretMatcher {
  const patterns = [...DEFAULT_SECRET_NAME_PATTERNS, ...(cfg?.patterns ?? [])].map((p) => new RegExp(p, 'i'));
  const exempt = new Set((cfg?.exempt ?? []).map((n) => n.toUpperCase()));
  // The same names come back in every file (LOG_LEVEL, PORT, ...): each is matched once. The patterns
  // have no `g` flag, so a name's answer never changes; the cache is bounded for the long-running
  // controller, which also asks about the names of log fields.
  const known = new Map<string, boolean>();
  return {
    isSecretName: (name) => {
      let secret = known.get(name);
      if (secret === undefined) {
        secret = !exempt.has(name.toUpperCase()) && patterns.some((p) => p.test(name));
        if (known.size >= SECRET_NAME_CACHE_SIZE) known.clear();
        known.set(name, secret);
      }
      return secret;
    },
  };
}

export const DEFAULT_SECRET_MATCHER = secretMatcher();

/** A URL with a password in its user-info (`postgres://app:s3cret@db/app`). */
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:[^@/?#\s]+@/i;
/** A PEM private key block (RSA, EC, OPENSSH, ENCRYPTED, ...). */
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
/** An AWS access key id (long-term AKIA, temporary ASIA). */
const AWS_ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/;

/** True when a value looks like a credential whatever the name it is stored under. */
export function looksLikeCredential(value: string): boolean {
  return URL_PASSWORD.test(value) || PEM_PRIVATE_KEY.test(value) || AWS_ACCESS_KEY_ID.test(value);
}

/**
 * A string with every credential-looking part replaced: for free text (error messages, log lines)
 * where a whole-value replacement would hide what the text is about.
 */
export function redactCredentialsInText(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/?#\s]+@/gi, `$1${SENSITIVE_VALUE}@`)
    .replace(
      /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
      SENSITIVE_VALUE,
    )
    .replace(/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, SENSITIVE_VALUE);
}

/**
 * Every secret value in a spec body (a task definition, a service): values of `{ name, value }` and
 * `{ key, value }` pairs and of object keys with a secret name, and credential-looking strings. The
 * CLI and the controller mask these wherever they appear in output (an AWS error quoting a request),
 * as CI systems mask their own secrets. `secrets[].valueFrom` are references, not collected.
 */
export function secretValuesIn(value: unknown, matcher: SecretMatcher = DEFAULT_SECRET_MATCHER): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      if (looksLikeCredential(v)) out.push(v);
      return;
    }
    if (v === null || typeof v !== 'object' || depth > 20) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    const pairName = typeof o.name === 'string' ? o.name : typeof o.key === 'string' ? o.key : undefined;
    for (const [k, x] of Object.entries(o)) {
      const named = k === 'value' && pairName !== undefined ? pairName : k;
      if (typeof x === 'string' && matcher.isSecretName(named)) out.push(x);
      else walk(x, depth + 1);
    }
  };
  walk(value, 0);
  return out;
}

/** Values of template variables (environment, `--var`) whose names are secret names. */
export function secretVariableValues(
  vars: Record<string, string | undefined>,
  matcher: SecretMatcher = DEFAULT_SECRET_MATCHER,
): string[] {
  return Object.entries(vars)
    .filter(([k, v]) => v !== undefined && (matcher.isSecretName(k) || looksLikeCredential(v)))
    .map(([, v]) => v as string);
}

/** Every secret value in a cluster's loaded specs (task definitions and services), by its rules. */
export function desiredSecretValues(state: DesiredState): string[] {
  const matcher = secretMatcher(state.cluster.redaction);
  return [
    ...state.taskDefinitions.flatMap((td) => secretValuesIn(td.body, matcher)),
    ...state.services.flatMap((s) => secretValuesIn(s.body, matcher)),
  ];
}
