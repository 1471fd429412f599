/**
 * Which log format each command gets: `run` is a service (JSON for a log pipeline), every other
 * command is read by a person, in a terminal or a CI log (text), whatever stderr is.
 */
import { Writable } from 'node:stream';
import { cliLogger, configureLogging, writeDiagnostics } from '../../controller/cli/common';

function firstLine(command: string, format?: string): string {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  configureLogging(command, 'info', format);
  cliLogger(stream).info({ cluster: 'demo' }, 'hello');
  return text.split('\n')[0];
}

const saved = process.env.ECS_GITOPS_LOG_FORMAT;
afterEach(() => {
  if (saved === undefined) delete process.env.ECS_GITOPS_LOG_FORMAT;
  else process.env.ECS_GITOPS_LOG_FORMAT = saved;
});

test.each(['validate', 'diff', 'apply', 'destroy', 'export', 'adopt'])('%s: text lines by default', (cmd) => {
  delete process.env.ECS_GITOPS_LOG_FORMAT;
  expect(firstLine(cmd)).toMatch(/^\d\d:\d\d:\d\d INFO {2}hello cluster=demo$/);
});

test('run: JSON lines by default', () => {
  delete process.env.ECS_GITOPS_LOG_FORMAT;
  expect(JSON.parse(firstLine('run'))).toMatchObject({ level: 30, msg: 'hello', cluster: 'demo' });
});

test('--log-format wins over ECS_GITOPS_LOG_FORMAT, which wins over the default', () => {
  process.env.ECS_GITOPS_LOG_FORMAT = 'json';
  expect(JSON.parse(firstLine('diff'))).toMatchObject({ msg: 'hello' });
  expect(firstLine('run', 'text')).toMatch(/INFO {2}hello/);
});

test('a format that does not exist is refused with the ones that do', () => {
  expect(() => configureLogging('diff', 'info', 'yaml')).toThrow(
    '--log-format must be one of json, text, pretty (got "yaml")',
  );
});

test('diagnostics with --log-format json: error, warning and note lines become JSON lines of their level', () => {
  let text = '';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += chunk.toString();
    return true;
  });
  try {
    configureLogging('export', 'info', 'json');
    writeDiagnostics('error: e1\nwarning: w1\nnote: web.service.template is exported as web.service\n');
  } finally {
    spy.mockRestore();
    configureLogging('export', 'info', 'text');
  }
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { level: number; msg: string });
  expect(lines.map((l) => [l.level, l.msg])).toEqual([
    [50, 'e1'],
    [40, 'w1'],
    [30, 'web.service.template is exported as web.service'],
  ]);
});
