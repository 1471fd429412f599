/**
 * The value of a valid JSONC spec file, without jsonc-parser's node tree: nearly every spec file is
 * valid and has no duplicate key, and is read on every load (5,000 of them for a large cluster).
 *
 * Two ways, tried in this order by parse-document.ts, each giving exactly what
 * `getNodeValue(parseTree(text))` gives (objects without a prototype, the root's offset), or
 * undefined for a text it does not take:
 *  - scanJsonc: one pass over the characters, for the strict subset of JSONC that spec files are
 *    written in (JSON plus // and block comments and trailing commas; only spaces, tabs and line
 *    breaks between tokens). Anything outside it (a syntax error, a duplicate key, other white
 *    space, a control character in a string) makes it give up, never guess;
 *  - visitJsonc: jsonc-parser's visitor, for whatever else jsonc-parser accepts without an error.
 * test/specfiles/jsonc-value.test.ts pins that the two agree on every text scanJsonc takes.
 */
import * as jsonc from 'jsonc-parser';

export interface JsoncValue {
  value: unknown;
  /** Offset of the root value's first character. */
  rootOffset: number;
}

type JsonObject = Record<string, unknown>;

const C_TAB = 9;
const C_LF = 10;
const C_CR = 13;
const C_SPACE = 32;
const C_QUOTE = 34;
const C_STAR = 42;
const C_PLUS = 43;
const C_COMMA = 44;
const C_MINUS = 45;
const C_DOT = 46;
const C_SLASH = 47;
const C_0 = 48;
const C_9 = 57;
const C_COLON = 58;
const C_E = 69;
const C_OPEN_BRACKET = 91;
const C_BACKSLASH = 92;
const C_CLOSE_BRACKET = 93;
const C_LOWER_E = 101;
const C_OPEN_BRACE = 123;
const C_CLOSE_BRACE = 125;

/** Thrown (and caught in scanJsonc) when the text leaves the subset: the caller falls back. */
const GIVE_UP = new Error('not in the strict JSONC subset'); // made once: throwing it is cheap

/** The scanner's state: one text at a time (the loaders are synchronous). */
let src = '';
let pos = 0;

/** See the file comment: the strict subset in one pass, or undefined. */
export function scanJsonc(text: string): JsoncValue | undefined {
  src = text;
  pos = 0;
  try {
    skipTrivia();
    const rootOffset = pos;
    if (pos >= text.length) return undefined;
    const value = scanValue();
    skipTrivia();
    if (pos !== text.length) return undefined;
    return { value, rootOffset };
  } catch {
    // GIVE_UP, or anything else (a stack overflow on a deeply nested text): the other ways decide.
    return undefined;
  } finally {
    src = '';
  }
}

/** Past spaces, tabs, line breaks and (terminated) comments. */
function skipTrivia(): void {
  const text = src;
  const n = text.length;
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c === C_SPACE || c === C_LF || c === C_CR || c === C_TAB) pos++;
    else if (c === C_SLASH) {
      const next = text.charCodeAt(pos + 1);
      if (next === C_SLASH) {
        pos += 2;
        while (pos < n) {
          const d = text.charCodeAt(pos);
          if (d === C_LF || d === C_CR) break;
          pos++;
        }
      } else if (next === C_STAR) {
        const end = text.indexOf('*/', pos + 2);
        if (end < 0) throw GIVE_UP;
        pos = end + 2;
      } else throw GIVE_UP;
    } else return;
  }
}

function scanValue(): unknown {
  const c = src.charCodeAt(pos);
  if (c === C_OPEN_BRACE) return scanObject();
  if (c === C_OPEN_BRACKET) return scanArray();
  if (c === C_QUOTE) return scanString();
  if (c === C_MINUS || (c >= C_0 && c <= C_9)) return scanNumber();
  if (src.startsWith('true', pos)) return keyword(4, true);
  if (src.startsWith('false', pos)) return keyword(5, false);
  if (src.startsWith('null', pos)) return keyword(4, null);
  throw GIVE_UP;
}

function keyword<T>(length: number, value: T): T {
  pos += length;
  endOfLiteral();
  return value;
}

/** A number or keyword must end where jsonc-parser's scanner ends it: else it is another token. */
function endOfLiteral(): void {
  if (pos >= src.length) return;
  const c = src.charCodeAt(pos);
  if (
    c !== C_COMMA &&
    c !== C_CLOSE_BRACE &&
    c !== C_CLOSE_BRACKET &&
    c !== C_SPACE &&
    c !== C_LF &&
    c !== C_CR &&
    c !== C_TAB &&
    c !== C_SLASH
  )
    throw GIVE_UP;
}

function digits(): number {
  const start = pos;
  for (let c = src.charCodeAt(pos); c >= C_0 && c <= C_9; c = src.charCodeAt(pos)) pos++;
  return pos - start;
}

