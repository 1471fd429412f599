/**
 * `plain-secret`: a plain `environment` value that is a secret, by its name (the cluster's redaction
 * patterns) or by how it looks (a URL with a password, a private key, an AWS access key id). It is
 * in the task definition for anyone who can describe it; it belongs in `secrets` with `valueFrom`.
 * The finding names the variable, never its value.
 */
import { looksLikeCredential } from '../../model/secret-detection';
import { isPlainObject } from '../spec-helpers';
import type { LintRule, RuleFinding } from './lint-types';
import { containersOf } from './containers';

/** Values no one keeps secret (`AUTH_ENABLED=true`, `API_KEY=`): flags, not credentials. */
const NOT_A_SECRET = /^(?:|true|false|yes|no|on|off|enabled|disabled)$/i;

export const plainSecret: LintRule = {
  id: 'plain-secret',
  taskdef(td, ctx) {
    const out: RuleFinding[] = [];
    for (const c of containersOf(td.body)) {
      const env = c.def.environment;
      if (!Array.isArray(env)) continue;
      env.forEach((v: unknown, i) => {
        if (!isPlainObject(v) || typeof v.name !== 'string' || typeof v.value !== 'string') return;
        const byValue = looksLikeCredential(v.value);
        if (!byValue && (NOT_A_SECRET.test(v.value.trim()) || !ctx.secrets.isSecretName(v.name))) return;
        out.push({
          path: [...c.path, 'environment', i, 'value'],
          message:
            `environment variable "${v.name}" of container "${c.name}" has a plain value that ` +
            (byValue ? 'looks like a credential' : 'looks secret by its name') +
            ': anyone who can describe the task definition reads it; move it to "secrets" with ' +
            '"valueFrom" (a Secrets Manager secret or an SSM parameter ARN)' +
            (byValue ? '' : ', or list the name in cluster.yaml redaction.exempt if it is not a secret'),
        });
      });
    }
    return out;
  },
};
