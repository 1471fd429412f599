import { SseParser, type SseEvent } from '../../controller/cli/sse-parser';

/** Every event of `text` fed in pieces cut at each of `cuts`. */
function parse(text: string, cuts: number[] = []): SseEvent[] {
  const p = new SseParser();
  const out: SseEvent[] = [];
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    out.push(...p.push(text.slice(at, cut)));
    at = cut;
  }
  return out;
}

const STREAM =
  ': ecs-gitops view stream\n\n' +
  'event: task\ndata: {"type":"task","op":"upsert"}\n\n' +
  ': keep-alive\n\n' +
  'event: instance\ndata: {"type":"instance","op":"delete"}\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'task', data: '{"type":"task","op":"upsert"}', lastEventId: '' },
  { event: 'instance', data: '{"type":"instance","op":"delete"}', lastEventId: '' },
];

test('comments (the greeting, keep-alives) give no event; named events in order', () => {
  expect(parse(STREAM)).toEqual(EXPECTED);
});

test('the same events whatever the chunk boundaries, one character at a time included', () => {
  for (let cut = 1; cut < STREAM.length; cut++) expect(parse(STREAM, [cut])).toEqual(EXPECTED);
  expect(
    parse(
      STREAM,
      Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1),
    ),
  ).toEqual(EXPECTED);
});

test('multi-line data joins with newlines; one leading space is cut; no data, no event', () => {
  expect(parse('data: a\ndata:  b\ndata\ndata:c\n\nevent: x\n\n')).toEqual([
    { event: 'message', data: 'a\n b\n\nc', lastEventId: '' },
  ]);
});

test('CRLF and CR line ends, a CRLF split across chunks, a BOM at the start', () => {
  const text = '\uFEFFevent: task\r\ndata: 1\r\n\r\ndata: 2\r\rdata: 3\r\n\r\n';
  const want = [
    { event: 'task', data: '1', lastEventId: '' },
    { event: 'message', data: '2', lastEventId: '' },
    { event: 'message', data: '3', lastEventId: '' },
  ];
  expect(parse(text)).toEqual(want);
  // Cut between every CR and its LF: the LF must not end a second (empty) line.
  const cuts = [...text.matchAll(/\r\n/g)].map((m) => (m.index ?? 0) + 1);
  expect(parse(text, cuts)).toEqual(want);
});

test('id and retry fields; unknown fields ignored; an unfinished event at the end is dropped', () => {
  const p = new SseParser();
  expect(p.push('id: 7\nretry: 2500\nfoo: bar\ndata: x\n\ndata: half')).toEqual([
    { event: 'message', data: 'x', lastEventId: '7' },
  ]);
  expect(p.retryMs).toBe(2500);
  expect(p.push('')).toEqual([]);
});
