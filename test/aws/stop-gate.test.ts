/**
 * Stopping the controller (SIGTERM): the ECS writes already sent finish, the others are refused
 * without reaching AWS, including those waiting in the account limiter for a slot or a token.
 */
import { AccountLimiter, limitPort } from '../../controller/aws/account-limiter';
import type { EcsPort } from '../../controller/aws/ecs-port';
import { gateWrites } from '../../controller/aws/stop-gate';
import { ECS_THROTTLES } from '../../controller/aws/throttle-groups';
import { SandboxRoute53 } from '../../controller/aws/sandbox/sandbox-route53';
import { AwsContext } from '../../controller/cli/aws-context';
import { ec2TaskDef, newSandbox } from '../helpers/sandbox';

test('after the abort, the account limiter sends no more writes: the one in flight finishes, the queued and the token-starved are refused at once', async () => {
  const { sb } = newSandbox();
  const sent: string[] = [];
  let release!: () => void;
  const inFlight = new Promise<void>((r) => (release = r));
  const inner: EcsPort = Object.create(sb) as EcsPort;
  inner.registerTaskDefinition = async (input) => {
    sent.push(input.family ?? '');
    if (input.family === 'f0') await inFlight;
    return sb.registerTaskDefinition(input);
  };
  const stop = new AbortController();
  // As aws-context.ts composes them: the limiter above the stop gate, both with the stop signal.
  const limiter = new AccountLimiter({
    concurrency: 1,
    // Two tokens: f0 is sent, f1 waits for the slot, f2 and f3 wait for a token (a second each).
    throttles: {
      ECS: {
        ...ECS_THROTTLES,
        groups: [{ name: 'register', burst: 2, perSecond: 1, actions: ['RegisterTaskDefinition'] }],
      },
    },
  });
  const port = limitPort(gateWrites(inner, stop.signal), 'ECS', limiter, { signal: stop.signal });
  const calls = ['f0', 'f1', 'f2', 'f3'].map((f) =>
    port.registerTaskDefinition(ec2TaskDef(f)).then(
      () => `${f}: sent`,
      (err: Error) => `${f}: ${err.name}`,
    ),
  );
  // Stops once f0 is on the wire (a fixed sleep could end before it is, on a loaded machine).
  while (sent.length === 0) await new Promise((r) => setTimeout(r, 1));
  const stoppedAt = Date.now();
  stop.abort();
  release();
  expect(await Promise.all(calls)).toEqual([
    'f0: sent',
    'f1: StoppingError',
    'f2: StoppingError',
    'f3: StoppingError',
  ]);
  expect(sent).toEqual(['f0']);
  expect(Date.now() - stoppedAt).toBeLessThan(500);
  // Reads still work (the controller's last status reads, a rollout follower's last poll).
  await expect(port.describeClusters({})).resolves.toBeDefined();
});

test('gateWrites (the sandbox has no rate limiter): writes refused after the abort, reads pass', async () => {
  const { sb } = newSandbox();
  const stop = new AbortController();
  const port = gateWrites(sb as EcsPort, stop.signal);
  await port.registerTaskDefinition(ec2TaskDef('before'));
  stop.abort();
  await expect(port.registerTaskDefinition(ec2TaskDef('after'))).rejects.toThrow(
    'registerTaskDefinition not sent: the controller is stopping',
  );
  await expect(port.tagResource({ resourceArn: 'arn:x', tags: [] })).rejects.toThrow(/not sent/);
  const families = await port.listTaskDefinitionFamilies({});
  expect(families.families).toEqual(['before']);
});

test('gateWrites on Route53: a record change after the abort is refused and never reaches the zone; reads pass', async () => {
  const r53 = new SandboxRoute53();
  const zoneId = r53.createHostedZone('example.com');
  const stop = new AbortController();
  const port = gateWrites(r53, stop.signal);
  const upsert = (name: string) =>
    port.changeResourceRecordSets({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: { Name: name, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] },
          },
        ],
      },
    });
  await upsert('before.example.com');
  stop.abort();
  await expect(upsert('after.example.com')).rejects.toThrow(
    'changeResourceRecordSets not sent: the controller is stopping',
  );
  const { ResourceRecordSets = [] } = await port.listResourceRecordSets({ HostedZoneId: zoneId });
  expect(ResourceRecordSets.filter((r) => r.Type === 'A').map((r) => r.Name)).toEqual([
    'before.example.com.',
  ]);
});

test('the AWS context gates both ECS and Route53 writes of every region with the one stop signal', async () => {
  const stop = new AbortController();
  const ctx = new AwsContext({ sandbox: true }, stop.signal);
  const region = await ctx.forRegion('us-east-1');
  stop.abort();
  await expect(region.ecs.registerTaskDefinition(ec2TaskDef('late'))).rejects.toThrow(/not sent/);
  await expect(
    region.dns.route53.changeResourceRecordSets({ HostedZoneId: 'Z1', ChangeBatch: { Changes: [] } }),
  ).rejects.toThrow('changeResourceRecordSets not sent: the controller is stopping');
  await ctx.close();
});
