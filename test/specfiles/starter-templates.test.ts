import { starterTemplate } from '../../controller/specfiles';
import { load, specDir } from './helpers';

describe('starter templates (ecs-gitops init / the old `make templates`)', () => {
  it('mention what a new user needs to know', () => {
    const all = ['taskdef', 'service', 'cluster'].map((k) => starterTemplate(k as 'taskdef')).join('\n');
    for (const needle of ['AUTOCREATE.SERVICE', '${TASK_PREFIX}', 'memoryReservation', '$schema']) {
      expect(all).toContain(needle);
    }
    expect(starterTemplate('taskdef')).toMatch(/^\s*\/\//m);
    expect(starterTemplate('cluster')).toMatch(/^# yaml-language-server: \$schema=/);
  });

  it('load without errors or warnings, the service both as .service and as .service.template', async () => {
    for (const serviceName of ['web.service', 'web.service.template']) {
      const dir = specDir({
        'cluster.yaml': starterTemplate('cluster'),
        'web.taskdef': starterTemplate('taskdef'),
        [serviceName]: starterTemplate('service'),
      });
      const r = await load(dir);
      expect(r.errors).toEqual([]);
      expect(r.warnings).toEqual([]);
      expect(r.state!.taskDefinitions.map((t) => t.family)).toEqual(['demo-web']);
      expect(r.state!.services.map((s) => [s.name, s.taskDefinition, s.body.desiredCount])).toEqual([
        ['web', { kind: 'family', family: 'demo-web' }, 2],
      ]);
    }
  });

  it('a taskdef starter alone gets no service until AUTOCREATE.SERVICE is uncommented', async () => {
    const off = await load(specDir({ 'web.taskdef': starterTemplate('taskdef') }), { clusterName: 'demo' });
    expect(off.errors).toEqual([]);
    expect(off.state!.services).toEqual([]);
    const withLabel = starterTemplate('taskdef').replace(
      '"proxy.host": "www"',
      '"proxy.host": "www", "AUTOCREATE.SERVICE": ""',
    );
    const on = await load(specDir({ 'web.taskdef': withLabel }), { clusterName: 'demo' });
    expect(on.errors).toEqual([]);
    expect(on.state!.services.map((s) => [s.name, s.autocreated, s.body.desiredCount])).toEqual([
      ['web', true, undefined],
    ]);
    expect(on.state!.cluster.serviceDefaults.desiredCount).toBe(1);
  });
});
