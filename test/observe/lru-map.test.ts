import { LruMap } from '../../controller/observe/lru-map';

describe('LruMap', () => {
  test('keeps at most capacity entries, dropping the least recently used (a get counts as a use)', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1).set('b', 2);
    expect(m.get('a')).toBe(1); // b is now the least recently used
    m.set('c', 3);
    expect([...m.keys()]).toEqual(['a', 'c']);
    expect(m.has('b')).toBe(false);
    m.set('a', 10); // a set refreshes too
    m.set('d', 4);
    expect([...m.entries()]).toEqual([
      ['a', 10],
      ['d', 4],
    ]);
    expect(m.size).toBe(2);
    expect(new Map(m).get('d')).toBe(4);
    m.delete('a');
    m.clear();
    expect(m.size).toBe(0);
  });
});
