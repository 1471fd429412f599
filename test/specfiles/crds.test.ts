import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

describe('crds/', () => {
  it('the checked-in taskdef and service schemas are what the generator makes from the pinned SDK', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-gitops-crds-'));
    try {
      execFileSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/generate-crds.ts', out], {
        cwd: ROOT,
      });
      for (const name of ['taskdef.schema.json', 'service.schema.json']) {
        expect(fs.readFileSync(path.join(out, name), 'utf8')).toBe(
          fs.readFileSync(path.join(ROOT, 'crds', name), 'utf8'),
        );
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('the taskdef schema has what editors need: enums, integers, string maps, no required family', () => {
    const s = JSON.parse(fs.readFileSync(path.join(ROOT, 'crds/taskdef.schema.json'), 'utf8'));
    expect(s.required).toEqual(['containerDefinitions']);
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.$schema).toEqual(expect.objectContaining({ type: 'string' }));
    const container = s.definitions.ContainerDefinition;
    expect(container.additionalProperties).toBe(false);
    expect(container.properties.memoryReservation.type).toBe('integer');
    expect(container.properties.dockerLabels).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    expect(container.properties.memoryReservation.description).toMatch(/^The soft limit \(in MiB\)[^<]*\.$/);
    expect(s.definitions.NetworkMode.enum).toEqual(
      expect.arrayContaining(['awsvpc', 'bridge', 'host', 'none']),
    );
    expect(s.definitions.PortMapping.properties.containerPort.type).toBe('integer');
    const svc = JSON.parse(fs.readFileSync(path.join(ROOT, 'crds/service.schema.json'), 'utf8'));
    expect(svc.required).toBeUndefined();
    expect(svc.definitions.CanaryConfiguration.properties.canaryPercent.type).toBe('number');
  });
});
