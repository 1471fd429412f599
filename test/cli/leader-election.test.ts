/** The lease's name and the replica's identity, as `run --leader-election` makes them. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { defaultLeaseName, replicaIdentity } from '../../controller/cli/leader-election';

test('the default lease name is one per repository, branch and paths; credentials and .git do not count', () => {
  const base = { repo: 'https://github.com/acme/ecs-specs.git', branch: 'main', path: ['clusters'] };
  const name = defaultLeaseName(base);
  expect(name).toMatch(/^ecs-gitops-ecs-specs-[0-9a-f]{10}$/);
  expect(defaultLeaseName({ ...base, repo: 'https://x-access-token:s3cret@github.com/acme/ecs-specs' })).toBe(
    name,
  );
  expect(defaultLeaseName({ ...base, path: ['clusters'] })).toBe(name);
  expect(defaultLeaseName({ ...base, branch: 'staging' })).not.toBe(name);
  expect(defaultLeaseName({ ...base, path: ['clusters/platform'] })).not.toBe(name);
  expect(defaultLeaseName({ ...base, path: ['b', 'a'] })).toBe(
    defaultLeaseName({ ...base, path: ['a', 'b'] }),
  );
});

test('the identity is the ECS task id (from the task metadata endpoint), else the host name, plus a random suffix', async () => {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      req.url === '/v4/abc/task'
        ? JSON.stringify({ TaskARN: 'arn:aws:ecs:us-east-1:123456789012:task/platform/0123456789abcdef' })
        : '{}',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4/abc`;
  try {
    const a = await replicaIdentity({ ECS_CONTAINER_METADATA_URI_V4: uri });
    const b = await replicaIdentity({ ECS_CONTAINER_METADATA_URI_V4: uri });
    expect(a).toMatch(/^0123456789abcdef-[0-9a-f]{8}$/);
    expect(b).not.toBe(a);
    expect(await replicaIdentity({})).toMatch(
      new RegExp(`^${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{8}$`),
    );
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
