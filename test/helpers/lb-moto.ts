/**
 * What the load balancer tests on moto share (load-balancer.moto.test.ts,
 * load-balancer-owned.moto.test.ts, destroy-lb.moto.test.ts): one moto per test file with SDK
 * clients for what a test checks itself, the ecs-efs fixture beside a cluster.yaml of the test's,
 * CLI runs that record the order of their writes, and the reads the tests check with. The network
 * and balancers they start from are made by alb-fixture.ts.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeServicesCommand, ECSClient, type Service } from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { onAwsContextCreated } from '../../controller/cli/aws-context';
import { useMoto, useMotoClient } from './moto';
import { json, runCli, type CliRun } from './run-cli';

export interface LbMoto {
  readonly endpoint: string;
  readonly ecs: ECSClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly route53: Route53Client;
}

/** moto for the whole file (reset before each test), with the test's own SDK clients on it. */
export function useLbMoto(): LbMoto {
  const moto = useMoto();
  const ecs = useMotoClient(moto, ECSClient);
  const elb = useMotoClient(moto, ElasticLoadBalancingV2Client);
  const route53 = useMotoClient(moto, Route53Client);
  return {
    get endpoint() {
      return moto.endpoint;
    },
    get ecs() {
      return ecs();
    },
    get elb() {
      return elb();
    },
    get route53() {
      return route53();
    },
  };
}

export interface FixtureCopy {
  /** The cluster directory (`demo`). */
  dir: string;
  /** Its cluster.yaml, beside it (`--config`). */
  config: string;
}

const ECS_EFS = path.join(__dirname, '../fixtures/ecs-efs-example');

/** The ecs-efs directory as it is, with `clusterYaml` as the cluster.yaml beside it. */
export function copyEcsEfs(clusterYaml: string): FixtureCopy {
  const root = mkdtempSync(path.join(tmpdir(), 'ecs-lb-'));
  const dir = path.join(root, 'demo');
  cpSync(ECS_EFS, dir, { recursive: true });
  const config = path.join(root, 'cluster.yaml');
  writeFileSync(config, clusterYaml);
  return { dir, config };
}

/**
 * Runs the CLI against moto; `order` is every call that is not a read, in order (the counts do not
 * show order), with its error code when it failed.
 */
export async function cliInOrder(
  lb: Pick<LbMoto, 'endpoint'>,
  args: string[],
): Promise<CliRun & { order: string[] }> {
  const order: string[] = [];
  const stop = onAwsContextCreated((ctx) => {
    ctx.callLog.subscribe((service, op, code) => {
      if (!/^(Describe|List|Get)/.test(op)) order.push(`${service}.${op}${code === 'OK' ? '' : ` ${code}`}`);
    });
  });
  try {
    return { ...(await runCli(args, { AWS_ENDPOINT_URL: lb.endpoint })), order };
  } finally {
    stop();
  }
}

/** `apply` of a fixture copy with `-o json`; its answer (an exit other than 0 fails the test). */
export async function applyCopy(lb: Pick<LbMoto, 'endpoint'>, f: FixtureCopy, ...extra: string[]) {
  const run = await cliInOrder(lb, ['apply', f.dir, '--config', f.config, ...extra, '--output', 'json']);
  if (run.code !== 0) throw new Error(`apply exited ${run.code}:\n${run.stderr}\n${run.stdout}`);
  return json(run);
}

/** Writes only (reads are Describe*, List*, Get*); `service` keeps one AWS service's. */
export function writes(byOperation: Record<string, number>, service = ''): Record<string, number> {
  return Object.fromEntries(
    Object.entries(byOperation).filter(([op]) => !/\.(Describe|List|Get)/.test(op) && op.startsWith(service)),
  );
}

/** A listener's rules but the default one. */
export async function listenerRules(lb: Pick<LbMoto, 'elb'>, listenerArn: string): Promise<Rule[]> {
  const out = await lb.elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  return out.Rules?.filter((r) => !r.IsDefault) ?? [];
}

export const hostsOf = (r: Rule): string[] =>
  r.Conditions?.find((c) => c.Field === 'host-header')?.HostHeaderConfig?.Values ?? [];

/** The ecs-efs services of cluster `demo`, by name. */
export async function demoServices(lb: Pick<LbMoto, 'ecs'>): Promise<Record<string, Service>> {
  const out = await lb.ecs.send(
    new DescribeServicesCommand({ cluster: 'demo', services: ['webserver', 'jenkins'] }),
  );
  return Object.fromEntries((out.services ?? []).map((s) => [s.serviceName, s]));
}

/** Replaces `from` in a file; a test whose edit finds nothing to replace fails here. */
export function edit(file: string, from: string | RegExp, to: string): void {
  const before = readFileSync(file, 'utf8');
  const after = before.replace(from, to);
  if (after === before) throw new Error(`${file}: ${String(from)} not found`);
  writeFileSync(file, after);
}

/** The hosted zone `example.com` the `proxy.host` names go in; its id. */
export async function exampleZone(lb: Pick<LbMoto, 'route53'>): Promise<string> {
  const zone = await lb.route53.send(
    new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `${Date.now()}` }),
  );
  return zone.HostedZone?.Id ?? '';
}

export async function recordSets(lb: Pick<LbMoto, 'route53'>, zoneId: string) {
  const out = await lb.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return out.ResourceRecordSets ?? [];
}
