/**
 * Every item of a paginated AWS list call: `page(token)` asks for one page (no token for the first);
 * `items` picks the page's list. An empty-string token ends it too (some backends send "").
 */
export async function collectPages<P extends { nextToken?: string }, T>(
  page: (nextToken: string | undefined) => Promise<P>,
  items: (p: P) => T[] | undefined,
): Promise<T[]> {
  const out: T[] = [];
  let nextToken: string | undefined;
  do {
    const p = await page(nextToken);
    out.push(...(items(p) ?? []));
    nextToken = p.nextToken || undefined;
  } while (nextToken);
  return out;
}

/** `{ nextToken }` when there is one, for spreading into a request. */
export function tokenField(nextToken: string | undefined): { nextToken?: string } {
  return nextToken ? { nextToken } : {};
}
