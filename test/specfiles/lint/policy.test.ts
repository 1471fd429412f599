/**
 * cluster.yaml `policy:`: the default levels, rules turned off or to deny, per-file exemptions, and
 * where findings point (line and column in JSONC, YAML and describe-task-definition output). A rule
 * at deny is a spec error: the directory does not load, so nothing of it is applied.
 */
import * as path from 'path';
import { DEFAULT_LINT_LEVELS, LINT_RULES } from '../../../controller/model/lint-policy';
import { LINT_RULE_CHECKS } from '../../../controller/specfiles';
import { load, positionOf } from '../helpers';
import { CLUSTER_YAML, good, loadFiles, taskdef } from './lint-helpers';

const ROOT = path.resolve(__dirname, '../../..');

/** Breaks image-tag and privileged in one file, and log-configuration in another. */
const FILES = {
  'web.taskdef': taskdef([good({ image: 'nginx:latest', privileged: true })]),
  'api.taskdef': taskdef([{ ...good({ name: 'api' }), logConfiguration: undefined }]),
};

const withPolicy = (policy: string) => ({ 'cluster.yaml': `${CLUSTER_YAML}policy:\n${policy}`, ...FILES });

test('every rule id has its check, and every rule warns by default but readonly-root-filesystem', () => {
  expect(Object.keys(LINT_RULE_CHECKS).sort()).toEqual([...LINT_RULES].sort());
  for (const id of LINT_RULES) expect(LINT_RULE_CHECKS[id].id).toBe(id);
  expect(DEFAULT_LINT_LEVELS).toEqual({
    'image-tag': 'warn',
    'memory-limit': 'warn',
    privileged: 'warn',
    'host-network': 'warn',
    'plain-secret': 'warn',
    'log-configuration': 'warn',
    'circuit-breaker': 'warn',
    'readonly-root-filesystem': 'off',
  });
});

test('at the default levels findings are warnings: the directory loads', async () => {
  const { result } = await loadFiles(FILES);
  expect(result.errors).toEqual([]);
  expect(result.state).toBeDefined();
  expect(result.findings.map((f) => [f.rule, f.level])).toEqual([
    ['log-configuration', 'warn'],
    ['image-tag', 'warn'],
    ['privileged', 'warn'],
  ]);
  // The loader's own warnings are not mixed with the policy's.
  expect(result.warnings).toEqual([]);
});

test('a rule at deny is a spec error with its rule id: no state, nothing to apply', async () => {
  const { result } = await loadFiles(withPolicy('  rules: { privileged: deny, log-configuration: off }\n'));
  expect(result.state).toBeUndefined();
  expect(result.errors).toEqual([
    expect.objectContaining({
      rule: 'privileged',
      level: 'deny',
      file: expect.stringMatching(/web\.taskdef$/),
      ...positionOf(FILES['web.taskdef'], '"privileged"'),
      field: 'containerDefinitions[0].privileged',
      message: expect.stringMatching(/is privileged.* \[privileged\]$/),
    }),
  ]);
  // off: not run at all; the others keep their default.
  expect(result.findings.map((f) => [f.rule, f.level])).toEqual([
    ['image-tag', 'warn'],
    ['privileged', 'deny'],
  ]);
});

test('an exemption skips one rule for one spec file, the others still apply to it', async () => {
  const { result } = await loadFiles(
    withPolicy(
      '  rules: { privileged: deny, image-tag: deny }\n  exempt:\n    privileged: [./web.taskdef]\n',
    ),
  );
  expect(result.errors.map((e) => (e as { rule?: string }).rule)).toEqual(['image-tag']);
  expect(result.findings.map((f) => f.rule)).toEqual(['log-configuration', 'image-tag']);
});

test('an exemption naming no spec file of the directory is a warning at policy', async () => {
  const { result } = await loadFiles(withPolicy('  exempt:\n    privileged: [wbe.taskdef]\n'));
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([
    expect.objectContaining({
      file: expect.stringMatching(/cluster\.yaml$/),
      line: 3,
      column: 1,
      field: 'policy.exempt.privileged[0]',
      message: expect.stringMatching(/"wbe\.taskdef" .*no spec file of that name/),
    }),
  ]);
});

test('describe-task-definition output: positions inside its taskDefinition', async () => {
  const text = JSON.stringify(
    { taskDefinition: { containerDefinitions: [good({ image: 'busybox' })] }, tags: [] },
    null,
    2,
  );
  const { result } = await loadFiles({ 'web.taskdef': text });
  expect(result.findings).toEqual([
    expect.objectContaining({
      rule: 'image-tag',
      field: 'containerDefinitions[0].image',
      ...positionOf(text, '"image"'),
    }),
  ]);
});

test("the repository's examples and fixtures still validate, with a few warnings each", async () => {
  const dirs: [string, Record<string, string>][] = [
    ['specs', {}],
    ['examples/fargate', {}],
    ['examples/dns', {}],
    ['examples/controller', {}],
    ['examples/multi-cluster/production', {}],
    ['examples/multi-cluster/staging', {}],
    ['test/fixtures/cluster-with-config', {}],
    ['test/fixtures/ecs-efs-example', { clusterName: 'demo' }],
  ];
  for (const [dir, opts] of dirs) {
    const result = await load(path.join(ROOT, dir), { ...opts, env: { API_COUNT: '2' } });
    expect({ dir, errors: result.errors }).toEqual({ dir, errors: [] });
    // Not drowning in warnings: at most two per spec file (log-configuration and circuit-breaker, mostly).
    const specFiles = result.files.filter((f) => !/cluster\.ya?ml$/.test(f)).length;
    expect({ dir, findings: result.findings.length <= 2 * specFiles }).toEqual({ dir, findings: true });
  }
});
