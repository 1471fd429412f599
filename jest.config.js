/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is done once by `tsc --noEmit` (npm test runs it first); with isolatedModules in
  // tsconfig.json, ts-jest only transpiles each file.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
