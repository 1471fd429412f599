/**
 * Load balancer pieces for planner tests: a config, proxy targets, and `applyLb`, which plays a plan's
 * ELBv2 and service steps onto the observed state the way AWS would (so that a test can plan a second
 * round against the result and expect nothing to do).
 */
import type {
  DesiredProxyTarget,
  LoadBalancerConfig,
  ObservedLoadBalancer,
} from '../../controller/model/load-balancer';
import { DEFAULT_TARGET_GROUP_SETTINGS } from '../../controller/model/load-balancer';
import type { ObservedState } from '../../controller/model/observed';
import type { Plan } from '../../controller/plan/plan-types';
import { fillRefs } from '../../controller/plan/lb-refs';
import { ownershipTags } from '../../controller/model/ownership';

export const LB_ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shared-alb/0123456789abcdef';
export const LISTENER_80 =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared-alb/0123456789abcdef/l80';
export const VPC = 'vpc-0aaa';

export function lbConfig(over: Partial<LoadBalancerConfig> = {}): LoadBalancerConfig {
  return {
    ref: { kind: 'existing', name: 'shared-alb' },
    listeners: [],
    redirectHttpToHttps: false,
    targetGroup: DEFAULT_TARGET_GROUP_SETTINGS,
    healthCheckGracePeriodSeconds: 60,
    source: { file: 'specs/demo/cluster.yaml', line: 5, column: 3 },
    ...over,
  };
}

export function proxyTarget(
  service: string,
  hosts: string[],
  over: Partial<DesiredProxyTarget> = {},
): DesiredProxyTarget {
  return {
    service,
    container: service,
    hosts: [...hosts].sort(),
    ports: [{ listen: 80, container: 80 }],
    networkMode: 'bridge',
    overrides: {},
    source: { file: `specs/demo/${service}.taskdef`, line: 9, column: 11 },
    field: 'containerDefinitions[0].dockerLabels["proxy.host"]',
    ...over,
  };
}

/** An existing balancer with an HTTP:80 listener; `foreign` adds rules that are not ours. */
export function observedLb(foreign: { priority: number; hosts: string[] }[] = []): ObservedLoadBalancer {
  return {
    balancer: {
      arn: LB_ARN,
      name: 'shared-alb',
      dnsName: 'shared-alb-1.eu-west-1.elb.amazonaws.com',
      canonicalHostedZoneId: 'Z32O12XQLNTSW2',
      vpcId: VPC,
      scheme: 'internet-facing',
      ipAddressType: 'ipv4',
      securityGroups: ['sg-1'],
      subnets: ['subnet-a', 'subnet-b'],
      state: 'active',
      tags: {},
    },
    listeners: [
      {
        arn: LISTENER_80,
        port: 80,
        protocol: 'HTTP',
        defaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
        rules: foreign.map((f, i) => ({
          arn: `${LISTENER_80.replace(':listener/', ':listener-rule/')}/foreign${i}`,
          listenerArn: LISTENER_80,
          priority: f.priority,
          hosts: f.hosts,
          otherConditions: false,
          forwardTo: ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/someone-else/1'],
          tags: { team: 'other' },
          raw: {},
        })),
      },
    ],
    targetGroups: [],
  };
}

let seq = 0;

