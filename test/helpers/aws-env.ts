/**
 * Fake credentials and a Region for tests, so that the SDK never finds real ones (and never asks
 * the instance metadata service). Returns a function that restores the previous environment.
 */
export const TEST_REGION = 'us-east-1';

const FAKE_ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_REGION: TEST_REGION,
  AWS_DEFAULT_REGION: TEST_REGION,
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Variables that could point the SDK somewhere else than the test intends. */
const CLEARED = [
  'AWS_PROFILE',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_ECS',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_ROUTE_53',
  'AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2',
  'AWS_ENDPOINT_URL_EC2',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_EVENTBRIDGE',
  'AWS_MAX_ATTEMPTS',
];

export function setTestAwsEnv(extra: Record<string, string> = {}): () => void {
  const saved = new Map<string, string | undefined>();
  const set = (k: string, v: string | undefined): void => {
    if (!saved.has(k)) saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  };
  for (const k of CLEARED) set(k, undefined);
  for (const [k, v] of Object.entries({ ...FAKE_ENV, ...extra })) set(k, v);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
