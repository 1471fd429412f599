import { awsErrorLine, explainAwsError, knownAwsErrorLine } from '../../controller/cli/aws-error-line';

function sdkError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

test('rejected credentials: say so and how to refresh them', () => {
  expect(
    awsErrorLine(sdkError('ExpiredTokenException', 'The security token included in the request is expired')),
  ).toBe(
    'AWS rejected the credentials (ExpiredTokenException: The security token included in the request is expired): ' +
      'refresh them (SSO: `aws sso login`) or check AWS_PROFILE',
  );
});

test('access denied: point at the IAM policies', () => {
  expect(
    explainAwsError({
      code: 'AccessDeniedException',
      message: 'not authorized to perform: ecs:CreateService',
    }),
  ).toBe(
    'AccessDeniedException: not authorized to perform: ecs:CreateService: the credentials lack a permission ' +
      'ecs-gitops needs (see docs/iam.md)',
  );
});

test('any other error is said as it is, with a password in a URL masked', () => {
  const e = { code: 'ClientException', message: 'bad image https://bot:s3cr3t@registry.example/app' };
  expect(knownAwsErrorLine(e)).toBeUndefined();
  expect(explainAwsError(e)).toBe('ClientException: bad image https://bot:[Redacted]@registry.example/app');
});
