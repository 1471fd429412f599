/** Runs the CLI from the TypeScript source in a child process (`tsx test/helpers/cli-entry.ts run ...`). */
import { main } from '../../controller/cli/main';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  },
);
