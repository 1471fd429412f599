/**
 * DNS names in their two forms, shared by the loader, the planner and the Route53 adapters (one
 * definition, so that a name compares the same everywhere). Wire form (what Route53 returns): lower case, a trailing dot,
 * and every character other than a-z, 0-9, `-`, `_` and `.` as a `\ddd` octal escape (so a wildcard
 * comes back as `\052`). Compared form (what the planner uses): lower case, no trailing dot, escapes
 * decoded.
 */

/** Decodes `\ddd` octal escapes (and `\X` for any other X), as Route53 documents them. */
export function decodeDnsEscapes(name: string): string {
  return name.replace(/\\([0-7]{3}|.)/g, (_m, code: string) =>
    code.length === 3 ? String.fromCharCode(parseInt(code, 8)) : code,
  );
}

/** `\052.Example.COM.` -> `*.example.com`. */
export function comparedDnsName(name: string): string {
  const decoded = decodeDnsEscapes(name).toLowerCase();
  return decoded.endsWith('.') ? decoded.slice(0, -1) : decoded;
}

/** `*.Example.com` -> `\052.example.com.` (the form Route53 returns). */
export function wireDnsName(name: string): string {
  const compared = comparedDnsName(name);
  let out = '';
  for (const ch of compared) {
    out += /[a-z0-9\-_.]/.test(ch) ? ch : `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`;
  }
  return `${out}.`;
}

/** Hosted zone ids are returned as `/hostedzone/Z...`; requests (and cluster.yaml) accept either form. */
export function bareZoneId(id: string): string {
  return id.replace(/^\/?hostedzone\//, '');
}

/** Change ids are returned as `/change/C...`; GetChange accepts either form. */
export function bareChangeId(id: string): string {
  return id.replace(/^\/change\//, '');
}

/** True when `name` is `zone` or below it (both in compared form). */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}
