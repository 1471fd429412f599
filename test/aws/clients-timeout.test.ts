import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { SdkEcsPort } from '../../controller/aws/sdk-ecs-port';
import { awsTimeouts } from '../../controller/cli/aws-context';
import { setTestAwsEnv } from '../helpers/aws-env';

// A server that accepts connections and reads requests but never answers: a hung socket, which
// without a request timeout would hold a call for the operating system's idle timeout.
let server: Server;
let endpoint: string;
let accepted = 0;
const sockets = new Set<Socket>();
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setTestAwsEnv();
  server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('data', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
  restoreEnv();
});

test('a request that hangs times out per attempt and is retried, then fails naming the timeout', async () => {
  const log = new CallLog();
  const clients = createAwsClients({ endpoint, callLog: log, maxAttempts: 2, requestTimeoutMs: 300 });
  const port = new SdkEcsPort(clients.ecs);
  const started = Date.now();
  const before = accepted;
  await expect(port.describeClusters({ clusters: ['demo'] })).rejects.toMatchObject({ name: 'TimeoutError' });
  // Two attempts of 300 ms (and the retry's backoff), nowhere near an idle-socket timeout.
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(accepted - before).toBe(2);
  expect(log.retrySnapshot()).toEqual({ 'ECS.DescribeClusters': 1 });
  clients.ecs.destroy();
});

test('the timeouts come from ECS_GITOPS_AWS_CONNECT_TIMEOUT and ECS_GITOPS_AWS_REQUEST_TIMEOUT', () => {
  expect(awsTimeouts({})).toEqual({});
  expect(awsTimeouts({ ECS_GITOPS_AWS_CONNECT_TIMEOUT: '2s', ECS_GITOPS_AWS_REQUEST_TIMEOUT: '1m' })).toEqual(
    { connectTimeoutMs: 2000, requestTimeoutMs: 60_000 },
  );
  expect(() => awsTimeouts({ ECS_GITOPS_AWS_REQUEST_TIMEOUT: 'soon' })).toThrow(/soon/);
});
