import { describeAwsError } from '../aws/aws-error';
import { redactUrlPasswords } from '../telemetry/logger';

/**
 * Where the SDK's default credential chain looks, in its order, and the way to work without AWS.
 * Said on the one line a missing credential gets, so that a CI log tells what to fix.
 */
const CREDENTIALS_HELP =
  'the AWS SDK looks in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then the AWS_PROFILE profile ' +
  '(or "default") in ~/.aws/credentials and ~/.aws/config (SSO: run `aws sso login`), then ' +
  'AWS_WEB_IDENTITY_TOKEN_FILE, then the ECS task role or the EC2 instance role; ' +
  'to work without AWS, use --sandbox';

/** Codes AWS answers with when it does not accept the credentials it was given. */
const REJECTED_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/** Node's socket errors: the endpoint never answered. */
const UNREACHABLE = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)\b/;

/**
 * One line saying what went wrong with an AWS call and what to do about it, without the `error:`
 * prefix. The message is AWS's (or Node's); a password in an endpoint URL is masked.
 */
export function awsErrorLine(err: unknown): string {
  return explainAwsError(describeAwsError(err));
}

/** The same, from an error already reduced to its code and message. */
export function explainAwsError(e: { code: string; message: string }): string {
  return knownAwsErrorLine(e) ?? redactUrlPasswords(`${e.code}: ${e.message}`);
}

/**
 * The line for an error whose remedy is known (credentials, permissions, network); undefined for
 * any other, which the caller reports as it is.
 */
export function knownAwsErrorLine({ code, message }: { code: string; message: string }): string | undefined {
  const said = redactUrlPasswords(`${code}: ${message}`);
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return `no AWS credentials found (${said}): ${CREDENTIALS_HELP}`;
  }
  if (REJECTED_CREDENTIALS.has(code)) {
    return `AWS rejected the credentials (${said}): refresh them (SSO: \`aws sso login\`) or check AWS_PROFILE`;
  }
  if (ACCESS_DENIED.has(code)) {
    return `${said}: the credentials lack a permission ecs-gitops needs (see docs/iam.md)`;
  }
  // The SDK gives socket errors the plain name Error; Node's code is in the message.
  if (UNREACHABLE.test(message)) {
    return `cannot reach AWS (${said}): check --endpoint (or AWS_ENDPOINT_URL), the region and the network`;
  }
  return undefined;
}
