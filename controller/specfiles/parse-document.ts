/**
 * Parses one spec file as JSONC (ecs-efs style: comments and trailing commas) or YAML, and knows
 * where every field is, so later errors can point at a line and column.
 */
import * as jsonc from 'jsonc-parser';
import * as YAML from 'yaml';
import type { SpecError } from '../model/source';
import { type FieldPath, formatFieldPath } from './field-path';
import { scanJsonc, visitJsonc } from './jsonc-value';
import { LineIndex, type Position } from './positions';

export interface ParsedDocument {
  /** The file name used in errors. */
  file: string;
  format: 'jsonc' | 'yaml';
  /** undefined when the text did not parse (see errors); duplicate keys are errors but leave a value. */
  value: unknown;
  /** Syntax errors and duplicate keys. */
  errors: SpecError[];
  /** Offset in the original file of the key of a field (or of an array item), else its nearest parent. */
  offsetOf: (path: FieldPath) => number;
  /** 1-based position of `offsetOf(path)`. */
  locate: (path: FieldPath) => Position;
  /** Position in the original file of an offset in the parsed text. */
  positionOf: (parsedOffset: number) => Position;
  /** The field an offset of the parsed text lies in (best effort), for errors found in raw text. */
  pathAt: (parsedOffset: number) => FieldPath;
}

export interface ParseOptions {
  /** The file name used in errors. */
  file: string;
  /** For rendered templates: the original text, and a map from offsets in `text` to offsets in it. */
  original?: { text: string; mapOffset: (offset: number) => number };
}

