// Adds up the vitest and Playwright JSON reports into one closing line: "N passed, N failed, N skipped".
// Before it, each failed test is named with the first lines of its error, so the end of a long
// run's output (often all that a CI page keeps) says what failed; a browser test that passed only
// on its retry is named too, with the error of the try that failed.
import fs from "node:fs";
import path from "node:path";

const ERROR_LINES = 12;
const LINE_CHARS = 600;
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

const firstLines = (text) =>
  String(text ?? "")
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .slice(0, ERROR_LINES)
    .map((line) => `    ${line.slice(0, LINE_CHARS)}`)
    .join("\n");

const flakes = [];

function playwrightFailures(suite, file) {
  for (const spec of suite.specs ?? []) {
    const results = (spec.tests ?? []).flatMap((test) => test.results ?? []);
    const error = results.map((result) => result.error?.message).find(Boolean);
    // Passed on its retry: named all the same, with the failed try's error.
    if (spec.ok && error) flakes.push({ name: `${spec.file ?? file}: ${spec.title}`, error });
    if (!spec.ok) failures.push({ name: `${spec.file ?? file}: ${spec.title}`, error });
  }
  for (const child of suite.suites ?? []) playwrightFailures(child, suite.file ?? file);
}

for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) {
    console.log(`missing report: ${file}`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(fs.readFileSync(file, "utf8"));
  if (report.numPassedTests !== undefined) {
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    for (const testFile of report.testResults ?? []) {
      const fileName = path.relative(process.cwd(), testFile.name);
      const failedTests = (testFile.assertionResults ?? []).filter((test) => test.status === "failed");
      for (const test of failedTests) failures.push({ name: `${fileName}: ${test.fullName}`, error: test.failureMessages?.[0] });
      // A file that failed outside its tests (import error, hook) has no failed test to name.
      if (testFile.status === "failed" && failedTests.length === 0) failures.push({ name: fileName, error: testFile.message });
    }
  } else if (report.stats) {
    passed += report.stats.expected + (report.stats.flaky ?? 0);
    failed += report.stats.unexpected;
    skipped += report.stats.skipped;
    for (const suite of report.suites ?? []) playwrightFailures(suite, suite.file);
  }
}
for (const flake of flakes) {
  console.log(`FLAKY (failed, then passed on its retry) ${flake.name}`);
  console.log(firstLines(flake.error));
}
for (const failure of failures) {
  console.log(`FAILED ${failure.name}`);
  if (failure.error) console.log(firstLines(failure.error));
}
const retried = flakes.length > 0 ? ` (${flakes.length} of them on a retry)` : "";
console.log(`${passed} passed${retried}, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
