/**
 * The compiled CLI, as users run it (bin/ecs-gitops.js loads dist/). `npm ci` builds dist/ through
 * `prepare`; locally, `npm run build` (again after changing controller/: these tests run what dist/
 * holds). A missing build fails the test that needs it, saying what to run, rather than skipping it.
 *
 * (No staleness check: the incremental build leaves dist/ untouched for a source file whose content
 * did not change, so modification times cannot tell a stale build from a current one.)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '../..');

/** The path of bin/ecs-gitops.js, once dist/ has the compiled CLI. */
export function distCli(): string {
  const entry = path.join(ROOT, 'dist/cli/main.js');
  if (!existsSync(entry)) {
    throw new Error(
      `${entry} is missing: run \`npm run build\` first (\`npm ci\` does it through \`prepare\`)`,
    );
  }
  return path.join(ROOT, 'bin/ecs-gitops.js');
}
