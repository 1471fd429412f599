/**
 * cli-entry.ts with a crash: `CRASH_AFTER_MUTATING=k tsx test/helpers/crash-entry.ts apply ...` runs the
 * CLI and SIGKILLs its own process as soon as the k-th mutating AWS call has returned, so that AWS did
 * the call and the process never saw the rest (no cleanup, no output, no `finally`). Without the
 * variable it behaves like cli-entry.ts.
 *
 * Calls are counted when they settle (CallLog listeners, fed by the SDK middleware): against moto or
 * AWS, not the sandbox, whose ports only count calls.
 */
import { writeSync } from 'node:fs';
import { MUTATING_OPERATIONS } from '../../controller/aws/ecs-port';
import { onAwsContextCreated } from '../../controller/cli/aws-context';

const raw = process.env.CRASH_AFTER_MUTATING;
const crashAfter = raw === undefined || raw === '' ? undefined : Number(raw);
if (crashAfter !== undefined && !(Number.isInteger(crashAfter) && crashAfter > 0)) {
  throw new Error(`CRASH_AFTER_MUTATING must be a positive integer (got "${raw}")`);
}

if (crashAfter !== undefined) {
  let seen = 0;
  onAwsContextCreated((ctx) =>
    ctx.callLog.subscribe((service, operation, code) => {
      if (!MUTATING_OPERATIONS.has(operation)) return;
      seen += 1;
      if (seen < crashAfter) return;
      // Synchronous, so the line is out before the kill: the test shows which call it died after.
      writeSync(2, `crash-entry: SIGKILL after mutating call ${seen} (${service}.${operation} ${code})\n`);
      process.kill(process.pid, 'SIGKILL');
    }),
  );
}

// The CLI itself, as cli-entry.ts runs it: loaded only now, once the hook above is in place (a
// static import would be hoisted above it).
void import('./cli-entry');
