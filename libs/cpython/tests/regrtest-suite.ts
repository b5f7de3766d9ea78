// The jest suite of CPython's own regression tests (Lib/test of the build's pinned source) run
// inside python.wasm through `pywasi python --build NAME`, one module per process so a crash stays
// contained; each build's test file (cpython-regrtest.test.ts, cpython-regrtest-threads.test.ts)
// names its modules and manifest and calls describeRegrtest. Every failure or skip that remains
// is listed in the build's manifest (test id → one-line reason); a failure that is not listed
// fails the module's test, a listed one that now passes is reported. Each run also writes
// build/cpython-tests/regrtest-results[-BUILD].json and expected-failures[-BUILD].suggested.json
// (the manifest this run would need), for updating the manifest by review.
//
//   PYWASI_REGRTEST=test_json,test_re    run only these modules (slow ones included)
//   PYWASI_REGRTEST_SLOW=1               also run the suite's slow modules
//   PYWASI_REGRTEST_STRICT_SKIPS=1       also fail on skips that are not in the manifest
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runNx } from '../../../tools/testing/nx.ts';
import { BUILD_TIMEOUT_MS, describeRun, pywasiPython, workspaceRoot } from './harness.ts';
import { addGuestStdlib, makeTestRoot, sourceLib, wasmRegrtestArgs } from './regrtest-run.ts';
import {
  compare,
  exclusionArgs,
  isFailure,
  moduleVerdict,
  parseJunit,
  readManifest,
  suggestManifest,
  type ModuleResult,
  type TestCaseResult,
} from './regrtest.ts';
import { DEFAULT_BUILD, reportDir, suiteBuild, type SuiteBuild } from './whole-suite-build.ts';

export interface RegrtestSuite {
  /** The build, as `pywasi python --build NAME` names it (whole-suite-build.ts). */
  build: string;
  /** The modules every run has (`npm test`). */
  modules: string[];
  /** Modules that take minutes: run with PYWASI_REGRTEST_SLOW=1, or when PYWASI_REGRTEST names them. */
  slowModules?: string[];
  /** The regrtest resources (`-u`) a module needs, for those that skip whole without them. */
  resources?: Record<string, string[]>;
  /** The build's expected-failures manifest (regrtest.ts ManifestFile). */
  manifestFile: string;
  /** Per module (default 600 s). */
  moduleTimeoutSeconds?: number;
}

/** The time regrtest's own --timeout leaves before the process is killed: its faulthandler then
 * prints every thread's traceback (which test hangs) and exits. It needs a thread, so only builds
 * with threads honour it; the kill stops the others. */
const REGRTEST_TIMEOUT_MARGIN_SECONDS = 30;

/** The modules this run has: PYWASI_REGRTEST's, else the suite's (and its slow ones with PYWASI_REGRTEST_SLOW=1). */
export function selectedModules(suite: RegrtestSuite, env: NodeJS.ProcessEnv = process.env): string[] {
  const named = env['PYWASI_REGRTEST']?.split(',').filter(Boolean);
  if (named?.length) return named;
  return env['PYWASI_REGRTEST_SLOW'] === '1' ? [...suite.modules, ...(suite.slowModules ?? [])] : suite.modules;
}

/** Builds python.wasm of `build` and prepares its source variant's Lib/test (Nx cache hits when
 * nothing changed); PYWASI_TESTS_NO_BUILD=1 uses dist/ as it is. */
async function prepare(build: SuiteBuild): Promise<void> {
  if (process.env['PYWASI_TESTS_NO_BUILD'] === '1') {
    if (!existsSync(build.wasm)) throw new Error(`${build.wasm} is missing and PYWASI_TESTS_NO_BUILD=1: run \`npx nx ${build.nxBuild.join(' ')}\``);
  } else {
    const run = await runNx(build.nxBuild);
    process.stdout.write(`nx ${build.nxBuild.join(' ')}: ${run.seconds.toFixed(1)} s\n`);
    if (!existsSync(build.wasm)) throw new Error(`nx ${build.nxBuild.join(' ')} succeeded but ${build.wasm} is missing`);
  }
  // A variant's tree is not a dependency of the test target (the default source is): cheap, and
  // a cache hit when its patches did not change.
  if (build.sourceVariant) await runNx(build.sourceNx);
}

