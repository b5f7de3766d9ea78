// CPython's own regression tests (Lib/test of the pinned source) run inside python.wasm through
// `pywasi python`, one module per process so a crash stays contained. Every failure or skip that
// remains is listed in expected-failures.json (test id → one-line reason); a failure that is not
// listed fails this test, a listed one that now passes is reported. Each run also writes
// build/cpython-tests/regrtest-results.json and expected-failures.suggested.json (the manifest
// this run would need), for updating the manifest by review.
//
//   PYWASI_REGRTEST=test_json,test_re    run only these modules
//   PYWASI_REGRTEST_STRICT_SKIPS=1       also fail on skips that are not in the manifest
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { BUILD_TIMEOUT_MS, buildCpython, describeRun, pywasiPython, workspaceRoot } from './harness.ts';
import { makeTestRoot, wasmRegrtestArgs } from './regrtest-run.ts';
import {
  compare,
  isFailure,
  moduleVerdict,
  parseJunit,
  readManifest,
  suggestManifest,
  type ModuleResult,
  type TestCaseResult,
} from './regrtest.ts';

const ALL_MODULES = [
  'test_json', 'test_re', 'test_unicode', 'test_int', 'test_long', 'test_float', 'test_dict', 'test_list',
  'test_set', 'test_string', 'test_bytes', 'test_datetime', 'test_decimal', 'test_zlib', 'test_uuid',
  'test_socket', 'test_select', 'test_selectors', 'test_httpservers', 'test_urllib2_localnet',
  // The host's own file system (libs/wasi-host/src/fs): all eight together 13-45 s here (2 cores).
  'test_os', 'test_shutil', 'test_tempfile', 'test_pathlib', 'test_glob', 'test_fileio', 'test_posixpath', 'test_stat',
  // The batteries: libs/sqlite, libs/bzip2, libs/xz, libs/openssl (tarfile reads and writes through
  // bz2/lzma/zlib).
  'test_sqlite3', 'test_bz2', 'test_lzma', 'test_ssl', 'test_hashlib', 'test_hmac', 'test_tarfile',
];
const MODULES = process.env['PYWASI_REGRTEST'] ? process.env['PYWASI_REGRTEST'].split(',').filter(Boolean) : ALL_MODULES;
const STRICT_SKIPS = process.env['PYWASI_REGRTEST_STRICT_SKIPS'] === '1';

/** Per module. All of them took 1–13 s here (test_decimal runs its quick subset: no -u cpu). */
const MODULE_TIMEOUT_MS = 10 * 60 * 1000;

const manifestFile = fileURLToPath(new URL('./expected-failures.json', import.meta.url));
const reportDir = path.join(workspaceRoot, 'build', 'cpython-tests');

describe('CPython regression tests in python.wasm', () => {
  let root = '';
  const results: ModuleResult[] = [];
  const manifest = readManifest(manifestFile);

  beforeAll(async () => {
    await buildCpython();
    root = makeTestRoot();
  }, BUILD_TIMEOUT_MS);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    if (results.length === 0) return;
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(path.join(reportDir, 'regrtest-results.json'), JSON.stringify(results, null, 1) + '\n');
    writeFileSync(path.join(reportDir, 'expected-failures.suggested.json'), JSON.stringify(suggestManifest(results, manifest), null, 2) + '\n');
    const count = (r: ModuleResult, f: (c: TestCaseResult) => boolean) => r.cases.filter(f).length;
    const rows = results.map((r) => {
      const ran = count(r, (c) => c.outcome !== 'skip');
      const failed = count(r, (c) => isFailure(c.outcome));
      const skipped = count(r, (c) => c.outcome === 'skip');
      const listed = Object.keys(manifest.tests[r.module] ?? {}).length;
      return `${r.module.padEnd(24)} ${String(ran).padStart(5)} ${String(failed).padStart(6)} ${String(skipped).padStart(7)} ${String(listed).padStart(8)} ${r.seconds.toFixed(1).padStart(7)}s  ${r.verdict}`;
    });
    const total = results.reduce((s, r) => s + r.seconds, 0);
    process.stdout.write(
      [
        '',
        'CPython regression tests in python.wasm (ran = passed + failed; failed/skipped include expected ones)',
        `${'module'.padEnd(24)} ${'ran'.padStart(5)} ${'failed'.padStart(6)} ${'skipped'.padStart(7)} ${'manifest'.padStart(8)} ${'time'.padStart(8)}  regrtest says`,
        ...rows,
        `total ${total.toFixed(1)} s over ${results.length} modules; details in ${path.relative(workspaceRoot, reportDir)}/`,
        '',
      ].join('\n'),
    );
  });

  test.each(MODULES)(
    '%s',
    async (module) => {
      const junit = path.join(root, `${module}.xml`);
      const run = await pywasiPython(wasmRegrtestArgs(root, module, junit), { cwd: root, timeoutMs: MODULE_TIMEOUT_MS });
      const output = `${run.stdout}\n${run.stderr}`;
      const cases = existsSync(junit) ? parseJunit(readFileSync(junit, 'utf8')) : [];
      const { skipped, verdict } = moduleVerdict(module, output);
      // Whole-module outcomes that have no test case of their own carry the module's name as id.
      if (skipped !== undefined) cases.push({ id: module, outcome: 'skip', message: skipped });
      else if (run.timedOut || (run.exitCode !== 0 && !cases.some((c) => isFailure(c.outcome)))) {
        cases.push({ id: module, outcome: 'error', message: run.timedOut ? 'timed out' : `exit ${run.exitCode}: ${verdict || 'no verdict (crashed?)'}` });
      }
      const result: ModuleResult = {
        module,
        seconds: run.seconds,
        exitCode: run.exitCode,
        timedOut: run.timedOut,
        cases,
        verdict: run.timedOut ? `${module} timed out` : verdict || `exit ${run.exitCode}`,
      };
      results.push(result);

      const expected = manifest.tests[module] ?? {};
      const comparison = compare(result, expected);
      const notes: string[] = [];
      if (comparison.nowPassing.length) {
        notes.push(`${module}: ${comparison.nowPassing.length} manifest entries now pass (remove them):`, ...comparison.nowPassing.map((e) => `  ${e.id}  [${e.reason}]`));
      }
      if (comparison.notSeen.length && cases.length > 1) {
        notes.push(`${module}: ${comparison.notSeen.length} manifest entries did not run:`, ...comparison.notSeen.slice(0, 20).map((id) => `  ${id}`));
      }
      if (comparison.unlistedSkips.length) {
        notes.push(`${module}: ${comparison.unlistedSkips.length} skips not in the manifest:`, ...comparison.unlistedSkips.slice(0, 30).map((c) => `  ${c.id}: ${c.message}`));
      }
      if (notes.length) process.stdout.write(notes.join('\n') + '\n');

      const problems = comparison.unexpectedFailures.map((c) => `${c.id} (${c.outcome}): ${c.message}`);
      if (STRICT_SKIPS) problems.push(...comparison.unlistedSkips.map((c) => `${c.id} (unlisted skip): ${c.message}`));
      if (problems.length) {
        throw new Error(`${module}: ${problems.length} unexpected results (not in expected-failures.json):\n${problems.join('\n')}\n\n${describeRun(run)}`);
      }
      expect(cases.length).toBeGreaterThan(0);
    },
    MODULE_TIMEOUT_MS + 60_000,
  );
});
