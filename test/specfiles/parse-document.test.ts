import * as jsonc from 'jsonc-parser';
import type { FieldPath } from '../../controller/specfiles/field-path';
import { parseDocument } from '../../controller/specfiles/parse-document';

/**
 * Where fields of a valid JSONC file are: found without jsonc-parser's node tree, so checked here
 * against it (the key of a field, an array item itself, else the nearest parent that exists).
 */
function treeOffset(text: string, path: FieldPath): number {
  const root = jsonc.parseTree(text, [], { allowTrailingComma: true })!;
  for (let n = path.length; n >= 0; n--) {
    const node = jsonc.findNodeAtLocation(root, path.slice(0, n));
    if (!node) continue;
    const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    return key ? key.offset : node.offset;
  }
  return root.offset;
}

const TRICKY = [
  '// leading comment',
  '/* a block',
  '   comment */ {',
  '  "a": { "s": "}]{[", /* } ] */ "t": [[1, [2]], { "u": 2, }, ], "e": {}, "f": [] },',
  '  // "b": 0, } ] "',
  '  "q": "a \\"quoted\\" ]} /* [", "n": -1.5e+3, "k": [true,false,null],',
  '  "b": [10, { "c": 3 }, "x",],',
  '  "esc\\"aped": { "k": null },',
  '  "last": true,',
  '}',
  '',
].join('\n');

describe('parseDocument (JSONC) positions', () => {
  it('the root is where its "{" is, after leading comments', () => {
    const doc = parseDocument(TRICKY, { file: 'f' });
    expect(doc.errors).toEqual([]);
    expect(doc.offsetOf([])).toBe(TRICKY.indexOf('{'));
    expect(doc.locate([])).toEqual({ line: 3, column: 15 });
  });

  it('every field, missing field and out-of-range index is where the node tree says', () => {
    const doc = parseDocument(TRICKY, { file: 'f' });
    const paths: FieldPath[] = [
      ['a'],
      ['a', 's'],
      ['a', 't'],
      ['a', 't', 0],
      ['a', 't', 0, 1, 0],
      ['a', 't', 1, 'u'],
      ['a', 't', 2],
      ['a', 'e', 'x'],
      ['a', 'f', 0],
      ['a', 0],
      ['b'],
      ['b', 0],
      ['b', 1, 'c'],
      ['b', 2],
      ['b', 3],
      ['b', 'c'],
      ['esc"aped', 'k'],
      ['q'],
      ['n'],
      ['k', 1],
      ['k', 2],
      ['k', 3],
      ['last'],
      ['last', 'deeper'],
      ['missing', 'x'],
      [0],
      ['b', '0'],
      ['b', 1.5],
      ['b', -1],
      ['a', 't', 0, 'x'],
      ['a', 'e', '__proto__'],
      ['a', 'constructor'],
      ['k', 0, 'x'],
      ['q', 0],
      ['q', 'x'],
    ];
    for (const p of paths) expect([p, doc.offsetOf(p)]).toEqual([p, treeOffset(TRICKY, p)]);
    expect(doc.locate(['b', 1, 'c'])).toEqual({ line: 7, column: 15 });
    expect(doc.locate(['a', 't', 1, 'u'])).toEqual({ line: 4, column: 51 });
  });

  it('positions asked far into the file, then near, then farther, are all exact', () => {
    const text = '{\n  "a": 1,\n\n  "b": 2,\n  "c": 3\n}\n';
    const doc = parseDocument(text, { file: 'f' });
    expect(doc.locate(['b'])).toEqual({ line: 4, column: 3 });
    expect(doc.locate(['a'])).toEqual({ line: 2, column: 3 });
    expect(doc.positionOf(text.length)).toEqual({ line: 7, column: 1 });
    expect(doc.positionOf(text.length + 5)).toEqual({ line: 7, column: 6 });
    expect(doc.locate(['c'])).toEqual({ line: 5, column: 3 });
  });

  it('the value is what the node tree gives: objects without a prototype, "__proto__" a plain key', () => {
    const text = '{ "__proto__": { "x": 1 }, "n": [1, "2", null, true, { "o": {} }], "1": 0, "0": 1 }';
    const doc = parseDocument(text, { file: 'f' });
    expect(doc.errors).toEqual([]);
    expect(doc.value).toStrictEqual(jsonc.getNodeValue(jsonc.parseTree(text)!));
    const value = doc.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.keys(value)).toEqual(['0', '1', '__proto__', 'n']);
    const plain = parseDocument('{ "a": { "b": [{}] } }', { file: 'f' }).value;
    expect(plain).toStrictEqual(jsonc.getNodeValue(jsonc.parseTree('{ "a": { "b": [{}] } }')!));
    expect(Object.getPrototypeOf(plain)).toBeNull();
  });

  it('a duplicate key anywhere is an error at the second key, with the first one position', () => {
    const text = '// c\n{ "a": [1, { "b": 1,\n "b": 2 }] }';
    const doc = parseDocument(text, { file: 'f' });
    expect(doc.errors).toEqual([
      {
        file: 'f',
        line: 3,
        column: 2,
        field: 'a[1].b',
        message: 'duplicate key "b" (first defined at line 2, column 14)',
      },
    ]);
    expect(doc.value).toStrictEqual(jsonc.getNodeValue(jsonc.parseTree(text)!));
  });
});
