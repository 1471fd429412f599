import { randomUUID } from 'node:crypto';
import type * as eb from '@aws-sdk/client-eventbridge';
import { CallLog } from '../call-log';
import { withOperation } from '../aws-error';
import { type Clock, systemClock } from '../clock';
import type { EventBridgePort } from '../eventbridge-port';
import { matchesPattern, parseEventPattern } from './event-pattern';
import { eventBridgeErrors as errors } from './eventbridge-errors';

/** An event as EventBridge delivers it to a target (the JSON body an SQS consumer reads). */
export interface AwsEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601 to the second, `2020-01-23T17:57:58Z`. */
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Where events go (the sandbox ECS's view of EventBridge; not an API call, not logged). */
export interface SandboxEventSink {
  /** Cheap: false unless an enabled rule with a target exists, so emitters can skip building events. */
  wanted(): boolean;
  publish(event: Omit<AwsEvent, 'version' | 'id' | 'account' | 'region' | 'time'> & { time?: number }): void;
}

/** What EventBridge needs of SQS to deliver: SandboxSqs.deliver. */
export interface QueueDelivery {
  deliver(
    queueArn: string,
    body: string,
    from: { sourceArn: string; groupId?: string; dedupId?: string },
  ): boolean;
}

export interface StoredEventRule {
  Name: string;
  EventPattern: string;
  State: eb.RuleState;
  Description?: string;
  CreatedBy: string;
  Targets: eb.Target[];
  Tags: eb.Tag[];
}

export interface StoredEventBridge {
  rules: StoredEventRule[];
}

export interface SandboxEventBridgeOptions {
  accountId: string;
  region: string;
  /** Calls are recorded as `EventBridge.<Operation>`. */
  callLog?: CallLog;
  /** Default: real time (event `time`). */
  clock?: Clock;
  /** SQS targets are delivered here; without it they are dropped. */
  sqs?: QueueDelivery;
}

type Out<T> = Promise<Omit<T, '$metadata'>>;

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/;
const MAX_TARGETS_PER_RULE = 5;
const MAX_TARGETS_PER_CALL = 10;
const MAX_ENTRIES = 10;
const MAX_TAGS = 50;
const STATES = new Set(['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']);

/**
 * A strict in-memory EventBridge behind the EventBridgePort, on the default bus only: rules with
 * event patterns (see event-pattern.ts), up to 5 targets each, tags, and delivery of matching
 * events to SQS targets, which SQS accepts only if the queue policy lets events.amazonaws.com send
 * from the rule (`aws:SourceArn`), else drops silently as AWS does. PutEvents refuses `aws.*`
 * sources (NotAuthorizedForSourceException): only AWS services publish those; the sandbox ECS does
 * through `publish`.
 */
export class SandboxEventBridge implements EventBridgePort, SandboxEventSink {
  readonly callLog: CallLog;
  private readonly clock: Clock;
  private readonly rules = new Map<string, StoredEventRule>();
  private readonly patterns = new Map<string, ReturnType<typeof parseEventPattern>>();

  constructor(private readonly opts: SandboxEventBridgeOptions) {
    this.callLog = opts.callLog ?? new CallLog();
    this.clock = opts.clock ?? systemClock;
  }

  /** Where SQS targets go (state-file.ts wires the account's SandboxSqs). */
  setQueueDelivery(sqs: QueueDelivery | undefined): void {
    this.opts.sqs = sqs;
  }

  ruleArn(name: string): string {
    return `arn:aws:events:${this.opts.region}:${this.opts.accountId}:rule/${name}`;
  }

  private busName(name: string | undefined): void {
    const defaultArn = `arn:aws:events:${this.opts.region}:${this.opts.accountId}:event-bus/default`;
    if (name !== undefined && name !== 'default' && name !== defaultArn) throw errors.eventBusNotFound(name);
  }

  private rule(name: string | undefined, bus?: string): StoredEventRule {
    this.busName(bus);
    const r = this.rules.get(name ?? '');
    if (!r) throw errors.ruleNotFound(name ?? '');
    return r;
  }

  private ruleOut(r: StoredEventRule): eb.Rule {
    return {
      Name: r.Name,
      Arn: this.ruleArn(r.Name),
      EventPattern: r.EventPattern,
      State: r.State,
      ...(r.Description !== undefined ? { Description: r.Description } : {}),
      EventBusName: 'default',
    };
  }

  // ---------------------------------------------------------------- rules

  putRule(input: eb.PutRuleRequest): Out<eb.PutRuleResponse> {
    return this.call('PutRule', () => {
      const name = input.Name ?? '';
      if (!RULE_NAME.test(name)) {
        throw errors.validation(
          `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`,
        );
      }
      this.busName(input.EventBusName);
      if (input.ScheduleExpression !== undefined)
        throw errors.validation('The sandbox does not model ScheduleExpression.');
      if (input.EventPattern === undefined) {
        throw errors.validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
      }
      parseEventPattern(input.EventPattern);
      const state = input.State ?? 'ENABLED';
      if (!STATES.has(state)) {
        throw errors.validation(
          `1 validation error detected: Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]`,
        );
      }
      const existing = this.rules.get(name);
      // Tags count only when the rule is created; an update keeps its tags and targets.
      if (!existing) checkTags(input.Tags ?? []);
      this.rules.set(name, {
        Name: name,
        EventPattern: input.EventPattern,
        State: state,
        ...(input.Description !== undefined ? { Description: input.Description } : {}),
        CreatedBy: this.opts.accountId,
        Targets: existing?.Targets ?? [],
        Tags: existing?.Tags ?? structuredClone(input.Tags ?? []),
      });
      return { RuleArn: this.ruleArn(name) };
    });
  }

  /** Only the default bus exists (the sandbox models no custom buses). */
  describeEventBus(input: eb.DescribeEventBusRequest): Out<eb.DescribeEventBusResponse> {
    return this.call('DescribeEventBus', () => {
      this.busName(input.Name);
      return {
        Name: 'default',
        Arn: `arn:aws:events:${this.opts.region}:${this.opts.accountId}:event-bus/default`,
      };
    });
  }

  describeRule(input: eb.DescribeRuleRequest): Out<eb.DescribeRuleResponse> {
    return this.call('DescribeRule', () => {
      const r = this.rule(input.Name, input.EventBusName);
      return { ...this.ruleOut(r), CreatedBy: r.CreatedBy };
    });
  }

  listRules(input: eb.ListRulesRequest): Out<eb.ListRulesResponse> {
    return this.call('ListRules', () => {
      this.busName(input.EventBusName);
      const names = [...this.rules.keys()].filter((n) => n.startsWith(input.NamePrefix ?? '')).sort();
      const { items, next } = pageOf(names, input.Limit, input.NextToken);
      return {
        Rules: items.map((n) => this.ruleOut(this.rules.get(n) as StoredEventRule)),
        ...(next ? { NextToken: next } : {}),
      };
    });
  }

  listRuleNamesByTarget(input: eb.ListRuleNamesByTargetRequest): Out<eb.ListRuleNamesByTargetResponse> {
    return this.call('ListRuleNamesByTarget', () => {
      this.busName(input.EventBusName);
      if (!input.TargetArn)
        throw errors.validation(
          'Parameter TargetArn is not valid. Reason: TargetArn is a required argument.',
        );
      const names = [...this.rules.values()]
        .filter((r) => r.Targets.some((t) => t.Arn === input.TargetArn))
        .map((r) => r.Name)
        .sort();
      const { items, next } = pageOf(names, input.Limit, input.NextToken);
      return { RuleNames: items, ...(next ? { NextToken: next } : {}) };
    });
  }

  deleteRule(input: eb.DeleteRuleRequest): Promise<void> {
    return this.call('DeleteRule', () => {
      this.busName(input.EventBusName);
      const r = this.rules.get(input.Name ?? '');
      // Deleting a rule that does not exist succeeds (a retried delete is harmless).
      if (!r) return;
      if (r.Targets.length > 0) throw errors.validation("Rule can't be deleted since it has targets.");
      this.rules.delete(r.Name);
    });
  }

  // ---------------------------------------------------------------- targets

  putTargets(input: eb.PutTargetsRequest): Out<eb.PutTargetsResponse> {
    return this.call('PutTargets', () => {
      const r = this.rule(input.Rule, input.EventBusName);
      const targets = input.Targets ?? [];
      if (targets.length === 0 || targets.length > MAX_TARGETS_PER_CALL) {
        throw errors.validation(
          `1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length ${targets.length === 0 ? 'greater than or equal to 1' : 'less than or equal to 10'}`,
        );
      }
      for (const t of targets) {
        if (!TARGET_ID.test(t.Id ?? '')) {
          throw errors.validation(
            `1 validation error detected: Value '${t.Id ?? ''}' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`,
          );
        }
        if (!/^arn:aws[\w-]*:[\w-]+:/.test(t.Arn ?? '')) {
          throw errors.validation(
            `Parameter ${t.Arn ?? ''} is not valid. Reason: Provided Arn is not in correct format.`,
          );
        }
        if (t.InputTransformer !== undefined)
          throw errors.validation('The sandbox does not model InputTransformer.');
        if (t.Input !== undefined && t.InputPath !== undefined) {
          throw errors.validation('Only one of Input, InputPath, or InputTransformer must be provided.');
        }
        if (
          t.Arn?.startsWith('arn:aws:sqs:') &&
          t.Arn.endsWith('.fifo') &&
          !t.SqsParameters?.MessageGroupId
        ) {
          throw errors.validation(`Parameter(s) SqsParameters must be specified for target: ${t.Id ?? ''}.`);
        }
      }
      const merged = [...r.Targets];
      for (const t of targets) {
        const i = merged.findIndex((x) => x.Id === t.Id);
        if (i >= 0) merged[i] = structuredClone(t);
        else merged.push(structuredClone(t));
      }
      if (merged.length > MAX_TARGETS_PER_RULE) {
        throw errors.limitExceeded('The requested resource exceeds the maximum number allowed.');
      }
      r.Targets = merged;
      return { FailedEntryCount: 0, FailedEntries: [] };
    });
  }

  listTargetsByRule(input: eb.ListTargetsByRuleRequest): Out<eb.ListTargetsByRuleResponse> {
    return this.call('ListTargetsByRule', () => {
      const r = this.rule(input.Rule, input.EventBusName);
      const ids = r.Targets.map((t) => t.Id ?? '');
      const { items, next } = pageOf(ids, input.Limit, input.NextToken);
      return {
        Targets: items.map((id) => structuredClone(r.Targets.find((t) => t.Id === id) as eb.Target)),
        ...(next ? { NextToken: next } : {}),
      };
    });
  }

  removeTargets(input: eb.RemoveTargetsRequest): Out<eb.RemoveTargetsResponse> {
    return this.call('RemoveTargets', () => {
      const r = this.rule(input.Rule, input.EventBusName);
      const ids = input.Ids ?? [];
      if (ids.length === 0 || ids.length > 100) {
        throw errors.validation(
          `1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length ${ids.length === 0 ? 'greater than or equal to 1' : 'less than or equal to 100'}`,
        );
      }
      r.Targets = r.Targets.filter((t) => !ids.includes(t.Id ?? ''));
      return { FailedEntryCount: 0, FailedEntries: [] };
    });
  }

  // ---------------------------------------------------------------- tags

  private taggable(arn: string | undefined): StoredEventRule {
    const prefix = this.ruleArn('');
    const name = arn?.startsWith(prefix) ? arn.slice(prefix.length) : undefined;
    const r = name !== undefined ? this.rules.get(name) : undefined;
    if (!r) throw errors.ruleNotFound(name ?? arn ?? '');
    return r;
  }

  tagResource(input: eb.TagResourceRequest): Promise<void> {
    return this.call('TagResource', () => {
      const r = this.taggable(input.ResourceARN);
      const merged = new Map(r.Tags.map((t) => [t.Key, t.Value]));
      for (const t of input.Tags ?? []) merged.set(t.Key, t.Value);
      const tags = [...merged].map(([Key, Value]) => ({ Key, Value }));
      checkTags(tags);
      r.Tags = tags;
    });
  }

  untagResource(input: eb.UntagResourceRequest): Promise<void> {
    return this.call('UntagResource', () => {
      const r = this.taggable(input.ResourceARN);
      const drop = new Set(input.TagKeys ?? []);
      r.Tags = r.Tags.filter((t) => !drop.has(t.Key ?? ''));
    });
  }

  listTagsForResource(input: eb.ListTagsForResourceRequest): Out<eb.ListTagsForResourceResponse> {
    return this.call('ListTagsForResource', () => ({
      Tags: structuredClone(this.taggable(input.ResourceARN).Tags),
    }));
  }

  // ---------------------------------------------------------------- events

  putEvents(input: eb.PutEventsRequest): Out<eb.PutEventsResponse> {
    return this.call('PutEvents', () => {
      const entries = input.Entries ?? [];
      if (entries.length === 0 || entries.length > MAX_ENTRIES) {
        throw errors.validation(
          `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${entries.length === 0 ? 'greater than or equal to 1' : 'less than or equal to 10'}`,
        );
      }
      const out: eb.PutEventsResultEntry[] = entries.map((e) => this.putOne(e));
      return { FailedEntryCount: out.filter((e) => e.ErrorCode !== undefined).length, Entries: out };
    });
  }

  private putOne(e: eb.PutEventsRequestEntry): eb.PutEventsResultEntry {
    const fail = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });
    if (!e.Source)
      return fail('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
    if (!e.DetailType) {
      return fail(
        'InvalidArgument',
        'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      );
    }
    if (!e.Detail)
      return fail('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
    let detail: unknown;
    try {
      detail = JSON.parse(e.Detail);
    } catch {
      return fail('MalformedDetail', 'Detail is malformed.');
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      return fail('MalformedDetail', 'Detail is malformed.');
    if (e.Source.startsWith('aws.'))
      return fail('NotAuthorizedForSourceException', 'Not authorized for the source.');
    try {
      this.busName(e.EventBusName);
    } catch {
      return fail('InvalidArgument', `Event bus ${e.EventBusName ?? ''} does not exist.`);
    }
    const id = this.route({
      source: e.Source,
      'detail-type': e.DetailType,
      resources: e.Resources ?? [],
      detail: detail as Record<string, unknown>,
      ...(e.Time !== undefined ? { time: e.Time.getTime() } : {}),
    });
    return { EventId: id };
  }

  wanted(): boolean {
    for (const r of this.rules.values()) if (r.State !== 'DISABLED' && r.Targets.length > 0) return true;
    return false;
  }

  publish(event: Parameters<SandboxEventSink['publish']>[0]): void {
    this.route(event);
  }

  /** A rule's pattern, parsed once (every ECS change is matched against every rule). */
  private pattern(text: string): ReturnType<typeof parseEventPattern> {
    let p = this.patterns.get(text);
    if (!p) {
      p = parseEventPattern(text);
      this.patterns.set(text, p);
    }
    return p;
  }

  /** Builds the event as AWS delivers it and hands it to every target of every matching rule. */
  private route(e: Parameters<SandboxEventSink['publish']>[0]): string {
    const { time, ...rest } = e;
    const event: AwsEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': rest['detail-type'],
      source: rest.source,
      account: this.opts.accountId,
      time: new Date(time ?? this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.opts.region,
      resources: rest.resources,
      detail: rest.detail,
    };
    for (const r of this.rules.values()) {
      if (r.State === 'DISABLED' || r.Targets.length === 0) continue;
      if (!matchesPattern(this.pattern(r.EventPattern), event)) continue;
      for (const t of r.Targets) this.deliver(r, t, event);
    }
    return event.id;
  }

  private deliver(r: StoredEventRule, t: eb.Target, event: AwsEvent): void {
    if (!t.Arn?.startsWith('arn:aws:sqs:') || !this.opts.sqs) return;
    const body = t.Input ?? JSON.stringify(t.InputPath ? selectPath(event, t.InputPath) : event);
    this.opts.sqs.deliver(t.Arn, body, {
      sourceArn: this.ruleArn(r.Name),
      ...(t.SqsParameters?.MessageGroupId !== undefined ? { groupId: t.SqsParameters.MessageGroupId } : {}),
      dedupId: event.id,
    });
  }

  // ---------------------------------------------------------------- plumbing

  private call<T>(op: string, fn: () => T): Promise<T> {
    const run = new Promise<T>((resolve) => {
      this.callLog.record('EventBridge', op);
      resolve(fn());
    });
    return withOperation(`EventBridge.${op}`, run);
  }

  toJSON(): StoredEventBridge {
    return structuredClone({ rules: [...this.rules.values()] });
  }

  static fromJSON(state: StoredEventBridge | undefined, opts: SandboxEventBridgeOptions): SandboxEventBridge {
    const sb = new SandboxEventBridge(opts);
    for (const r of structuredClone(state?.rules ?? [])) sb.rules.set(r.Name, r);
    return sb;
  }
}

function checkTags(tags: eb.Tag[]): void {
  if (tags.length > MAX_TAGS)
    throw errors.validation(`The number of tags exceeds the maximum of ${MAX_TAGS}.`);
  for (const t of tags) {
    if (!t.Key || t.Key.length > 128 || (t.Value ?? '').length > 256) {
      throw errors.validation(
        `Tag ${t.Key ?? ''} is not valid: keys are 1-128 characters, values at most 256.`,
      );
    }
  }
}

/** `$.detail.field` of an event (InputPath); `$` is the whole event. */
function selectPath(event: AwsEvent, path: string): unknown {
  let v: unknown = event;
  for (const part of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  }
  return v;
}

/** A page of names with an opaque token (offset), Limit 1-100. */
function pageOf(
  items: string[],
  limit: number | undefined,
  token: string | undefined,
): { items: string[]; next?: string } {
  const max = limit ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    throw errors.validation(
      `1 validation error detected: Value '${max}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100`,
    );
  }
  let offset = 0;
  if (token !== undefined) {
    offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0)
      throw errors.validation('The nextToken provided is invalid.');
  }
  const next =
    offset + max < items.length ? Buffer.from(String(offset + max), 'utf8').toString('base64url') : undefined;
  return { items: items.slice(offset, offset + max), ...(next ? { next } : {}) };
}