/** JSONC when the first character that is not a space or a comment is `{`, else YAML. */
export function looksLikeJson(text: string): boolean {
  const m = /^(?:\s+|\/\/[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/.exec(text);
  return text.charAt(m ? m[0].length : 0) === '{';
}

export function parseDocument(text: string, opts: ParseOptions): ParsedDocument {
  const originalText = opts.original?.text ?? text;
  const mapOffset = opts.original?.mapOffset ?? ((o: number) => o);
  const lines = new LineIndex(originalText);
  const positionOf = (offset: number): Position => lines.position(mapOffset(offset));
  const error = (offset: number, field: FieldPath, message: string): SpecError => ({
    file: opts.file,
    ...positionOf(offset),
    field: formatFieldPath(field),
    message,
  });
  const core = looksLikeJson(text) ? parseJsonc(text, error) : parseYaml(text, error);
  if (core.value === undefined && core.errors.length === 0) {
    core.errors.push(error(0, [], 'the file is empty'));
  }
  const offsetOf = (path: FieldPath): number => mapOffset(core.offsetOf(path));
  // `{ ...core, file, offsetOf, locate, positionOf }` spelled out (same keys, same order): a spread
  // followed by new keys is re-shaped key by key in V8, and this runs once per spec file.
  return {
    format: core.format,
    value: core.value,
    errors: core.errors,
    offsetOf,
    pathAt: core.pathAt,
    file: opts.file,
    locate: (path) => lines.position(offsetOf(path)),
    positionOf,
  };
}

type ErrorAt = (offset: number, field: FieldPath, message: string) => SpecError;

interface CoreParse {
  format: 'jsonc' | 'yaml';
  value: unknown;
  errors: SpecError[];
  offsetOf: (path: FieldPath) => number;
  pathAt: (offset: number) => FieldPath;
}

/** By jsonc-parser's error name (printParseErrorCode), which is stable and needs no const enum. */
const JSONC_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected "," (or a closing bracket)',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'unexpected content after the end of the document',
  UnexpectedEndOfComment: 'unterminated /* comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

function parseJsonc(text: string, errorAt: ErrorAt): CoreParse {
  // Nearly every spec file is valid and without duplicate keys: one pass builds its value and finds
  // its root (jsonc-value.ts), and another field's offset is found by walking the text
  // (jsoncOffsetOf), no node tree. Anything else (a syntax error, a duplicate key) takes the tree path.
  const fast = scanJsonc(text) ?? visitJsonc(text);
  if (!fast) return parseJsoncTree(text, errorAt);
  const offsetOf = (path: FieldPath): number =>
    path.length === 0
      ? fast.rootOffset
      : jsoncOffsetOf(text, existingPart(fast.value, path), fast.rootOffset);
  return {
    format: 'jsonc',
    value: fast.value,
    errors: [],
    offsetOf,
    pathAt: (offset) => jsoncPathAt(text, offset),
  };
}

const JSONC_OPTIONS: jsonc.ParseOptions = { allowTrailingComma: true, disallowComments: false };

/**
 * `nodeOffset(parseTree(text), path)` without building the tree, for a text `visitJsonc` accepted
 * (no syntax error, no duplicate key, so between tokens there are only spaces, tabs, line breaks
 * and comments): one pass over the characters down `path`, skipping the values on the way and
 * stopping at the deepest field of it that exists.
 */
function jsoncOffsetOf(text: string, path: FieldPath, rootOffset: number): number {
  let i = rootOffset;
  let offset = rootOffset;
  for (const seg of path) {
    let found = false;
    const open = text.charCodeAt(i);
    if (typeof seg === 'string' && open === C_OPEN_BRACE) {
      i = skipTrivia(text, i + 1);
      for (let c = text.charCodeAt(i); c !== C_CLOSE_BRACE && i < text.length; c = text.charCodeAt(i)) {
        if (c === C_COMMA) {
          i = skipTrivia(text, i + 1);
          continue;
        }
        const keyEnd = stringEnd(text, i);
        const name = stringValue(text, i, keyEnd);
        const keyOffset = i;
        i = skipTrivia(text, skipTrivia(text, keyEnd) + 1); // past the colon
        if (name === seg) {
          offset = keyOffset;
          found = true;
          break;
        }
        i = skipTrivia(text, valueEnd(text, i));
      }
    } else if (typeof seg === 'number' && open === C_OPEN_BRACKET) {
      i = skipTrivia(text, i + 1);
      for (
        let n = 0, c = text.charCodeAt(i);
        c !== C_CLOSE_BRACKET && i < text.length;
        c = text.charCodeAt(i)
      ) {
        if (c === C_COMMA) {
          i = skipTrivia(text, i + 1);
          continue;
        }
        if (n === seg) {
          offset = i;
          found = true;
          break;
        }
        i = skipTrivia(text, valueEnd(text, i));
        n++;
      }
    }
    if (!found) break;
  }
  return offset;
}

/**
 * The longest start of `path` that exists in the parsed value: where jsoncOffsetOf's walk stops, so
 * it walks only that far (a missing field would otherwise have it skip every value of its object).
 * The value is the text's own (no duplicate keys on this path), so a key is in one iff in the other.
 */
function existingPart(value: unknown, path: FieldPath): FieldPath {
  let v = value;
  for (let n = 0; n < path.length; n++) {
    const seg = path[n];
    if (typeof seg === 'string') {
      if (
        v === null ||
        typeof v !== 'object' ||
        Array.isArray(v) ||
        !Object.prototype.hasOwnProperty.call(v, seg)
      )
        return path.slice(0, n);
      v = (v as Record<string, unknown>)[seg];
    } else {
      if (!Array.isArray(v) || !Number.isInteger(seg) || seg < 0 || seg >= v.length) return path.slice(0, n);
      v = v[seg] as unknown;
    }
  }
  return path;
}

const C_TAB = 9;
const C_LF = 10;
const C_CR = 13;
const C_SPACE = 32;
const C_QUOTE = 34;
const C_STAR = 42;
const C_COMMA = 44;
const C_SLASH = 47;
const C_OPEN_BRACKET = 91;
const C_BACKSLASH = 92;
const C_CLOSE_BRACKET = 93;
const C_OPEN_BRACE = 123;
const C_CLOSE_BRACE = 125;

/** The offset of the next token at or after `i`: past spaces, tabs, line breaks and comments. */
function skipTrivia(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === C_SPACE || c === C_TAB || c === C_LF || c === C_CR) i++;
    else if (c === C_SLASH && text.charCodeAt(i + 1) === C_SLASH) {
      i += 2;
      while (i < text.length && text.charCodeAt(i) !== C_LF && text.charCodeAt(i) !== C_CR) i++;
    } else if (c === C_SLASH && text.charCodeAt(i + 1) === C_STAR) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else return i;
  }
}

