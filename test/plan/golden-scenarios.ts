/**
 * The plans of the golden-file tests, each made by the pure planner from the demo cluster (no
 * hand-made Plan objects): one per kind of action a reviewer meets, plus redaction.
 */
import type { Plan } from '../../controller/plan/plan-types';
import { planCluster } from '../../controller/plan/planner';
import { planDestroy } from '../../controller/plan/destroy-planner';
import { ownershipTags } from '../../controller/model/ownership';
import { clusterConfig, desiredState, emptyAccount, service, taskDef } from './builders';
import { webAws, webSpec } from './fixtures';
import { dnsConfig, host, observedDns, txtSet, aSet, withDns, ZONE } from './dns-builders';
import { demoDesired, demoRunning } from './scenario';

/** The secrets of the redaction scenario: they must appear in no output. */
export const OLD_SECRET = 'old-s3cret-Pa55';
export const NEW_SECRET = 'new-s3cret-Pa55';

function redaction(): Plan {
  const cfg = clusterConfig({
    redaction: {
      patterns: ['^INTERNAL_'],
      exempt: ['AUTH_ENABLED'],
      source: { file: 'specs/demo/cluster.yaml', line: 6, column: 1 },
    },
  });
  const spec = webSpec();
  spec.containerDefinitions![0].environment!.push(
    { name: 'DB_PASSWORD', value: NEW_SECRET },
    { name: 'AUTH_ENABLED', value: 'true' },
  );
  const desired = demoDesired({ cfg });
  desired.taskDefinitions[0] = taskDef(cfg, 'web', spec);
  const live = demoRunning(cfg);
  const aws = webAws('demo-web', 3);
  aws.containerDefinitions![0].environment!.push(
    { name: 'AUTH_ENABLED', value: 'false' },
    { name: 'DB_PASSWORD', value: OLD_SECRET },
  );
  live.families.get('demo-web')!.taskDefinition = aws;
  return planCluster(desired, live);
}

/** The demo cluster without its api service: ecs-gitops owns it, so it is pruned. */
function prune(): Plan {
  const cfg = clusterConfig();
  const desired = desiredState(
    cfg,
    [taskDef(cfg, 'web', webSpec())],
    [service(cfg, 'web', { body: { launchType: 'EC2' } })],
  );
  const live = demoRunning(cfg);
  const api = live.services.get('api')!;
  live.services.delete('api');
  live.extraServices = new Map([['api', api]]);
  return planCluster(desired, live);
}

/** www.example.com was our A record; the target is now a CNAME: one step replaces it. */
function replace(): Plan {
  const cfg = clusterConfig({ dns: dnsConfig() });
  const desired = demoDesired({ cfg });
  desired.hostnames = [host('www.example.com')];
  const records = {
    [ZONE.id]: [
      aSet('www.example.com', ['10.0.0.1']),
      txtSet('_ecs-gitops-a.www.example.com', 'demo', 'demo', 'web'),
    ],
  };
  const target = { kind: 'cname' as const, value: 'edge.example.net' };
  return planCluster(desired, withDns(demoRunning(cfg), observedDns([ZONE], records, target)));
}

/** `destroy demo --drain`: both services drained and deleted, then the cluster. */
function destroy(): Plan {
  const tags = ownershipTags('demo', 'demo');
  const svc = (name: string) => ({ service: { serviceName: name, status: 'ACTIVE', desiredCount: 2 }, tags });
  return planDestroy(
    { cluster: 'demo', ownerId: 'demo', drain: true, region: 'eu-west-1' },
    {
      cluster: { arn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/demo', tags },
      services: [svc('api'), svc('web')],
    },
  ).plan;
}

export interface GoldenScenario {
  name: string;
  plans: () => Plan[];
  /** Only these formats (default: text, markdown and JSON). */
  formats?: readonly ('txt' | 'md' | 'json')[];
  maxLength?: number;
}

export const GOLDEN_SCENARIOS: readonly GoldenScenario[] = [
  { name: 'create', plans: () => [planCluster(demoDesired(), emptyAccount())] },
  { name: 'update', plans: () => [planCluster(demoDesired({ webImage: 'nginx:1.28' }), demoRunning())] },
  { name: 'replace', plans: () => [replace()] },
  { name: 'delete', plans: () => [destroy()] },
  {
    name: 'conflict',
    plans: () => [planCluster(demoDesired({ webBody: { launchType: 'FARGATE' } }), demoRunning())],
  },
  { name: 'prune', plans: () => [prune()] },
  { name: 'redaction', plans: () => [redaction()] },
  { name: 'no-changes', plans: () => [planCluster(demoDesired(), demoRunning())] },
  {
    name: 'truncation',
    plans: () => [planCluster(demoDesired(), emptyAccount())],
    formats: ['md'],
    maxLength: 1500,
  },
];
