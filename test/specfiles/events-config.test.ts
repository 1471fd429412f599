import * as path from 'path';
import { load, positionOf, specDir } from './helpers';

const URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/shop-events';
const ARN = 'arn:aws:sqs:eu-west-1:123456789012:shop-events';

async function config(text: string) {
  const dir = specDir({ 'cluster.yaml': text });
  const r = await load(dir);
  expect(r.errors).toEqual([]);
  return { cluster: r.state!.cluster, file: path.join(dir, 'cluster.yaml') };
}

/** Loads a cluster.yaml that must fail and returns its errors as [line, column, field, message]. */
async function configErrors(text: string) {
  const dir = specDir({ 'cluster.yaml': text });
  const r = await load(dir);
  expect(r.state).toBeUndefined();
  for (const e of r.errors) expect(e.file).toBe(path.join(dir, 'cluster.yaml'));
  return r.errors.map((e) => [e.line, e.column, e.field, e.message]);
}

describe('cluster.yaml events:', () => {
  it('queue: create, with the defaults filled in and the section as source', async () => {
    const text = 'name: demo\nevents:\n  queue: create\n';
    const { cluster, file } = await config(text);
    expect(cluster.events).toEqual({
      queue: { kind: 'owned', deadLetterMaxReceives: 5, messageRetentionSeconds: 345600 },
      source: { file, ...positionOf(text, 'events') },
    });
  });

  it('queue: create with its settings', async () => {
    const { cluster } = await config(
      'name: demo\nevents:\n  queue: create\n  deadLetterMaxReceives: 3\n  messageRetentionSeconds: 86400\n',
    );
    expect(cluster.events!.queue).toEqual({
      kind: 'owned',
      deadLetterMaxReceives: 3,
      messageRetentionSeconds: 86400,
    });
  });

  it('an existing queue by URL or by ARN, in the cluster region', async () => {
    const byUrl = await config(`name: demo\nregion: eu-west-1\nevents: { queue: "${URL}" }\n`);
    expect(byUrl.cluster.events!.queue).toEqual({ kind: 'existing', url: URL });
    const byArn = await config(`name: demo\nregion: eu-west-1\nevents: { queue: "${ARN}" }\n`);
    expect(byArn.cluster.events!.queue).toEqual({ kind: 'existing', arn: ARN });
    // A local endpoint (moto, LocalStack) has no region in its host name: nothing to compare.
    const local = 'http://localhost:5000/123456789012/shop-events';
    const byLocal = await config(`name: demo\nregion: eu-west-1\nevents: { queue: "${local}" }\n`);
    expect(byLocal.cluster.events!.queue).toEqual({ kind: 'existing', url: local });
  });

  it('no events: section, no event source', async () => {
    const { cluster } = await config('name: demo\n');
    expect(cluster.events).toBeUndefined();
  });

  it('an unknown key is named at its line with a suggestion', async () => {
    const text = 'name: demo\nevents:\n  queue: create\n  deadLetterMaxRecieves: 3\n';
    expect(await configErrors(text)).toEqual([
      [
        4,
        3,
        'events.deadLetterMaxRecieves',
        'unknown field "deadLetterMaxRecieves" (did you mean "deadLetterMaxReceives"?)',
      ],
    ]);
  });

  it('queue is required; ranges are the ones SQS allows', async () => {
    expect(await configErrors('name: demo\nevents:\n  deadLetterMaxReceives: 3\n')).toEqual([
      [2, 1, 'events.queue', 'missing required field "queue"'],
    ]);
    const text =
      'name: demo\nevents:\n  queue: create\n  deadLetterMaxReceives: 0\n  messageRetentionSeconds: 30\n';
    expect(await configErrors(text)).toEqual([
      [4, 3, 'events.deadLetterMaxReceives', 'must be >= 1'],
      [5, 3, 'events.messageRetentionSeconds', 'must be >= 60'],
    ]);
  });

  it('a queue that is neither create nor a URL or ARN; a misspelt create gets a suggestion', async () => {
    const text = 'name: demo\nevents:\n  queue: creat\n';
    expect(await configErrors(text)).toEqual([
      [
        3,
        3,
        'events.queue',
        '"creat" is neither create (ecs-gitops creates the queue) nor a queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME) or ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) (did you mean "create"?)',
      ],
    ]);
  });

  it('malformed ARNs and URLs, and invalid queue names in them', async () => {
    const errs = async (queue: string) =>
      (await configErrors(`name: demo\nevents:\n  queue: "${queue}"\n`))[0];
    expect(await errs('arn:aws:sns:eu-west-1:123456789012:topic')).toEqual([
      3,
      3,
      'events.queue',
      '"arn:aws:sns:eu-west-1:123456789012:topic" is not an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)',
    ]);
    expect((await errs('arn:aws:sqs:eu-west-1:123456789012:bad name'))[3]).toMatch(/names no valid queue/);
    expect((await errs('https://sqs.eu-west-1.amazonaws.com/shop-events'))[3]).toMatch(
      /is not a queue URL: it reads https:\/\/sqs\.REGION\.amazonaws\.com\/ACCOUNT\/NAME$/,
    );
    expect((await errs('https://sqs.eu-west-1.amazonaws.com/123456789012/a.b'))[3]).toMatch(
      /names no valid queue/,
    );
    expect((await errs(`${'x'.repeat(81)}`))[3]).toMatch(/is neither create/);
  });

  it('a queue in another region than the cluster', async () => {
    const other = 'arn:aws:sqs:us-east-1:123456789012:shop-events';
    expect(await configErrors(`name: demo\nregion: eu-west-1\nevents:\n  queue: ${other}\n`)).toEqual([
      [
        4,
        3,
        'events.queue',
        `"${other}" is in us-east-1, but the cluster is in eu-west-1: the queue must be in the cluster's region, where its ECS events are`,
      ],
    ]);
    const url = 'https://sqs.us-east-1.amazonaws.com/123456789012/shop-events';
    const errors = await configErrors(`name: demo\nregion: eu-west-1\nevents:\n  queue: ${url}\n`);
    expect(errors[0][3]).toMatch(/is in us-east-1, but the cluster is in eu-west-1/);
  });

  it("the created queue's settings given for an existing queue: an error at each", async () => {
    const text = `name: demo\nevents:\n  queue: ${ARN}\n  deadLetterMaxReceives: 3\n  messageRetentionSeconds: 600\n`;
    const why =
      "only for a queue ecs-gitops creates (events.queue: create): an existing queue's settings are not ours to change";
    expect(await configErrors(text)).toEqual([
      [4, 3, 'events.deadLetterMaxReceives', why],
      [5, 3, 'events.messageRetentionSeconds', why],
    ]);
  });
});
