/**
 * `onAwsContextCreated`, the seam tests and embedders use to watch a command's AWS calls without
 * changing how the command builds its context (test/helpers/crash-after-mutating.js relies on it).
 */
import path from 'node:path';
import { type AwsContext, onAwsContextCreated } from '../../controller/cli/aws-context';
import { runCli } from '../helpers/run-cli';

const SPECS = path.join(__dirname, '../../specs');

test("a listener sees each command's context, and through it the calls the command makes", async () => {
  const seen: AwsContext[] = [];
  const stop = onAwsContextCreated((ctx) => seen.push(ctx));
  try {
    const run = await runCli(['diff', SPECS, '--sandbox'], { ECS_GITOPS_LOG_LEVEL: 'warn' });
    expect(run.code).toBe(2);
    expect(seen).toHaveLength(1);
    // The very CallLog the command counted into: the diff read the (empty) sandbox account.
    expect(seen[0].callLog.snapshot()).toMatchObject({ 'ECS.DescribeClusters': 1 });
  } finally {
    stop();
  }
  await runCli(['diff', SPECS, '--sandbox'], { ECS_GITOPS_LOG_LEVEL: 'warn' });
  expect(seen).toHaveLength(1);
});
