'use strict';
// Ends a jest run with one plain line, `tests: N passed, N failed` (and skipped when any), that
// CI systems read without knowing jest's own summary format. With JEST_SLOWEST_SUITES=N (.ci/run
// sets it), the N slowest test files come first, so a suite that grows slow is seen.
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const slowest = Number(process.env.JEST_SLOWEST_SUITES || 0);
    if (slowest > 0) process.stdout.write(slowestSuites(results.testResults, slowest, this.rootDir));
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
    process.stdout.write(`${line}\n`);
  }
}

/** `slowest test suites:` then `  12.3s  test/e2e/x.moto.test.ts`, slowest first. */
function slowestSuites(testResults, n, rootDir) {
  const rows = testResults
    .map((r) => ({ seconds: (r.perfStats.end - r.perfStats.start) / 1000, file: r.testFilePath }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, n)
    .map((r) => `  ${r.seconds.toFixed(1).padStart(6)}s  ${path.relative(rootDir, r.file)}\n`);
  return `slowest test suites:\n${rows.join('')}`;
}

module.exports = SummaryReporter;
