// Prints the closing line CI reads ("N passed, N failed") from jest's JSON results.
// A suite that failed to load counts as one failure, so it can never pass silently.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results.json';
let results;
try {
  results = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.log(`no test results in ${file}: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const brokenSuites = results.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0);
for (const suite of brokenSuites) console.log(`suite failed to run: ${suite.name}\n${suite.message}`);
const passed = results.numPassedTests;
const failed = results.numFailedTests + brokenSuites.length;
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
