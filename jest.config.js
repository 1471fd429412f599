/**
 * Three projects, by file name: `*.moto.test.ts` (end to end against moto_server), `*.sandbox.test.ts`
 * (the CLI and reconcile on the in-memory sandbox), and the rest (unit). `npm test` runs them all;
 * `npm run test:fast` only unit and sandbox, for local work.
 */
const { availableParallelism } = require('node:os');

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: require('./jest.transform.js'),
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/setup-env.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.moto\\.test\\.ts$', '\\.sandbox\\.test\\.ts$'],
    },
    { ...common, displayName: 'sandbox', testMatch: ['**/*.sandbox.test.ts'] },
    {
      ...common,
      displayName: 'moto',
      testMatch: ['**/*.moto.test.ts'],
      // One moto_server per worker for the whole run (test/moto-pool-setup.ts).
      globalSetup: '<rootDir>/test/moto-pool-setup.ts',
      globalTeardown: '<rootDir>/test/moto-pool-teardown.ts',
    },
  ],
  testTimeout: 60000,
  // Two workers more than there are cores: the moto and CLI files spend much of their time waiting
  // on other processes (moto_server, the spawned CLI, the controller's timers, lease timeouts), and
  // extra workers fill that time (measured on 2 cores: jest 141 s with 2 workers, 123 s with 3, when
  // the suite was smaller; on 2026-12-06, 173 s with 3 and 162 s with 4).
  maxWorkers: availableParallelism() + 2,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
