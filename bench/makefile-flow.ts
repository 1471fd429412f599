/**
 * The no-op side by side with the tool ecs-gitops replaces (issue 15): the ecs-efs Makefile, which
 * ran the AWS CLI once per call. Its Makefile is not in this repository; what it ran is taken from
 * its notes (../shared/reference/ecs-efs.md): on a fresh checkout (every CI run: no `.running/`
 * stamps) it registers every `.taskdef` as `<cluster>-<basename>` and, per service (a `.service`
 * file or AUTOCREATE.SERVICE), looks the service up and updates it to the newest revision (creates
 * it when missing). So, per family: `aws ecs register-task-definition`; per service: `aws ecs
 * describe-services` then `aws ecs update-service`; one after the other, as make runs them. Its
 * unreliable cleanup of old revisions is left out (the notes do not say which calls it made): the
 * Makefile's count is a lower bound.
 *
 * Both run against the same moto account, converged first by ecs-gitops: ecs-gitops's no-op is a
 * fresh process (a CI run: new SDK clients, cold reader), the Makefile flow is the real AWS CLI
 * (`aws` on PATH, fake credentials, --endpoint-url moto). The `.taskdef` and `.service` files are
 * JSONC: the flow strips comments and trailing commas first (aws-cli reads plain JSON only).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ParseError, parse as parseJsonc } from 'jsonc-parser';
import type { Check } from './checks';
import { BENCH_REGION, clusterName, generateClusterDir } from './generate';
import { newSession, runRound, type RoundResult } from './round';

export interface MakefileFlowReport {
  services: number;
  ecsGitops: { calls: number; mutating: number; wallSeconds: number; perOperation: Record<string, number> };
  makefile: {
    /** One AWS CLI process per call. */
    calls: number;
    mutating: number;
    wallSeconds: number;
    perOperation: Record<string, number>;
    /** `aws --version` */
    cli: string;
    /** New task definition revisions and deployments the flow left (the account was converged). */
    newRevisions: number;
  };
  note: string;
}

const AUTOCREATE = 'AUTOCREATE.SERVICE';

function aws(endpoint: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      'aws',
      ['--region', BENCH_REGION, '--endpoint-url', endpoint, '--output', 'json', ...args],
      {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`aws ${args.slice(0, 2).join(' ')}: ${stderr || err.message}`))
          : resolve(stdout),
    ),
  );
}

/** A `.taskdef`/`.service` body as the plain JSON aws-cli's --cli-input-json reads. */
function plainJson(file: string, into: string): string {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(readFileSync(file, 'utf8'), errors, { allowTrailingComma: true });
  if (errors.length > 0) throw new Error(`${file}: not JSONC (${errors.length} errors)`);
  const out = path.join(into, `${path.basename(file)}.json`);
  writeFileSync(out, JSON.stringify(value));
  return `file://${out}`;
}

