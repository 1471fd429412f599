/**
 * The built CLI validates specs with the standalone code `npm run build` generates
 * (scripts/build-schema-validators.js); the sources compile the schemas. Both must judge every
 * document alike, errors included, or the CLI and the tests would disagree.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { loadValidators, type SchemaKind } from '../../controller/specfiles/validate-schema';

const BUILT = path.join(__dirname, '../../dist/specfiles/schema-validators.js');

const DOCS: [SchemaKind, unknown][] = [
  ['taskdef', { containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memory: 128 }] }],
  ['taskdef', { containerDefinitions: [{ name: 'web', image: 7, memroy: 128, portMappings: [{}] }] }],
  ['taskdef', { cpu: [], containerDefinitions: 'web', networkMode: 'bridgeish' }],
  ['service', { desiredCount: 'one', launchType: 'EC3', deploymentConfiguration: { maximumPercent: -1 } }],
  ['service', { taskDefinition: 'web', loadBalancers: [{ containerPort: 'x' }] }],
  ['cluster', { name: 'demo', serviceDefaults: { launchType: 'EC2', desiredCount: 1 } }],
  ['cluster', { name: 'bad name!', policy: { rules: { 'image-tag': 'block' } }, redaction: { exempt: [1] } }],
  [
    'cluster',
    {
      name: 'demo',
      loadBalancer: { create: { subnets: ['subnet-1'], securityGroups: ['sg-x'] }, stickiness: true },
      dns: { target: { loadBalancer: 'managed' } },
    },
  ],
  [
    'cluster',
    { name: 'demo', loadBalancer: { name: 'alb', stickiness: { enabled: true, durationSecs: 5 } } },
  ],
  [
    'cluster',
    { name: 'demo', loadBalancer: { arn: 'arn:x', stickiness: false, listeners: [{ port: 443 }] } },
  ],
];

function judge(validators: Map<SchemaKind, ValidateFunction>, kind: SchemaKind, doc: unknown): unknown {
  const validate = validators.get(kind)!;
  const ok = validate(doc);
  // The parts of an error the messages are made from (schema objects compared by content).
  return { ok, errors: JSON.parse(JSON.stringify(validate.errors ?? [])) as unknown };
}

test('the built standalone validators and the compiled schemas give the same verdicts and errors', () => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first`);
  const built = loadValidators({ built: BUILT });
  const compiled = loadValidators({ compile: true });
  for (const [kind, doc] of DOCS) {
    expect({ kind, doc, ...(judge(built, kind, doc) as object) }).toEqual({
      kind,
      doc,
      ...(judge(compiled, kind, doc) as object),
    });
  }
  // Not vacuous: valid and invalid documents both occur.
  const verdicts = DOCS.map(([kind, doc]) => (judge(compiled, kind, doc) as { ok: boolean }).ok);
  expect(verdicts).toContain(true);
  expect(verdicts).toContain(false);
});
