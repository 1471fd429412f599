/** The benchmark's results as data (written as JSON) and as markdown (printed). */
import type { BucketSpec } from '../controller/aws/token-bucket';
import type { Check } from './checks';
import { type ControllerReport, renderController } from './controller';
import type { DnsReport } from './dns';
import { type EventsReport, renderEvents } from './events';
import { type MakefileFlowReport, renderMakefileFlow } from './makefile-flow';
import type { PlanCpuReport } from './plan-cpu';
import type { RoundResult } from './round';
import { renderThrottled, type ThrottledReport } from './throttled';

export interface SizeReport {
  n: number;
  dir: string;
  rounds: RoundResult[];
  /** Highest RSS of the benchmark process sampled while this size ran. */
  peakRssBytes: number;
}

export interface BenchReport {
  generatedAt: string;
  command: string;
  environment: {
    node: string;
    moto: string;
    awsSdkClientEcs: string;
    platform: string;
    cpus: number;
  };
  limiter: {
    note: string;
    benchmarkBucket: BucketSpec;
  };
  sizes: SizeReport[];
  /** The throttled section (absent with `--no-throttled`): the sandbox with AWS's buckets, virtual clock. */
  throttled?: {
    configurations: ThrottledReport[];
    planCpu?: PlanCpuReport;
    wallSeconds: number;
  };
  /** The no-op beside the ecs-efs Makefile flow on moto (absent with `--no-makefile`). */
  makefile?: MakefileFlowReport;
  /** The DNS section (absent with `--dns-names 0`). */
  dns?: DnsReport;
  /** The controller section (absent with `--no-controller`). */
  controller?: ControllerReport;
  /** The events section (absent with `--no-events`, or `--controller` alone). */
  events?: EventsReport;
  /** Highest RSS of the benchmark process (node only, not moto_server) over the whole run. */
  peakRssBytes: number;
  /** How often RSS was sampled. */
  rssSampleMs: number;
  checks: Check[];
  ok: boolean;
  totalSeconds: number;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const fixed = (x: number, d = 0) => x.toFixed(d);

function callsCell(calls: Record<string, number>): string {
  return Object.entries(calls)
    .map(([op, k]) => `${op} ${k}`)
    .join(', ');
}

export function renderMarkdown(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(`# ecs-gitops benchmark (${r.generatedAt})`, '');
  lines.push(
    `node ${r.environment.node}, moto ${r.environment.moto}, @aws-sdk/client-ecs ${r.environment.awsSdkClientEcs}, ` +
      `${r.environment.platform}, ${r.environment.cpus} CPUs. Command: \`${r.command}\`.`,
    '',
  );
  if (r.sizes.length > 0) lines.push(...renderSizes(r));
  if (r.throttled) lines.push(...renderThrottledSection(r.throttled));
  if (r.makefile) lines.push(...renderMakefileFlow(r.makefile));
  if (r.dns) lines.push(...renderDns(r.dns));
  if (r.controller) lines.push(...renderController(r.controller));
  if (r.events) lines.push(...renderEvents(r.events));

  const perPart = [
    ...r.sizes.map((s) => `N=${s.n} ${mb(s.peakRssBytes)}`),
    ...(r.dns ? [`DNS ${r.dns.names} names ${mb(r.dns.peakRssBytes)}`] : []),
  ];
  lines.push(
    '',
    `**Peak RSS** (benchmark process only, sampled every ${r.rssSampleMs} ms): ${mb(r.peakRssBytes)} overall` +
      (perPart.length ? `; ${perPart.join(', ')}` : '') +
      '.',
  );

  const failed = r.checks.filter((c) => !c.ok);
  lines.push(
    '',
    `**Checks:** ${r.checks.length - failed.length}/${r.checks.length} passed` + (failed.length ? ':' : '.'),
  );
  for (const c of failed) lines.push(`- FAILED N=${c.size}: ${c.name}: ${c.detail}`);
  lines.push('', `Total benchmark time: ${fixed(r.totalSeconds, 1)} s.`);
  return lines.join('\n') + '\n';
}

function renderSizes(r: BenchReport): string[] {
  const lines: string[] = [];
  lines.push(`**Limiter:** ${r.limiter.note}`, '');
  lines.push(
    '| N | round | wall ms | load / observe+plan / apply ms | total calls | calls per operation | mutating calls |',
    '|---:|---|---:|---|---:|---|---:|',
  );
  for (const s of r.sizes) {
    for (const x of s.rounds) {
      const p = x.phasesMs;
      lines.push(
        `| ${s.n} | ${x.round} | ${fixed(x.wallMs)} | ${fixed(p.load)} / ${fixed(p.observePlan)} / ${fixed(p.apply)} | ` +
          `${x.totalCalls} | ${callsCell(x.calls)} | ${x.mutatingCalls} |`,
      );
    }
  }
  lines.push('', 'Rounds:');
  const seen = new Set<string>();
  for (const x of r.sizes.flatMap((s) => s.rounds)) {
    if (seen.has(x.round)) continue;
    seen.add(x.round);
    lines.push(`- **${x.round}**: ${x.description}`);
  }
  const retried = r.sizes.flatMap((s) =>
    s.rounds
      .filter((x) => Object.keys(x.retries).length > 0)
      .map((x) => `N=${s.n} ${x.round}: ${callsCell(x.retries)}`),
  );
  lines.push(`- SDK retries: ${retried.length ? retried.join('; ') : 'none'}`);

  return lines;
}

function renderThrottledSection(t: NonNullable<BenchReport['throttled']>): string[] {
  const lines = renderThrottled(t.configurations);
  const ms = (x: number) => x.toFixed(0);
  if (t.planCpu) {
    const p = t.planCpu;
    const run = (r: { cpuMs: number; loadCpuMs: number; planCpuMs: number }) =>
      `${ms(r.cpuMs)} ms (load ${ms(r.loadCpuMs)}, plan ${ms(r.planCpuMs)})`;
    lines.push(
      '',
      `**Plan CPU** for ${p.specs} specs (load the directory + the pure planner against the converged account's ` +
        `observed state, ${p.actions} actions, all unchanged; the compiled JavaScript, each run a new process: ` +
        `\`${p.command}\`; process CPU user + system; target < 2000 ms on the first, as a CI \`diff\` does it): ` +
        `median **${run(p.median.cold)}**; warm (a second load + plan in the same process, as the controller ` +
        `on each commit) ${run(p.median.warm)}; first runs ${p.runs.map((x) => ms(x.cold.cpuMs)).join(', ')} ms.`,
    );
  }
  lines.push('', `Throttled section wall time: ${t.wallSeconds.toFixed(1)} s.`);
  return lines;
}

const rate = (x: number | null) => (x === null ? '-' : fixed(x));

function renderDns(d: DnsReport): string[] {
  const lines = [
    '',
    `**DNS:** ${d.names} names (\`dns.hostname\` on ${d.families} autocreated services, so the ECS part is ` +
      `1 cluster + ${d.families} task definitions + ${d.families} services) in hosted zone \`${d.zone}\`, ` +
      `target addresses [${d.target}]; one A + one TXT ownership record per name. The DNS part runs ` +
      'concurrently with the ECS part: "Route53 observe" is from the start of observe+plan to the end of ' +
      'the last Route53 read, "Route53 apply" from the start of apply to the end of the last ' +
      'ChangeResourceRecordSets; records/s = records written (A + TXT) / Route53 apply time, and / the ' +
      'whole apply phase.',
    '',
    '| names | round | wall ms | load / observe+plan / apply ms | Route53 observe / apply ms | records written | records/s (Route53 apply / whole apply) | Route53 calls per operation | other calls | mutating calls |',
    '|---:|---|---:|---|---|---|---|---|---|---:|',
  ];
  for (const x of d.rounds) {
    const p = x.phasesMs;
    lines.push(
      `| ${d.names} | ${x.round} | ${fixed(x.wallMs)} | ${fixed(p.load)} / ${fixed(p.observePlan)} / ${fixed(p.apply)} | ` +
        `${fixed(x.route53ObserveMs)} / ${fixed(x.route53ApplyMs)} | ` +
        `${x.recordsWrittenTotal ? `${x.recordsWrittenTotal} (${callsCell(x.recordsWritten)})` : '0'} | ` +
        `${rate(x.recordsPerSecond.dnsApply)} / ${rate(x.recordsPerSecond.wholeApply)} | ` +
        `${callsCell(x.route53Calls) || 'none'} | ${callsCell(x.otherCalls) || 'none'} | ${x.mutatingCalls} |`,
    );
  }
  lines.push('', 'DNS rounds:');
  for (const x of d.rounds) {
    lines.push(
      `- **${x.round}**: ${x.description}; dnsRecord outcomes: ${callsCell(x.dnsOutcomes) || 'none'}` +
        (Object.keys(x.retries).length ? `; SDK retries: ${callsCell(x.retries)}` : ''),
    );
  }
  lines.push(
    `- batchChanges over round 1's plan: ${d.expectedBatchesRound1} ChangeResourceRecordSets request(s) ` +
      `(limits 1000 records / 32000 characters per request); zone after round 1: ${callsCell(d.zoneAfterRound1)}.`,
  );
  return lines;
}
