import { writeFileSync } from 'node:fs';

/**
 * Says which Node.js runs the tests, and writes jest's own totals to JEST_SUMMARY_FILE (when set), so
 * that CI can print them as its last line whatever else the run printed.
 */
export default class SummaryReporter {
  /** Which Node.js runs jest and its workers (they run `process.execPath`): the one `npm ci` installed. */
  onRunStart() {
    process.stderr.write(`jest on Node.js ${process.version} (${process.execPath})\n`);
  }

  onRunComplete(_contexts, results) {
    const file = process.env.JEST_SUMMARY_FILE;
    if (!file) return;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    writeFileSync(file, JSON.stringify({ passed: results.numPassedTests, failed, suitesFailedToRun: results.numRuntimeErrorTestSuites }));
  }
}
