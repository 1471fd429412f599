/**
 * The crash-safety scenarios (crash-scenarios.ts) run by the real CLI, in-process, against moto:
 * shared by the crash cases (test/e2e/crash-safety.moto.test.ts) and the fault runs
 * (test/e2e/faults.moto.test.ts). One moto for the test file; each test prepares its account.
 *
 * Where moto is not AWS, for what these checks see:
 * - moto drops a service's healthCheckGracePeriodSeconds on CreateService (AWS keeps it), so the
 *   apply after services were created attached to target groups sets it again: exactly one
 *   UpdateService per attached service and nothing else. On the sandbox (as on AWS) that apply
 *   writes nothing.
 */
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { SdkEcsPort } from '../../controller/aws/sdk-ecs-port';
import { SdkElbv2Port } from '../../controller/aws/sdk-elbv2-port';
import { SdkRoute53Port } from '../../controller/aws/sdk-route53-port';
import { createAlbFixture } from './alb-fixture';
import { changedResults, endState, type EndState, mutatingCalls, type Scenario } from './crash-scenarios';
import { useMoto, useMotoClient } from './moto';
import { json, runCli } from './run-cli';

export interface MotoScenarioOptions {
  /** The CLI's `--log-level`. */
  logLevel: 'warn' | 'error';
  /** Environment of every CLI run (timeouts, for instance). */
  env?: Record<string, string>;
}

export function useMotoScenarios(opts: MotoScenarioOptions) {
  const moto = useMoto();
  const ecs = useMotoClient(moto, ECSClient);
  const route53 = useMotoClient(moto, Route53Client);
  const elbv2 = useMotoClient(moto, ElasticLoadBalancingV2Client);

  /** `apply -o json` in-process: the real CLI with a fresh AwsContext, against `endpoint`. */
  async function apply(dir: string, endpoint = moto.endpoint) {
    const run = await runCli(
      ['--log-level', opts.logLevel, 'apply', dir, '-o', 'json', '--endpoint', endpoint],
      opts.env,
    );
    return { code: run.code, out: json(run), stderr: run.stderr };
  }

  /**
   * An empty account with the scenario's balancer (a VPC, two subnets, a security group, the ALB
   * and its HTTP:80 listener answering 404: alb-fixture.ts) and zones, and the seeds applied
   * (cleanly), in order.
   */
  async function prepare(scenario: Scenario, seedDirs: string[]): Promise<void> {
    await moto.reset();
    if (scenario.balancer) await createAlbFixture(moto.endpoint, { name: scenario.balancer.name });
    for (const zone of scenario.zones) {
      await route53().send(
        new CreateHostedZoneCommand({
          Name: zone,
          CallerReference: `${zone}-${Date.now()}-${Math.random()}`,
        }),
      );
    }
    for (const dir of seedDirs) {
      const seed = await apply(dir);
      expect({ dir, code: seed.code, stderr: seed.code === 0 ? '' : seed.stderr }).toEqual({
        dir,
        code: 0,
        stderr: '',
      });
    }
  }

  /** The whole account, read through the SDK the way a user would check it. */
  async function inventory(): Promise<EndState> {
    const clusterArns = (await ecs().send(new ListClustersCommand({}))).clusterArns ?? [];
    return endState(
      {
        ecs: new SdkEcsPort(ecs()),
        route53: new SdkRoute53Port(route53()),
        elbv2: new SdkElbv2Port(elbv2()),
      },
      clusterArns,
    );
  }

  /**
   * The round after converging: zero mutating calls, every action unchanged. With the scenario,
   * the round before it first sets what moto dropped (the grace periods of attached services: one
   * UpdateService each and nothing else; see the header).
   */
  async function expectNothingLeftToDo(dir: string, scenario?: Scenario): Promise<void> {
    const attached = scenario?.expected.services.filter((s) => s.includes(' lb=[')).length ?? 0;
    if (attached) {
      const settle = await apply(dir);
      expect(settle.code).toBe(0);
      expect(mutatingCalls(settle.out.awsCalls.byOperation)).toEqual({ 'ECS.UpdateService': attached });
    }
    const again = await apply(dir);
    expect(again.code).toBe(0);
    expect(mutatingCalls(again.out.awsCalls.byOperation)).toEqual({});
    expect(changedResults(again.out)).toEqual([]);
  }

  return { moto, ecs, apply, prepare, inventory, expectNothingLeftToDo };
}