function printTable(title: string, results: ModuleResult[], listedOf: (module: string) => number): void {
  const count = (r: ModuleResult, f: (c: TestCaseResult) => boolean) => r.cases.filter(f).length;
  const rows = results.map((r) => {
    const ran = count(r, (c) => c.outcome !== 'skip');
    const failed = count(r, (c) => isFailure(c.outcome));
    const skipped = count(r, (c) => c.outcome === 'skip');
    return `${r.module.padEnd(28)} ${String(ran).padStart(5)} ${String(failed).padStart(6)} ${String(skipped).padStart(7)} ${String(listedOf(r.module)).padStart(8)} ${r.seconds.toFixed(1).padStart(7)}s  ${r.verdict}`;
  });
  const total = results.reduce((s, r) => s + r.seconds, 0);
  process.stdout.write(
    [
      '',
      `${title} (ran = passed + failed; failed/skipped include expected ones)`,
      `${'module'.padEnd(28)} ${'ran'.padStart(5)} ${'failed'.padStart(6)} ${'skipped'.padStart(7)} ${'manifest'.padStart(8)} ${'time'.padStart(8)}  regrtest says`,
      ...rows,
      `total ${total.toFixed(1)} s over ${results.length} modules; details in ${path.relative(workspaceRoot, reportDir)}/`,
      '',
    ].join('\n'),
  );
}

export function describeRegrtest(suite: RegrtestSuite): void {
  const build = suiteBuild(suite.build);
  const suffix = build.name === DEFAULT_BUILD ? '' : `-${build.name}`;
  const manifestName = path.basename(suite.manifestFile);
  const modules = selectedModules(suite);
  const title = `CPython regression tests in python.wasm (${build.name} build)`;
  const moduleTimeoutSeconds = suite.moduleTimeoutSeconds ?? 600;

  describe(title, () => {
    let root = '';
    const results: ModuleResult[] = [];
    const manifest = readManifest(suite.manifestFile);

    beforeAll(async () => {
      await prepare(build);
      root = makeTestRoot(sourceLib(build.sourceVariant));
      addGuestStdlib(root, path.join(path.dirname(build.wasm), 'usr', 'local', 'lib'), sourceLib(build.sourceVariant));
    }, BUILD_TIMEOUT_MS);

    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
      if (results.length === 0) return;
      mkdirSync(reportDir, { recursive: true });
      writeFileSync(path.join(reportDir, `regrtest-results${suffix}.json`), JSON.stringify(results, null, 1) + '\n');
      writeFileSync(path.join(reportDir, `expected-failures${suffix}.suggested.json`), JSON.stringify(suggestManifest(results, manifest), null, 2) + '\n');
      printTable(title, results, (module) => Object.keys(manifest.tests[module] ?? {}).length);
    });

    test.each(modules)(
      '%s',
      async (module) => {
        const junit = path.join(root, `${module}.xml`);
        const options = [
          '--timeout', String(moduleTimeoutSeconds - REGRTEST_TIMEOUT_MARGIN_SECONDS),
          ...(suite.resources?.[module] ?? []).flatMap((r) => ['-u', r]),
          ...exclusionArgs(manifest, module),
        ];
        const run = await pywasiPython([...build.cliArgs, ...wasmRegrtestArgs(root, module, junit, undefined, options)], { cwd: root, timeoutMs: moduleTimeoutSeconds * 1000 });
        const output = `${run.stdout}\n${run.stderr}`;
        const cases = existsSync(junit) ? parseJunit(readFileSync(junit, 'utf8')) : [];
        const { skipped, verdict } = moduleVerdict(module, output);
        // Whole-module outcomes that have no test case of their own carry the module's name as id.
        const regrtestTimedOut = /^Timeout \(\d+:\d\d:\d\d\)!$/m.test(output);
        if (skipped !== undefined) cases.push({ id: module, outcome: 'skip', message: skipped });
        else if (run.timedOut || regrtestTimedOut) {
          cases.push({ id: module, outcome: 'error', message: regrtestTimedOut ? "timed out (regrtest --timeout: every thread's traceback is in the output)" : 'timed out' });
        } else if (run.exitCode !== 0 && !cases.some((c) => isFailure(c.outcome))) {
          cases.push({ id: module, outcome: 'error', message: `exit ${run.exitCode}: ${verdict || 'no verdict (crashed?)'}` });
        }
        const result: ModuleResult = {
          module,
          seconds: run.seconds,
          exitCode: run.exitCode,
          timedOut: run.timedOut,
          cases,
          verdict: run.timedOut || regrtestTimedOut ? `${module} timed out` : verdict || `exit ${run.exitCode}`,
        };
        results.push(result);

        const comparison = compare(result, manifest.tests[module] ?? {});
        const notes: string[] = [];
        const excluded = Object.entries(manifest.excluded?.[module] ?? {});
        if (excluded.length) notes.push(`${module}: left out of the run (${manifestName} "excluded"):`, ...excluded.map(([pattern, reason]) => `  ${pattern}  [${reason}]`));
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
        if (process.env['PYWASI_REGRTEST_STRICT_SKIPS'] === '1') problems.push(...comparison.unlistedSkips.map((c) => `${c.id} (unlisted skip): ${c.message}`));
        if (problems.length) {
          throw new Error(`${module}: ${problems.length} unexpected results (not in ${manifestName}):\n${problems.join('\n')}\n\n${describeRun(run)}`);
        }
        expect(cases.length).toBeGreaterThan(0);
      },
      (moduleTimeoutSeconds + 60) * 1000,
    );
  });
}
