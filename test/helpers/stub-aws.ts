import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTestAwsEnv } from './aws-env';

/**
 * A tiny AWS stand-in on a local port, for what moto cannot do on demand (throttle, fail with a 5xx,
 * reset a connection, deny a call): `answer` gets each request once its body has been read, and
 * answers JSON 1.1 unless it sets another content type. Registers jest's beforeAll/afterAll (with the
 * test AWS environment); `endpoint` is set once beforeAll has run.
 */
export function stubAws(answer: (req: IncomingMessage, res: ServerResponse) => void): { endpoint: string } {
  const stub = { endpoint: '' };
  let server: Server;
  let restoreEnv: () => void;
  beforeAll(async () => {
    restoreEnv = setTestAwsEnv();
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        answer(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stub.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    restoreEnv();
  });
  return stub;
}
