'use strict';
/**
 * Preloaded into the compiled CLI (`node --require test/helpers/crash-after-mutating.js
 * bin/ecs-gitops.js apply ...`) with CRASH_AFTER_MUTATING=k: the process SIGKILLs itself as soon as
 * the k-th mutating AWS call has returned, so that AWS did the call and the process never saw the
 * rest (no cleanup, no output, no `finally`).
 *
 * Calls are counted when they settle (CallLog listeners, fed by the SDK middleware): against moto or
 * AWS, not the sandbox, whose ports only count calls (test/helpers/fault-ports.ts crashes those).
 * It loads the same dist/ modules bin/ecs-gitops.js loads, so it sees the CLI's own AwsContexts.
 */
const { writeSync } = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '../../dist');
const { MUTATING_OPERATIONS } = require(path.join(dist, 'aws/ecs-port.js'));
const { onAwsContextCreated } = require(path.join(dist, 'cli/aws-context.js'));

const raw = process.env.CRASH_AFTER_MUTATING;
const crashAfter = Number(raw);
if (!(Number.isInteger(crashAfter) && crashAfter > 0)) {
  throw new Error(`CRASH_AFTER_MUTATING must be a positive integer (got "${raw}")`);
}

let seen = 0;
onAwsContextCreated((ctx) =>
  ctx.callLog.subscribe((service, operation, code) => {
    if (!MUTATING_OPERATIONS.has(operation)) return;
    seen += 1;
    if (seen < crashAfter) return;
    // Synchronous, so the line is out before the kill: the test shows which call it died after.
    writeSync(
      2,
      `crash-after-mutating: SIGKILL after mutating call ${seen} (${service}.${operation} ${code})\n`,
    );
    process.kill(process.pid, 'SIGKILL');
  }),
);
