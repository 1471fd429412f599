/**
 * The CLI from the TypeScript source, for the controller footprint's tsx child
 * (`node --import tsx bench/cli-entry.ts run ...`); bench/ does not import from test/, so this is a
 * copy of bin/ecs-gitops.js that runs the TypeScript source, without the compiled dist.
 */
import { main } from '../controller/cli/main';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  },
);
