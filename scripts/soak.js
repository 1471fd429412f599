#!/usr/bin/env node
/**
 * `npm run soak [-- --reconciles N]`: the soak tests (test/soak/*.soak.ts, jest.soak.config.js) in
 * one jest process with --expose-gc (the memory samples are taken after a GC) and
 * --detectOpenHandles. jest only prints what it detects and still exits 0 (with --forceExit; without
 * it, it would wait on the handle for ever), so this fails the run (exit 1) when its output reports
 * an open handle. Results: bench/results/soak-latest.json.
 */
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const env = { ...process.env };
const i = args.indexOf('--reconciles');
if (i >= 0) {
  env.SOAK_RECONCILES = args[i + 1];
  args.splice(i, 2);
}
const jest = require.resolve('jest/bin/jest', { paths: [root] });
const child = spawn(
  process.execPath,
  // --forceExit: jest reports what it detected, then exits instead of waiting on the handle forever.
  [
    '--expose-gc',
    jest,
    '--config',
    'jest.soak.config.js',
    '--runInBand',
    '--detectOpenHandles',
    '--forceExit',
    ...args,
  ],
  { cwd: root, env, stdio: ['inherit', 'pipe', 'pipe'] },
);
let output = '';
for (const [from, to] of [
  [child.stdout, process.stdout],
  [child.stderr, process.stderr],
]) {
  from.on('data', (chunk) => {
    output += chunk.toString();
    to.write(chunk);
  });
}
child.on('close', (code) => {
  if (/Jest has detected the following \d+ open handles?/.test(output)) {
    process.stderr.write('soak: jest --detectOpenHandles reported open handles (above)\n');
    process.exit(1);
  }
  process.exit(code ?? 1);
});
