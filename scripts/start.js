#!/usr/bin/env node
// `npm start`: the controller on specs/, against the in-memory sandbox account, with pretty logs and
// the status server on localhost. It reconciles the files as they are in the work tree (--worktree),
// so editing a file in specs/ reconciles within a second; Ctrl-C stops it.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// Keep dist/ in step with the source (skipped when it is newer than every input).
require('./ensure-built').ensureBuilt();
const port = process.env.ECS_GITOPS_PORT || '9090';
process.stdout.write(
  `ecs-gitops controller on specs/ (in-memory sandbox account)\n` +
    `  status:  http://127.0.0.1:${port}/status   (or: npx ecs-gitops status --url http://127.0.0.1:${port})\n` +
    `  metrics: http://127.0.0.1:${port}/metrics\n` +
    `  edit a file in specs/ and watch it reconcile; Ctrl-C stops.\n\n`,
);
const child = spawn(
  process.execPath,
  [
    path.join(root, 'bin', 'ecs-gitops.js'),
    '--log-format',
    'pretty',
    'run',
    '--repo',
    root,
    '--path',
    'specs',
    '--worktree',
    '--sandbox',
    '--port',
    port,
  ],
  { cwd: root, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
