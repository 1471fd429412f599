#!/usr/bin/env node
'use strict';
require('../dist/cli/main.js')
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`ecs-gitops: ${err && err.stack ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
