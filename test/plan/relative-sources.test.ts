import { planCluster } from '../../controller/plan/planner';
import { relativePath, relativizePlanSources } from '../../controller/plan/relative-sources';
import { renderPlanMarkdown } from '../../controller/plan/render-markdown';
import { clusterConfig } from './builders';
import { demoDesired, demoRunning } from './scenario';

describe('relative spec paths (no absolute path of the machine that ran the diff)', () => {
  test('inside the base: relative with /; outside: relative to the cluster directory parent; given relative: as is', () => {
    expect(relativePath('/home/ci/repo/specs/demo/web.taskdef', '/home/ci/repo')).toBe(
      'specs/demo/web.taskdef',
    );
    expect(relativePath('/tmp/x/specs/demo/web.taskdef', '/home/ci/repo', '/tmp/x/specs/demo')).toBe(
      'demo/web.taskdef',
    );
    expect(relativePath('/tmp/x/web.taskdef', '/home/ci/repo')).toBe('web.taskdef');
    expect(relativePath('specs/demo/web.taskdef', '/anywhere')).toBe('specs/demo/web.taskdef');
  });

  test('a plan loaded from an absolute directory renders without it', () => {
    const dir = '/home/runner/work/repo/repo/specs/demo';
    const cfg = clusterConfig({
      dir,
      source: { file: `${dir}/cluster.yaml`, line: 1, column: 1 },
      redaction: {
        patterns: [],
        exempt: ['AUTH_ENABLED'],
        source: { file: `${dir}/cluster.yaml`, line: 4, column: 1 },
      },
    });
    const plan = planCluster(demoDesired({ cfg, webImage: 'nginx:1.28' }), demoRunning(cfg));
    plan.errors.push({ message: 'late error', source: { file: `${dir}/web.taskdef`, line: 3, column: 1 } });
    expect(JSON.stringify(plan)).toContain('/home/runner');
    const md = renderPlanMarkdown([relativizePlanSources(plan, '/home/runner/work/repo/repo')]);
    expect(md).not.toContain('/home/runner');
    expect(md).toContain('from `specs/demo`');
    expect(md).toContain('`specs/demo/cluster.yaml:4`');
    expect(md).toContain('(specs/demo/web.taskdef:3)');
  });
});
