#!/usr/bin/env node
// `npm run demo`: converges specs/ on the in-memory sandbox account, twice, and shows that the second
// round changes nothing. The sandbox account is saved in .sandbox/account.json between the rounds,
// exactly as two CI runs against one AWS account would see it.
'use strict';
const { spawnSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const state = path.join('.sandbox', 'account.json');
const cli = path.join(root, 'bin', 'ecs-gitops.js');

// Keep dist/ in step with the source (skipped when it is newer than every input).
require('./ensure-built').ensureBuilt();
rmSync(path.join(root, '.sandbox'), { recursive: true, force: true });

function round(n, title) {
  process.stdout.write(`\n=== Round ${n}: ${title}\n$ ecs-gitops apply specs --sandbox ${state}\n`);
  const r = spawnSync(process.execPath, [cli, 'apply', 'specs', '--sandbox', state, '--log-level', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

round(1, 'an empty account: everything is created');
round(2, 'the same specs again: nothing changes (0 mutating calls)');
process.stdout.write(
  `\nThe sandbox account is in ${state}. Try: npx ecs-gitops diff specs --sandbox ${state}\n` +
    'Edit a file in specs/ and run that diff again to see the change ecs-gitops would make.\n',
);
