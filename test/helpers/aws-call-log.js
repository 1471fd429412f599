'use strict';
/**
 * Preloaded into the compiled CLI (`node --require test/helpers/aws-call-log.js bin/ecs-gitops.js
 * ...`) with AWS_CALL_LOG_FILE=path: when the process exits, writes the AWS calls every AwsContext
 * of the command made, as JSON `{ total, calls, mutating }` (counts per `Service.Operation`, from the
 * CallLog the SDK middleware feeds). For tests that need a spawned CLI's call counts.
 */
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '../../dist');
const { onAwsContextCreated } = require(path.join(dist, 'cli/aws-context.js'));

const file = process.env.AWS_CALL_LOG_FILE;
if (!file) throw new Error('AWS_CALL_LOG_FILE must name the file to write the call log to');

const contexts = [];
onAwsContextCreated((ctx) => contexts.push(ctx));

process.on('exit', () => {
  const merge = (pick) => {
    const out = {};
    for (const ctx of contexts) {
      for (const [op, n] of Object.entries(pick(ctx.callLog))) out[op] = (out[op] ?? 0) + n;
    }
    return out;
  };
  const calls = merge((log) => log.snapshot());
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  writeFileSync(file, JSON.stringify({ total, calls, mutating: merge((log) => log.mutating()) }));
});
