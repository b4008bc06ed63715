// Prints the closing line CI reads ("N passed, N failed"): jest's JSON results plus, when given,
// the checks of `npm run e2e` (its own closing line in a log). A suite that failed to load, or
// an e2e run that printed no summary, counts as a failure, so nothing can pass silently.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results.json';
// Each further argument is the log of an end-to-end run with its own closing line (npm run e2e, e2e:k8s).
const e2eLogs = process.argv.slice(3);
let results;
try {
  results = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.log(`no test results in ${file}: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const brokenSuites = results.testResults.filter(
  (s) => s.status === 'failed' && s.assertionResults.length === 0,
);
for (const suite of brokenSuites) console.log(`suite failed to run: ${suite.name}\n${suite.message}`);
let passed = results.numPassedTests;
let failed = results.numFailedTests + brokenSuites.length;
console.log(`jest: ${passed} passed, ${failed} failed`);
for (const e2eLog of e2eLogs) {
  const name = e2eLog.replace(/-results\.log$/, '');
  let lines = [];
  try {
    lines = readFileSync(e2eLog, 'utf8').split('\n');
  } catch {
    // a missing log is handled below as a run without a summary
  }
  const last = lines
    .map((l) => /(\d+) passed, (\d+) failed/.exec(l))
    .filter(Boolean)
    .at(-1);
  if (last) {
    passed += Number(last[1]);
    failed += Number(last[2]);
    console.log(`${name}: ${last[1]} passed, ${last[2]} failed`);
  } else {
    console.log(`${name}: no summary line in ${e2eLog}`);
    failed += 1;
  }
}
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
