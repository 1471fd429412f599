/**
 * `uses:` lines of workflow and action files, read as text (the version comment after a pinned SHA
 * is not in the parsed YAML). A third-party action must be pinned to a full commit SHA, with the
 * release it is as a comment (`@<sha> # v7.0.1`), which Dependabot and Renovate keep up to date: a
 * tag can be moved to other code, a commit cannot.
 */

export interface UsesLine {
  line: number;
  action: string;
  ref: string;
  comment: string;
}

/** ecs-gitops itself in the examples: the reader replaces OWNER and REF (see the files' headers). */
export const OWN_ACTION = 'OWNER/ecs-gitops@REF';

export function usesLines(text: string): UsesLine[] {
  const out: UsesLine[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)['"]?\s*(?:#\s*(.*))?$/.exec(line);
    if (!m) return;
    const [action, ref = ''] = m[1].split('@');
    out.push({ line: i + 1, action, ref, comment: (m[2] ?? '').trim() });
  });
  return out;
}

function isThirdParty(u: UsesLine): boolean {
  return !u.action.startsWith('./') && `${u.action}@${u.ref}` !== OWN_ACTION;
}

/** Third-party `uses:` pinned to a 40-hex commit with a release comment. */
export function pinnedUses(text: string): UsesLine[] {
  return usesLines(text).filter(
    (u) => isThirdParty(u) && /^[0-9a-f]{40}$/.test(u.ref) && /^v\d+\.\d+\.\d+$/.test(u.comment),
  );
}

/** Third-party `uses:` that are not: each as `line: text`, for a readable failure. */
export function unpinnedUses(text: string): string[] {
  const pinned = new Set(pinnedUses(text).map((u) => u.line));
  return usesLines(text)
    .filter((u) => isThirdParty(u) && !pinned.has(u.line))
    .map((u) => `${u.line}: ${u.action}@${u.ref}${u.comment ? ` # ${u.comment}` : ''}`);
}