/** Plays the plan's ELBv2 and ECS service steps onto `observed` (a copy), as AWS would. */
export function applyLb(
  plan: Plan,
  observed: ObservedState,
  owner = { ownerId: 'demo', cluster: 'demo' },
): ObservedState {
  const out: ObservedState = structuredClone(observed);
  const lb = out.loadBalancer as ObservedLoadBalancer;
  const arns = new Map<string, string>();
  const tagsOf = (t: { Key?: string; Value?: string }[] | undefined) =>
    Object.fromEntries((t ?? []).map((x) => [x.Key ?? '', x.Value ?? '']));
  for (const action of plan.actions) {
    for (const planned of action.steps) {
      const step = fillRefs(planned, { arn: (id) => arns.get(id), vpc: () => VPC });
      switch (step.call) {
        case 'createTargetGroup': {
          const arn = `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${step.input.Name}/${++seq}`;
          arns.set(action.id, arn);
          lb.targetGroups.push({
            arn,
            name: step.input.Name ?? '',
            port: step.input.Port,
            protocol: step.input.Protocol,
            targetType: step.input.TargetType,
            vpcId: step.input.VpcId,
            healthCheck: {
              path: step.input.HealthCheckPath,
              matcher: step.input.Matcher?.HttpCode,
              intervalSeconds: step.input.HealthCheckIntervalSeconds,
              timeoutSeconds: step.input.HealthCheckTimeoutSeconds,
              healthyThresholdCount: step.input.HealthyThresholdCount,
              unhealthyThresholdCount: step.input.UnhealthyThresholdCount,
            },
            attributes: {
              'deregistration_delay.timeout_seconds': '300',
              'stickiness.enabled': 'false',
              'stickiness.type': 'lb_cookie',
              'stickiness.lb_cookie.duration_seconds': '86400',
              ...Object.fromEntries(step.attributes.map((a) => [a.Key ?? '', a.Value ?? ''])),
            },
            loadBalancerArns: [],
            tags: tagsOf(step.input.Tags),
          });
          break;
        }
        case 'createRule': {
          const listener = lb.listeners.find((l) => l.arn === step.input.ListenerArn);
          if (!listener) throw new Error(`no listener ${step.input.ListenerArn}`);
          if (listener.rules.some((r) => r.priority === step.input.Priority))
            throw new Error('PriorityInUse');
          const arn = `${listener.arn.replace(':listener/', ':listener-rule/')}/${++seq}`;
          arns.set(action.id, arn);
          const hosts = step.input.Conditions?.[0]?.HostHeaderConfig?.Values ?? [];
          if (hosts.length > 5) throw new Error('TooManyConditionValues');
          listener.rules.push({
            arn,
            listenerArn: listener.arn,
            priority: step.input.Priority ?? 0,
            hosts: hosts.map((h) => h.toLowerCase()).sort(),
            otherConditions: false,
            forwardTo: [step.input.Actions?.[0]?.TargetGroupArn ?? ''],
            tags: tagsOf(step.input.Tags),
            raw: {},
          });
          for (const g of lb.targetGroups) {
            if (g.arn === step.input.Actions?.[0]?.TargetGroupArn && !g.loadBalancerArns.includes(LB_ARN)) {
              g.loadBalancerArns.push(LB_ARN);
            }
          }
          break;
        }
        case 'modifyRule': {
          const rule = lb.listeners.flatMap((l) => l.rules).find((r) => r.arn === step.input.RuleArn);
          if (!rule) throw new Error(`no rule ${step.input.RuleArn}`);
          rule.hosts = (step.input.Conditions?.[0]?.HostHeaderConfig?.Values ?? [])
            .map((h) => h.toLowerCase())
            .sort();
          rule.forwardTo = [step.input.Actions?.[0]?.TargetGroupArn ?? ''];
          break;
        }
        case 'deleteElbResource': {
          if (step.kind === 'rule')
            for (const l of lb.listeners) l.rules = l.rules.filter((r) => r.arn !== step.arn);
          if (step.kind === 'targetGroup') {
            const used = lb.listeners.some((l) => l.rules.some((r) => r.forwardTo.includes(step.arn)));
            if (used) throw new Error('ResourceInUse');
            lb.targetGroups = lb.targetGroups.filter((g) => g.arn !== step.arn);
          }
          break;
        }
        case 'createService': {
          const live = {
            serviceArn: `arn:aws:ecs:eu-west-1:123456789012:service/demo/${step.input.serviceName ?? ''}`,
            status: 'ACTIVE',
            ...step.input,
          };
          out.services.set(step.input.serviceName ?? '', {
            service: live,
            tags: { ...ownershipTags(owner.ownerId, owner.cluster) },
          });
          break;
        }
        case 'updateService': {
          const svc = out.services.get(step.input.service ?? '');
          if (!svc) throw new Error(`no service ${step.input.service ?? ''}`);
          Object.assign(svc.service, {
            ...(step.input.loadBalancers ? { loadBalancers: step.input.loadBalancers } : {}),
            ...(step.input.healthCheckGracePeriodSeconds !== undefined
              ? { healthCheckGracePeriodSeconds: step.input.healthCheckGracePeriodSeconds }
              : {}),
          });
          break;
        }
        default:
          break;
      }
    }
  }
  return out;
}
