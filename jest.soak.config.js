/**
 * `npm run soak` (scripts/soak.js): the long soaks, `test/soak/*.soak.ts`, which no project of
 * jest.config.js matches, so that `npm test` never runs them.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/soak'],
  testMatch: ['**/*.soak.ts'],
  transform: require('./jest.transform.js'),
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 3_600_000,
};
