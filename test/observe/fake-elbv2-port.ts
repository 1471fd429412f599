import type { Elbv2Port } from '../../controller/aws/elbv2-port';
import type { ElbLoadBalancer, Listener, Rule, TargetGroup } from '../../controller/model/aws-types';
import type { TagMap } from '../../controller/model/ownership';

/**
 * A hand-written ELBv2 read port for the reader's unit tests: plain lists it serves with AWS's
 * paging (PageSize at most 400, Marker), AWS's 20-ARN limit of DescribeTags and AWS's errors for a
 * missing balancer, counting calls per operation. Writes are not part of it.
 */
export class FakeElbv2Port implements Elbv2Port {
  loadBalancers: ElbLoadBalancer[] = [];
  listeners: Listener[] = [];
  rules: Rule[] = [];
  targetGroups: TargetGroup[] = [];
  tags = new Map<string, TagMap>();
  attributes = new Map<string, Record<string, string>>();
  readonly calls: Record<string, number> = {};
  /** Operation name -> error thrown by its next call. */
  readonly failures = new Map<string, Error>();

  private count(op: string): void {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
    const err = this.failures.get(op);
    if (err) {
      this.failures.delete(op);
      throw err;
    }
  }

  private page<T>(items: T[], pageSize: number | undefined, marker: string | undefined) {
    if (pageSize !== undefined && (pageSize < 1 || pageSize > 400)) {
      throw Object.assign(new Error(`PageSize ${pageSize} is outside 1-400`), { name: 'ValidationError' });
    }
    const start = marker === undefined ? 0 : Number(marker);
    const size = pageSize ?? 400;
    const end = start + size;
    return { items: items.slice(start, end), next: end < items.length ? String(end) : undefined };
  }

  describeLoadBalancers: Elbv2Port['describeLoadBalancers'] = async (input) => {
    this.count('DescribeLoadBalancers');
    await Promise.resolve();
    const wanted = [...(input.Names ?? []), ...(input.LoadBalancerArns ?? [])];
    const found = this.loadBalancers.filter(
      (lb) => wanted.includes(lb.LoadBalancerName ?? '') || wanted.includes(lb.LoadBalancerArn ?? ''),
    );
    if (found.length < wanted.length) {
      throw Object.assign(new Error('One or more load balancers not found'), {
        name: 'LoadBalancerNotFoundException',
      });
    }
    return { LoadBalancers: found };
  };

  describeListeners: Elbv2Port['describeListeners'] = async (input) => {
    this.count('DescribeListeners');
    await Promise.resolve();
    const all = this.listeners.filter((l) => l.LoadBalancerArn === input.LoadBalancerArn);
    const p = this.page(all, input.PageSize, input.Marker);
    return { Listeners: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
  };

  describeRules: Elbv2Port['describeRules'] = async (input) => {
    this.count('DescribeRules');
    await Promise.resolve();
    // A rule's ARN is its listener's, with `listener-rule/` and one more part.
    const listenerOf = (arn: string) => arn.replace(':listener-rule/', ':listener/').replace(/\/[^/]*$/, '');
    const all = this.rules.filter((r) => listenerOf(r.RuleArn ?? '') === input.ListenerArn);
    const p = this.page(all, input.PageSize, input.Marker);
    return { Rules: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
  };

  describeTargetGroups: Elbv2Port['describeTargetGroups'] = async (input) => {
    this.count('DescribeTargetGroups');
    await Promise.resolve();
    let all = this.targetGroups;
    if (input.LoadBalancerArn)
      all = all.filter((tg) => tg.LoadBalancerArns?.includes(input.LoadBalancerArn ?? ''));
    const p = this.page(all, input.PageSize, input.Marker);
    return { TargetGroups: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
  };

  describeTags: Elbv2Port['describeTags'] = async (input) => {
    this.count('DescribeTags');
    await Promise.resolve();
    const arns = input.ResourceArns ?? [];
    if (arns.length > 20) {
      throw Object.assign(new Error(`${arns.length} ARNs: at most 20`), { name: 'ValidationError' });
    }
    return {
      TagDescriptions: arns.map((arn) => ({
        ResourceArn: arn,
        Tags: Object.entries(this.tags.get(arn) ?? {}).map(([Key, Value]) => ({ Key, Value })),
      })),
    };
  };

  describeTargetGroupAttributes: Elbv2Port['describeTargetGroupAttributes'] = async (input) => {
    this.count('DescribeTargetGroupAttributes');
    await Promise.resolve();
    const attrs = this.attributes.get(input.TargetGroupArn ?? '') ?? {};
    return { Attributes: Object.entries(attrs).map(([Key, Value]) => ({ Key, Value })) };
  };

  createLoadBalancer = notUsed('CreateLoadBalancer');
  deleteLoadBalancer = notUsed('DeleteLoadBalancer');
  setSecurityGroups = notUsed('SetSecurityGroups');
  setSubnets = notUsed('SetSubnets');
  createListener = notUsed('CreateListener');
  modifyListener = notUsed('ModifyListener');
  deleteListener = notUsed('DeleteListener');
  createTargetGroup = notUsed('CreateTargetGroup');
  modifyTargetGroup = notUsed('ModifyTargetGroup');
  deleteTargetGroup = notUsed('DeleteTargetGroup');
  modifyTargetGroupAttributes = notUsed('ModifyTargetGroupAttributes');
  createRule = notUsed('CreateRule');
  modifyRule = notUsed('ModifyRule');
  setRulePriorities = notUsed('SetRulePriorities');
  deleteRule = notUsed('DeleteRule');
  addTags = notUsed('AddTags');
  removeTags = notUsed('RemoveTags');
}

function notUsed(op: string): () => Promise<never> {
  return () => Promise.reject(new Error(`${op}: a reader must not write`));
}
