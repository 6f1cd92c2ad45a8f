// A node:test reporter that makes a dropped result fail the run.
//
// `node --test` runs every file in a child process and reports what the child
// streamed back. A child that exits before its last results reach the parent
// (process.exit in a test, a crash, or --test-force-exit racing the last
// report) leaves those tests counted neither passed nor failed, and the run
// still exits 0. This reporter counts, per file, the tests the runner
// declared (`test:enqueue`) and the results it received (`test:pass`,
// `test:fail`, skips and todos included); when the two differ, or a file
// reported no test at all, it names the tests without a result and sets a
// non-zero exit code.
//
// Use it next to a human reporter:
//   node --test --test-reporter=spec --test-reporter-destination=stdout \
//     --test-reporter=./scripts/count-reporter.mjs --test-reporter-destination=stderr tests/js/
export default async function* countReporter(source) {
  /** @type {Map<string, {declared: Map<string, number>, results: Map<string, number>}>} */
  const files = new Map();
  const entry = (file) => {
    let e = files.get(file);
    if (!e) {
      e = { declared: new Map(), results: new Map() };
      files.set(file, e);
    }
    return e;
  };
  const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
  let checked = false;
  for await (const ev of source) {
    const d = ev.data;
    // The root plan comes once every file has finished, before the summary.
    // Check there: under --test-force-exit the process exits as soon as the
    // run ends, before a reporter's code after its loop gets to run.
    if (ev.type === 'test:plan' && d && d.nesting === 0 && d.file === undefined && !checked) {
      checked = true;
      yield* verdict(files);
      continue;
    }
    if (!d || typeof d.name !== 'string') continue;
    const file = d.file ?? '(no file)';
    // The runner's own per-file test (named after the file) is not one the
    // file declared, but it tells which files ran: a file whose child died
    // before it reported anything shows up with nothing declared.
    if (d.nesting === 0 && d.name === d.file) {
      entry(file);
      continue;
    }
    const key = `${d.nesting}\u0000${d.name}`;
    if (ev.type === 'test:enqueue') bump(entry(file).declared, key);
    else if (ev.type === 'test:pass' || ev.type === 'test:fail') bump(entry(file).results, key);
  }
  if (!checked) yield* verdict(files);
}

function* verdict(files) {
  let declared = 0;
  let results = 0;
  const problems = [];
  for (const [file, e] of files) {
    let fileDeclared = 0;
    let fileResults = 0;
    for (const n of e.declared.values()) fileDeclared += n;
    for (const n of e.results.values()) fileResults += n;
    declared += fileDeclared;
    results += fileResults;
    if (fileDeclared === 0) {
      problems.push(`${file}: no test reported at all (a test file declares at least one)`);
      continue;
    }
    if (fileDeclared === fileResults) continue;
    const missing = [];
    for (const [key, n] of e.declared) {
      const got = e.results.get(key) ?? 0;
      if (got < n) missing.push(key.split('\u0000')[1]);
    }
    problems.push(
      `${file}: ${fileDeclared} tests declared, ${fileResults} results` +
        (missing.length ? `; no result for: ${missing.map((m) => JSON.stringify(m)).join(', ')}` : ''),
    );
  }
  if (problems.length) {
    process.exitCode = 1;
    yield `\nresult count: FAIL, ${declared} tests declared, ${results} results\n`;
    for (const p of problems) yield `  ${p}\n`;
  } else {
    yield `result count: ok, ${declared} tests and suites declared, ${results} results, in ${files.size} files\n`;
  }
}
