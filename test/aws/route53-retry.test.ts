import { CallLog } from '../../controller/aws/call-log';
import { createAwsClients } from '../../controller/aws/clients';
import { SdkRoute53Port } from '../../controller/aws/sdk-route53-port';
import { stubAws } from '../helpers/stub-aws';

// moto never throttles, so a tiny Route53 stand-in (REST-XML, as Route53 answers) returns a given
// error code a given number of times and then succeeds. Route53 uses `Throttling` for its rate limit
// and `PriorRequestNotComplete` while it is still processing an earlier change; the SDK's standard
// retry strategy classifies both as throttling (THROTTLING_ERROR_CODES in @smithy/core's
// service-error-classification), so no retry wrapper of ours is needed: this test keeps it so.

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
let failNext = 0;
let failCode = 'Throttling';
let requests: string[] = [];

const stub = stubAws((req, res) => {
  requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
  res.setHeader('content-type', 'text/xml');
  if (failNext > 0) {
    failNext--;
    res.statusCode = 400;
    res.end(
      `<?xml version="1.0"?>\n<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${failCode}</Code>` +
        `<Message>try again</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
    );
    return;
  }
  res.statusCode = 200;
  res.end(
    `<?xml version="1.0"?>\n<GetChangeResponse xmlns="${NS}"><ChangeInfo><Id>/change/C1</Id>` +
      `<Status>INSYNC</Status><SubmittedAt>2024-01-01T00:00:00.000Z</SubmittedAt></ChangeInfo></GetChangeResponse>`,
  );
});

test.each(['Throttling', 'PriorRequestNotComplete'])(
  '%s is retried with back-off; the call is counted once, the retries separately',
  async (code) => {
    const log = new CallLog();
    const port = new SdkRoute53Port(createAwsClients({ endpoint: stub.endpoint, callLog: log }).route53);
    failCode = code;
    failNext = 2;
    requests = [];
    const out = await port.getChange({ Id: '/change/C1' });
    expect(out.ChangeInfo?.Status).toBe('INSYNC');
    expect(requests).toEqual(Array(3).fill('GET /2013-04-01/change/C1'));
    expect(log.snapshot()).toEqual({ 'Route53.GetChange': 1 });
    expect(log.retrySnapshot()).toEqual({ 'Route53.GetChange': 2 });
  },
);

test('maxAttempts bounds the attempts; the PriorRequestNotComplete then reaches the caller', async () => {
  const log = new CallLog();
  const port = new SdkRoute53Port(
    createAwsClients({ endpoint: stub.endpoint, callLog: log, maxAttempts: 2 }).route53,
  );
  failCode = 'PriorRequestNotComplete';
  failNext = 5;
  requests = [];
  await expect(port.getChange({ Id: 'C1' })).rejects.toMatchObject({ name: 'PriorRequestNotComplete' });
  expect(requests).toHaveLength(2);
  failNext = 0;
});

test('a non-throttling client error is not retried', async () => {
  const log = new CallLog();
  const port = new SdkRoute53Port(createAwsClients({ endpoint: stub.endpoint, callLog: log }).route53);
  failCode = 'NoSuchChange';
  failNext = 1;
  requests = [];
  await expect(port.getChange({ Id: 'C1' })).rejects.toMatchObject({ name: 'NoSuchChange' });
  expect(requests).toHaveLength(1);
  expect(log.retrySnapshot()).toEqual({});
});
