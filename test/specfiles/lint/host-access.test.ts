/** `privileged` and `host-network`: what gives a task the host. */
import { positionOf } from '../helpers';
import { findingsOf, good, taskdef } from './lint-helpers';

test('privileged: true is reported at the field; false or unset is not', async () => {
  const text = taskdef([
    good({ name: 'a', privileged: false }),
    good({ name: 'b' }),
    good({ name: 'root', privileged: true }),
  ]);
  const found = await findingsOf('privileged', { 'web.taskdef': text });
  expect(found).toEqual([
    expect.objectContaining({
      level: 'warn',
      field: 'containerDefinitions[2].privileged',
      ...positionOf(text, '"privileged": true'),
      message: expect.stringMatching(/container "root" is privileged.*linuxParameters\.capabilities\.add/),
    }),
  ]);
});

test('networkMode host is reported at networkMode; bridge and awsvpc are not', async () => {
  const host = taskdef([good()], { networkMode: 'host' });
  expect(await findingsOf('host-network', { 'web.taskdef': host })).toEqual([
    expect.objectContaining({
      field: 'networkMode',
      ...positionOf(host, '"networkMode"'),
      message: expect.stringMatching(/use "awsvpc", or "bridge"/),
    }),
  ]);
  for (const networkMode of ['bridge', 'awsvpc']) {
    expect(await findingsOf('host-network', { 'web.taskdef': taskdef([good()], { networkMode }) })).toEqual(
      [],
    );
  }
});
