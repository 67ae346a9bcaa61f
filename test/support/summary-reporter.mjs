import { writeFileSync } from 'node:fs';

/**
 * Writes jest's own totals to JEST_SUMMARY_FILE (when set), so that CI can print them as its last line
 * whatever else the run printed.
 */
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.JEST_SUMMARY_FILE;
    if (!file) return;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    writeFileSync(file, JSON.stringify({ passed: results.numPassedTests, failed, suitesFailedToRun: results.numRuntimeErrorTestSuites }));
  }
}