/** The Makefile's flow over `dir`: returns the calls made, per operation. */
async function makefileFlow(dir: string, cluster: string, endpoint: string): Promise<Record<string, number>> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'ecs-gitops-bench-make-'));
  const calls: Record<string, number> = {};
  const call = async (op: string, args: string[]) => {
    calls[op] = (calls[op] ?? 0) + 1;
    return aws(endpoint, args);
  };
  try {
    const files = readdirSync(dir).sort();
    for (const f of files.filter((x) => x.endsWith('.taskdef'))) {
      const base = f.slice(0, -'.taskdef'.length);
      const family = `${cluster}-${base}`;
      await call('RegisterTaskDefinition', [
        'ecs',
        'register-task-definition',
        '--family',
        family,
        '--cli-input-json',
        plainJson(path.join(dir, f), tmp),
      ]);
      const serviceFile = files.includes(`${base}.service`) ? path.join(dir, `${base}.service`) : undefined;
      const autocreate = readFileSync(path.join(dir, f), 'utf8').includes(AUTOCREATE);
      if (!serviceFile && !autocreate) continue;
      const described = JSON.parse(
        await call('DescribeServices', [
          'ecs',
          'describe-services',
          '--cluster',
          cluster,
          '--services',
          base,
        ]),
      ) as { services?: { status?: string }[] };
      const exists = (described.services ?? []).some((s) => s.status === 'ACTIVE');
      const body = serviceFile ? ['--cli-input-json', plainJson(serviceFile, tmp)] : [];
      if (exists) {
        await call('UpdateService', [
          'ecs',
          'update-service',
          '--cluster',
          cluster,
          '--service',
          base,
          '--task-definition',
          family,
          ...body,
        ]);
      } else {
        await call('CreateService', [
          'ecs',
          'create-service',
          '--cluster',
          cluster,
          '--service-name',
          base,
          '--task-definition',
          family,
          ...(serviceFile ? body : ['--desired-count', '1']),
        ]);
      }
    }
    return calls;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** ACTIVE revisions of the cluster's families (familyPrefix is a whole family name: listed all, filtered). */
async function revisions(endpoint: string, cluster: string): Promise<number> {
  const out = JSON.parse(await aws(endpoint, ['ecs', 'list-task-definitions'])) as {
    taskDefinitionArns?: string[];
  };
  return (out.taskDefinitionArns ?? []).filter((arn) => arn.includes(`:task-definition/${cluster}-`)).length;
}

const MUTATING = new Set(['RegisterTaskDefinition', 'UpdateService', 'CreateService']);

export async function benchMakefileFlow(services: number, endpoint: string): Promise<MakefileFlowReport> {
  const dir = generateClusterDir(services);
  const cluster = clusterName(services);
  try {
    const first = newSession(endpoint);
    await runRound('makefile-setup', '', dir, first);
    first.destroy();
    const cold = newSession(endpoint);
    const r: RoundResult = (await runRound('2', '', dir, cold)).result;
    cold.destroy();

    const cli = (await aws(endpoint, ['--version']).catch((e: Error) => e.message)).trim();
    const before = await revisions(endpoint, cluster);
    const t0 = process.hrtime.bigint();
    const perOperation = await makefileFlow(dir, cluster, endpoint);
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const after = await revisions(endpoint, cluster);
    const count = (pred: (op: string) => boolean) =>
      Object.entries(perOperation)
        .filter(([op]) => pred(op))
        .reduce((n, [, k]) => n + k, 0);
    return {
      services,
      ecsGitops: {
        calls: r.totalCalls,
        mutating: r.mutatingCalls,
        wallSeconds: r.wallMs / 1000,
        perOperation: r.calls,
      },
      makefile: {
        calls: count(() => true),
        mutating: count((op) => MUTATING.has(op)),
        wallSeconds,
        perOperation,
        cli,
        newRevisions: after - before,
      },
      note:
        'Makefile flow modelled from ../shared/reference/ecs-efs.md (the Makefile itself is not available): per ' +
        'family aws ecs register-task-definition, per service aws ecs describe-services + update-service, run ' +
        'one after the other with the real AWS CLI against moto; its revision cleanup is left out (a lower ' +
        'bound). ecs-gitops: a fresh process (cold reader) on the same converged account.',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function checkMakefileFlow(r: MakefileFlowReport): Check[] {
  return [
    {
      size: r.services,
      name: 'makefile comparison: the ecs-gitops no-op writes nothing',
      ok: r.ecsGitops.mutating === 0,
      detail: `${r.ecsGitops.mutating} mutating of ${r.ecsGitops.calls}`,
    },
    {
      size: r.services,
      name: 'makefile comparison: the Makefile flow ran one register per family and one update per service',
      ok:
        r.makefile.perOperation.RegisterTaskDefinition === r.services &&
        r.makefile.perOperation.UpdateService === r.services,
      detail: JSON.stringify(r.makefile.perOperation),
    },
  ];
}

export function renderMakefileFlow(r: MakefileFlowReport): string[] {
  const ops = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  return [
    '',
    `**No-op beside the ecs-efs Makefile flow** (moto, ${r.services} services, already converged): ${r.note}`,
    '',
    '| tool | calls | mutating calls | new revisions / deployments | wall s | calls per operation |',
    '|---|---:|---:|---|---:|---|',
    `| ecs-gitops apply (new process) | ${r.ecsGitops.calls} | ${r.ecsGitops.mutating} | 0 / 0 | ${r.ecsGitops.wallSeconds.toFixed(1)} | ${ops(r.ecsGitops.perOperation)} |`,
    `| ecs-efs Makefile (${r.makefile.cli.split(' ')[0]}) | ${r.makefile.calls} | ${r.makefile.mutating} | ` +
      `${r.makefile.newRevisions} / ${r.makefile.perOperation.UpdateService ?? 0} | ${r.makefile.wallSeconds.toFixed(1)} | ${ops(r.makefile.perOperation)} |`,
  ];
}
