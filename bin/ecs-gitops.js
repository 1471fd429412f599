#!/usr/bin/env node
'use strict';
require('../dist/cli/main.js')
  .main(process.argv)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      // A crash's stack trace is output like any other: scrubbed of secrets.
      const { scrubSecrets } = require('../dist/telemetry/secret-mask.js');
      process.stderr.write(scrubSecrets(`ecs-gitops: ${err && err.stack ? err.stack : String(err)}\n`));
      process.exitCode = 1;
    },
  );
