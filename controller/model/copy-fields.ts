/**
 * Object spread, key by key, for hot paths: `copyFields({}, a, b)` is `{ ...a, ...b }` (the same
 * keys in the same order, the same values, a "__proto__" key kept as an own field as spread keeps
 * it) without its cost in V8, where an object made by a spread that then gains keys (a later
 * spread, `{ ...a, k: v }`) is re-shaped on each one: about 1 µs per object, and the loaders and
 * the planner make tens of thousands of them. String keys only: for JSON-like data (spec values,
 * tags, SDK shapes), which has no symbol keys.
 */
export function copyFields<T extends object>(into: T, ...sources: (object | null | undefined)[]): T {
  const out = into as Record<string, unknown>;
  for (const from of sources) {
    if (from === null || from === undefined) continue;
    const src = from as Record<string, unknown>;
    for (const k of Object.keys(src)) {
      if (k === '__proto__') {
        Object.defineProperty(out, k, {
          value: src[k],
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else out[k] = src[k];
    }
  }
  return into;
}