/** JSON's number grammar; its value as jsonc-parser computes it (Number of the token). */
function scanNumber(): number {
  const start = pos;
  if (src.charCodeAt(pos) === C_MINUS) pos++;
  if (src.charCodeAt(pos) === C_0) pos++;
  else if (digits() === 0) throw GIVE_UP;
  if (src.charCodeAt(pos) === C_DOT) {
    pos++;
    if (digits() === 0) throw GIVE_UP;
  }
  const e = src.charCodeAt(pos);
  if (e === C_E || e === C_LOWER_E) {
    pos++;
    const sign = src.charCodeAt(pos);
    if (sign === C_PLUS || sign === C_MINUS) pos++;
    if (digits() === 0) throw GIVE_UP;
  }
  endOfLiteral();
  return Number(src.slice(start, pos));
}

/** A string token at its quote; escapes are decoded by JSON.parse, which takes exactly jsonc's. */
function scanString(): string {
  const text = src;
  const start = pos;
  let escaped = false;
  for (let i = pos + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === C_QUOTE) {
      pos = i + 1;
      if (!escaped) return text.slice(start + 1, i);
      try {
        return JSON.parse(text.slice(start, pos)) as string;
      } catch {
        throw GIVE_UP;
      }
    }
    if (c === C_BACKSLASH) {
      escaped = true;
      i++;
      // An escaped control character is an error for both; JSON.parse reports it.
    } else if (c < C_SPACE) throw GIVE_UP;
  }
  throw GIVE_UP;
}

function scanObject(): JsonObject {
  const obj = Object.create(null) as JsonObject;
  pos++;
  skipTrivia();
  if (src.charCodeAt(pos) === C_CLOSE_BRACE) {
    pos++;
    return obj;
  }
  for (;;) {
    if (src.charCodeAt(pos) !== C_QUOTE) throw GIVE_UP;
    const key = scanString();
    // A duplicate key is an error the node tree path reports.
    if (key in obj) throw GIVE_UP;
    skipTrivia();
    if (src.charCodeAt(pos) !== C_COLON) throw GIVE_UP;
    pos++;
    skipTrivia();
    obj[key] = scanValue();
    skipTrivia();
    const c = src.charCodeAt(pos);
    if (c === C_CLOSE_BRACE) {
      pos++;
      return obj;
    }
    if (c !== C_COMMA) throw GIVE_UP;
    pos++;
    skipTrivia();
    // A trailing comma.
    if (src.charCodeAt(pos) === C_CLOSE_BRACE) {
      pos++;
      return obj;
    }
  }
}

function scanArray(): unknown[] {
  const arr: unknown[] = [];
  pos++;
  skipTrivia();
  if (src.charCodeAt(pos) === C_CLOSE_BRACKET) {
    pos++;
    return arr;
  }
  for (;;) {
    arr.push(scanValue());
    skipTrivia();
    const c = src.charCodeAt(pos);
    if (c === C_CLOSE_BRACKET) {
      pos++;
      return arr;
    }
    if (c !== C_COMMA) throw GIVE_UP;
    pos++;
    skipTrivia();
    if (src.charCodeAt(pos) === C_CLOSE_BRACKET) {
      pos++;
      return arr;
    }
  }
}

const JSONC_OPTIONS: jsonc.ParseOptions = { allowTrailingComma: true, disallowComments: false };

/**
 * The value of a JSONC text exactly as `getNodeValue(parseTree(text))` builds it (objects without a
 * prototype, a later duplicate key's value in the first one's place), and the offset of its root;
 * undefined when the text has a syntax error or a duplicate key (or is not one value).
 */
export function visitJsonc(text: string): JsoncValue | undefined {
  let ok = true;
  let rootOffset = -1;
  let root: unknown;
  let hasRoot = false;
  // The object or array being filled, and the ones it is in.
  let parent: Record<string, unknown> | unknown[] | undefined;
  const parents: (Record<string, unknown> | unknown[] | undefined)[] = [];
  const keys: (string | undefined)[] = [];
  let key: string | undefined;
  const onValue = (value: unknown, offset: number): void => {
    if (parent === undefined) {
      if (hasRoot) ok = false;
      hasRoot = true;
      root = value;
      rootOffset = offset;
    } else if (Array.isArray(parent)) parent.push(value);
    else if (key !== undefined) parent[key] = value;
    else ok = false;
  };
  const begin = (value: Record<string, unknown> | unknown[], offset: number): void => {
    onValue(value, offset);
    parents.push(parent);
    keys.push(key);
    parent = value;
    key = undefined;
  };
  const end = (): void => {
    parent = parents.pop();
    key = keys.pop();
  };
  jsonc.visit(
    text,
    {
      onObjectBegin: (offset) => begin(Object.create(null) as Record<string, unknown>, offset),
      onObjectProperty: (name) => {
        // A key already set in this object is a duplicate: the tree path reports it.
        if (parent === undefined || Array.isArray(parent) || name in parent) ok = false;
        key = name;
      },
      onObjectEnd: end,
      onArrayBegin: (offset) => begin([], offset),
      onArrayEnd: end,
      onLiteralValue: (value: unknown, offset) => onValue(value, offset),
      onError: () => {
        ok = false;
      },
    },
    JSONC_OPTIONS,
  );
  return ok && hasRoot ? { value: root, rootOffset } : undefined;
}