/** The offset after the string starting (at its quote) at `i`. */
function stringEnd(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === C_BACKSLASH) i++;
    else if (c === C_QUOTE) return i + 1;
  }
  return i;
}

/** The value of the string token text[start, end), as jsonc-parser's scanner reads it. */
function stringValue(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  if (!raw.includes('\\')) return raw;
  const scanner = jsonc.createScanner(text.slice(start, end));
  scanner.scan();
  return scanner.getTokenValue();
}

/** The offset after the value starting at `i` (an object, array, string, number, true, false, null). */
function valueEnd(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === C_QUOTE) return stringEnd(text, i);
  if (first !== C_OPEN_BRACE && first !== C_OPEN_BRACKET) {
    // A number or a keyword: up to the next separator, space or comment.
    while (i < text.length && !LITERAL_END.has(text.charCodeAt(i))) i++;
    return i;
  }
  let depth = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === C_QUOTE) i = stringEnd(text, i);
    else if (c === C_SLASH) i = skipTrivia(text, i);
    else {
      if (c === C_OPEN_BRACE || c === C_OPEN_BRACKET) depth++;
      else if (c === C_CLOSE_BRACE || c === C_CLOSE_BRACKET) depth--;
      i++;
      if (depth === 0) return i;
    }
  }
  return i;
}

const LITERAL_END = new Set([C_COMMA, C_CLOSE_BRACE, C_CLOSE_BRACKET, C_SPACE, C_TAB, C_LF, C_CR, C_SLASH]);

function jsoncPathAt(text: string, offset: number): FieldPath {
  const loc = jsonc.getLocation(text, offset);
  // At a property name (being typed), the path ends with that (partial) name: the field is its object.
  return loc.isAtPropertyKey ? loc.path.slice(0, -1) : loc.path;
}

/** Offset of the key of the field at `path` (or of an array item), else of its nearest parent. */
function nodeOffset(root: jsonc.Node, path: FieldPath): number {
  for (let n = path.length; n >= 0; n--) {
    const node = jsonc.findNodeAtLocation(root, path.slice(0, n));
    if (!node) continue;
    const parent = node.parent;
    if (parent?.type === 'property' && parent.children?.[0]) return parent.children[0].offset;
    return node.offset;
  }
  return root.offset;
}

/** The whole parse through jsonc-parser's node tree: for texts with syntax errors or duplicate keys. */
function parseJsoncTree(text: string, errorAt: ErrorAt): CoreParse {
  const parseErrors: jsonc.ParseError[] = [];
  const root = jsonc.parseTree(text, parseErrors, JSONC_OPTIONS);
  const pathAt = (offset: number): FieldPath => jsoncPathAt(text, offset);
  const offsetOf = (path: FieldPath): number => (root ? nodeOffset(root, path) : 0);
  const errors: SpecError[] = [];
  if (parseErrors.length > 0) {
    // Later syntax errors are nearly always consequences of the first.
    const e = parseErrors[0];
    const name = jsonc.printParseErrorCode(e.error);
    const what = JSONC_MESSAGES[name] ?? name;
    errors.push(errorAt(e.offset, pathAt(e.offset), `invalid JSON: ${what}`));
    return { format: 'jsonc', value: undefined, errors, offsetOf, pathAt };
  }
  if (root) findJsoncDuplicateKeys(root, [], errorAt, errors);
  fixFirstPositions(errors, errorAt);
  return {
    format: 'jsonc',
    value: root ? (jsonc.getNodeValue(root) as unknown) : undefined,
    errors,
    offsetOf,
    pathAt,
  };
}

/** `path` is pushed and popped while walking (copied only for an error): this runs on every spec file. */
function findJsoncDuplicateKeys(node: jsonc.Node, path: FieldPath, errorAt: ErrorAt, out: SpecError[]): void {
  if (node.type === 'object') {
    const seen = new Map<string, number>();
    for (const prop of node.children ?? []) {
      const [keyNode, valueNode] = prop.children ?? [];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      const first = seen.get(key);
      if (first !== undefined) {
        out.push(
          errorAt(keyNode.offset, [...path, key], `duplicate key "${key}" (first defined at ${first})`),
        );
      } else seen.set(key, keyNode.offset);
      if (valueNode && (valueNode.type === 'object' || valueNode.type === 'array')) {
        path.push(key);
        findJsoncDuplicateKeys(valueNode, path, errorAt, out);
        path.pop();
      }
    }
  } else if (node.type === 'array') {
    const children = node.children ?? [];
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (child.type !== 'object' && child.type !== 'array') continue;
      path.push(i);
      findJsoncDuplicateKeys(child, path, errorAt, out);
      path.pop();
    }
  }
}

