/**
 * An HTTP proxy in front of moto_server that injects faults on the wire, drawn per request from a
 * seeded FaultPlan (test/helpers/fault-plan.ts). The SDK talks to it as to any endpoint, so its own
 * retry strategy, timeouts and error parsing are what is tested.
 *
 * - throttle: an AWS-shaped refusal, HTTP 400 (ECS, JSON 1.1: `{"__type":"ThrottlingException"}`;
 *   Route53 and ELBv2, XML: `<Code>Throttling</Code>`); not forwarded.
 * - serverError: the same shapes with `ServiceUnavailable`, HTTP 503; not forwarded.
 * - reset: the socket is destroyed before anything is forwarded.
 * - timeout: forwarded to moto (applied), then no answer ever comes: the socket hangs until the
 *   client's request timeout ends it (or the proxy closes).
 * - lostAnswer: forwarded to moto (applied), then the socket is destroyed instead of answering.
 *
 * Only ECS, Route53 and ELBv2 requests are faulted; the rest (STS, EC2, moto's own API) pass.
 * Concurrent requests reach the proxy in an order the network decides, so a seed reproduces the
 * schedule of faults per arrival, not always the same call.
 */
import type http from 'node:http';
import type { Fault, FaultPlan } from './fault-plan';
import { collectBody, type HttpProxy, startHttpProxy } from './http-proxy';

export type FaultProxy = HttpProxy;

interface Target {
  service: 'ECS' | 'Route53' | 'ELBv2';
  operation: string;
}

/** Which service and operation a request is (undefined: not faulted). */
function targetOf(req: http.IncomingMessage, body: string): Target | undefined {
  const amzTarget = req.headers['x-amz-target'];
  if (typeof amzTarget === 'string' && amzTarget.startsWith('AmazonEC2ContainerServiceV20141113.')) {
    return { service: 'ECS', operation: amzTarget.slice(amzTarget.indexOf('.') + 1) };
  }
  const url = req.url ?? '';
  if (url.startsWith('/2013-04-01/')) {
    const path = url.split('?')[0] ?? '';
    const operation = path.endsWith('/rrset')
      ? req.method === 'POST'
        ? 'ChangeResourceRecordSets'
        : 'ListResourceRecordSets'
      : path.includes('/change/')
        ? 'GetChange'
        : path.endsWith('/hostedzone')
          ? 'ListHostedZones'
          : 'Other';
    return { service: 'Route53', operation };
  }
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1];
  const version = /(?:^|&)Version=([0-9-]+)/.exec(body)?.[1];
  // ELBv2's query API is version 2015-12-01 (EC2's and STS's differ).
  if (action && version === '2015-12-01') return { service: 'ELBv2', operation: action };
  return undefined;
}

const XML_NS: Record<string, string> = {
  Route53: 'https://route53.amazonaws.com/doc/2013-04-01/',
  ELBv2: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
};

/** An AWS-shaped error answer for the service's protocol. */
function errorAnswer(res: http.ServerResponse, service: Target['service'], fault: Fault): void {
  const status = fault === 'throttle' ? 400 : 503;
  const code =
    fault === 'throttle' ? (service === 'ECS' ? 'ThrottlingException' : 'Throttling') : 'ServiceUnavailable';
  const message = fault === 'throttle' ? 'Rate exceeded' : 'Service Unavailable';
  const requestId = `fault-${Math.floor(Math.random() * 1e9)}`;
  if (service === 'ECS') {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId });
    res.end(JSON.stringify({ __type: code, message }));
    return;
  }
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(
    `<?xml version="1.0"?>\n<ErrorResponse xmlns="${XML_NS[service]}"><Error><Type>${
      fault === 'throttle' ? 'Sender' : 'Receiver'
    }</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}

export function startFaultProxy(upstream: string, plan: FaultPlan): Promise<FaultProxy> {
  return startHttpProxy(upstream, (req, res, forward) =>
    collectBody(req, (body) => {
      const target = targetOf(req, body.toString('utf8'));
      const fault = target ? plan.next(`${target.service}.${target.operation}`) : undefined;
      if (target && (fault === 'throttle' || fault === 'serverError'))
        return errorAnswer(res, target.service, fault);
      if (fault === 'reset') return req.socket.destroy();
      forward(req, res, {
        body,
        onAnswer: (answer) =>
          collectBody(answer, (parts) => {
            // The write is applied upstream; the caller never hears of it.
            if (fault === 'lostAnswer') return req.socket.destroy();
            if (fault === 'timeout') return;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(parts);
          }),
      });
    }),
  );
}