/** Duplicate-key messages carry the first key's offset until it is turned into a line:column. */
function fixFirstPositions(out: SpecError[], errorAt: ErrorAt): void {
  for (const e of out) {
    const m = /\(first defined at (\d+)\)$/.exec(e.message);
    if (m) {
      const p = errorAt(Number(m[1]), [], '');
      e.message = e.message.replace(m[0], `(first defined at line ${p.line}, column ${p.column})`);
    }
  }
}

function parseYaml(text: string, errorAt: ErrorAt): CoreParse {
  const doc = YAML.parseDocument(text, {
    lineCounter: new YAML.LineCounter(),
    prettyErrors: false,
    // We report duplicates ourselves, with the field path.
    uniqueKeys: false,
  });
  const offsetOf = (path: FieldPath): number => {
    let node: unknown = doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (const seg of path) {
      if (YAML.isAlias(node)) node = node.resolve(doc);
      if (YAML.isMap(node)) {
        const pair = node.items.find((p) => yamlKey(p.key) === String(seg));
        if (!pair) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (YAML.isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
        offset = rangeStart(node) ?? offset;
      } else break;
    }
    return offset;
  };
  const pathAt = (offset: number): FieldPath => {
    const path: FieldPath = [];
    let node: unknown = doc.contents;
    for (;;) {
      if (YAML.isMap(node)) {
        // A key that starts exactly at the offset is what the error is about, not a place inside it.
        const pair = node.items.find(
          (p) => (contains(p.key, offset) && (rangeStart(p.key) ?? 0) < offset) || contains(p.value, offset),
        );
        if (!pair) break;
        path.push(yamlKey(pair.key));
        node = pair.value;
      } else if (YAML.isSeq(node)) {
        const i = node.items.findIndex((item) => contains(item, offset));
        if (i < 0) break;
        path.push(i);
        node = node.items[i];
      } else break;
    }
    return path;
  };
  const errors: SpecError[] = doc.errors.map((e) =>
    errorAt(e.pos[0], pathAt(e.pos[0]), `invalid YAML: ${yamlMessage(e)}`),
  );
  if (errors.length > 0) return { format: 'yaml', value: undefined, errors, offsetOf, pathAt };
  findYamlDuplicateKeys(doc.contents, [], errorAt, errors);
  fixFirstPositions(errors, errorAt);
  const value: unknown = doc.contents === null ? undefined : doc.toJS({ maxAliasCount: 1000 });
  return { format: 'yaml', value: value ?? undefined, errors, offsetOf, pathAt };
}

function yamlMessage(e: YAML.YAMLError): string {
  // The yaml package's messages are good; strip the position it appends (we give our own).
  return e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '');
}

function rangeStart(node: unknown): number | undefined {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ? r[0] : undefined;
}

function contains(node: unknown, offset: number): boolean {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return !!r && offset >= r[0] && offset < Math.max(r[1], r[0] + 1);
}

function yamlKey(key: unknown): string {
  if (YAML.isScalar(key)) return String(key.value);
  return String(key);
}

function findYamlDuplicateKeys(node: unknown, path: FieldPath, errorAt: ErrorAt, out: SpecError[]): void {
  if (YAML.isMap(node)) {
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      const key = yamlKey(pair.key);
      const offset = rangeStart(pair.key) ?? 0;
      const first = seen.get(key);
      if (first !== undefined) {
        out.push(errorAt(offset, [...path, key], `duplicate key "${key}" (first defined at ${first})`));
      } else seen.set(key, offset);
      findYamlDuplicateKeys(pair.value, [...path, key], errorAt, out);
    }
  } else if (YAML.isSeq(node)) {
    node.items.forEach((item, i) => findYamlDuplicateKeys(item, [...path, i], errorAt, out));
  }
}
