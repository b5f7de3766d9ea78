// The packages built into python.wasm (dist/python-full, or the build PYWASI_SUITES_BUILD names)
// pass their own upstream test suites, run by pytest inside python.wasm: every test that fails must
// be listed in upstream-suites.json with its reason, every listed one must still fail (else the
// list is stale), and at least the recorded number pass. pytest and its imports, and what the
// packages import that is pure Python (requirements-runtime.txt), are pinned wheels the host pip
// installs.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';

const here = path.dirname(fileURLToPath(import.meta.url));
const workspaceRoot = path.resolve(here, '..', '..', '..');
const cli = path.join(workspaceRoot, 'apps', 'cli', 'bin', 'pywasi.js');
/** The build whose python.wasm runs the suites: the full build, or the one PYWASI_SUITES_BUILD
 * names (made by `pywasi build --with PACKAGES --name NAME`), which runs the suites of its packages. */
const buildName = process.env['PYWASI_SUITES_BUILD'] || 'full';
const pythonDir = path.join(workspaceRoot, 'dist', `python-${buildName}`);

interface Suite {
  /** The suite's directory in the package's source tree. */
  dir: string;
  /** Other files of the source tree the suite needs (a conftest.py of the package). */
  extraFiles?: string[];
  minPassed: number;
  /** Of the tests that ran (not skipped), the share that must pass. */
  minPassRate?: number;
  /** pytest node id (file::test[param], `*` matches any text) -> why it fails in python.wasm. */
  expectedFailures: Record<string, string>;
  /** Run pytest once per test module (test_*.py of `dir`), so one that ends its run fails alone. */
  perModule?: boolean;
  /** Test files or directories inside `dir` to run, instead of all of it, one pytest run each: a
   * suite too large to run whole in python.wasm (say which parts and why in `$comment`). */
  paths?: string[];
  /** More pytest arguments, e.g. `-k` to leave out what pytest collects but the package's own
   * runner never runs (abstract TestCase bases, test_suite() builders); say why in `$comment`. */
  pytestArgs?: string[];
  /** The directory of the package's copy (relative to its root) the tests run in, for suites that
   * open their data by paths relative to it (Pillow's Tests/images/...); else the scratch one. */
  cwd?: string;
  /** For a package the full build leaves out (pandas: its size and build time), the npm script
   * that makes a build with it and runs its suite there; the full build's run skips it. */
  outsideFullBuild?: string;
}
const suites = Object.entries(JSON.parse(readFileSync(path.join(here, 'upstream-suites.json'), 'utf8')) as Record<string, Suite>).filter(([name]) => !name.startsWith('$'));

let scratch = '';
/** The packages built into that build (their pinned names, which name their suites). */
let builtIn = new Set<string>();
beforeAll(async () => {
  const build = buildName === 'full' ? 'nx build python-full' : `pywasi build --with PACKAGES --name ${buildName}`;
  if (!existsSync(path.join(pythonDir, 'python.wasm'))) throw new Error(`${pythonDir}/python.wasm is missing: ${build}`);
  const packages = JSON.parse(readFileSync(path.join(pythonDir, 'usr', 'local', 'lib', 'built-in-packages.json'), 'utf8')) as { name: string }[];
  builtIn = new Set(packages.map((p) => p.name));
  scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-upstream-'));
  // ./deps of the directory python runs in is on its path (pywasi python finds it).
  const install = await execa('python3', ['-m', 'pip', 'install', '--quiet', '--no-deps', '--only-binary', ':all:', '--require-hashes', '--target', path.join(scratch, 'deps'), '-r', path.join(here, 'requirements-pytest.txt'), '-r', path.join(here, 'requirements-runtime.txt')], { reject: false, all: true });
  if (install.exitCode !== 0) throw new Error(`installing pytest for the guest failed:\n${install.all}`);
}, 300_000);
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A pytest plugin (loaded first with -p): records every test's outcome by node id into a JSON
 * file, a module that cannot be collected (an import python.wasm cannot serve) as failed under
 * its path, and, for a suite inside a package, adds the suite's copy to that package's path. */
function suitePlugin(results: string, packagePath?: { name: string; dir: string }): string {
  return [
    'import json',
    ...(packagePath ? [`import ${packagePath.name} as package`, `package.__path__.append(${JSON.stringify(packagePath.dir)})`] : []),
    'outcomes = {}',
    'def pytest_collectreport(report):',
    '    if report.failed:',
    '        outcomes[report.nodeid] = "failed"',
    'def pytest_runtest_logreport(report):',
    '    if report.outcome == "failed" or report.nodeid not in outcomes:',
    '        if report.when == "call" or report.outcome != "passed":',
    '            outcomes[report.nodeid] = report.outcome',
    'def pytest_sessionfinish(session):',
    `    with open(${JSON.stringify(results)}, "w") as f:`,
    '        json.dump(outcomes, f)',
    '',
  ].join('\n');
}

/** pytest, ending as a program does: through the interpreter's finalization, which used to spin
 * forever after hypothesis had run (numpy's suite uses it; CPython patch 0015), so a suite that
 * ends is also that patch's test. */
const RUNNER = 'run_pytest.py';
const RUNNER_SOURCE = 'import sys\nimport pytest\nsys.exit(pytest.main(sys.argv[1:]))\n';

describe('upstream test suites of the built-in packages, inside python.wasm', () => {
  test.each(suites)('%s', async (name, suite) => {
    // The full build must have every package but those left out of it on purpose; another build
    // runs the suites of those it has.
    if (buildName === 'full' && suite.outsideFullBuild !== undefined) {
      if (builtIn.has(name)) throw new Error(`${name} is built into the full build: upstream-suites.json must not name it outsideFullBuild`);
      console.log(`SKIP ${name}: not in the full build; \`${suite.outsideFullBuild}\` builds it in a build of its own and runs its suite`);
      return;
    }
    if (buildName !== 'full' && !builtIn.has(name)) {
      console.log(`SKIP ${name}: not built into the ${buildName} build (${pythonDir})`);
      return;
    }
    const tree = path.join(workspaceRoot, 'build', name, 'src');
    if (!existsSync(path.join(tree, suite.dir))) throw new Error(`${path.join(tree, suite.dir)} is missing: nx run ${name}:source`);
    for (const file of [suite.dir, ...(suite.extraFiles ?? [])]) cpSync(path.join(tree, file), path.join(scratch, name, file), { recursive: true });
    // A suite inside a package (numpy/_core/tests) imports its helpers as part of it
    // (numpy._core.tests._locales), while the package itself is python.wasm's: the copy here
    // joins the package's path.
    // The package is the run of directories above the suite that have an __init__.py (numpy/_core;
    // lxml under src/: the import root is where that run starts).
    const parent = path.dirname(suite.dir);
    const parts = parent === '.' ? [] : parent.split('/');
    let top = parts.length;
    while (top > 0 && existsSync(path.join(tree, ...parts.slice(0, top), '__init__.py'))) top--;
    const packageName = parts.slice(top).join('.');
    const inPackage = packageName !== '';
    // One pytest run for the suite, or one per test module or per path: a module that ends its
    // run (a trap in C code, an import python.wasm cannot serve) then fails alone, as the module.
    writeFileSync(path.join(scratch, RUNNER), RUNNER_SOURCE);
    const suiteDir = path.join(scratch, name, suite.dir);
    if (suite.perModule && suite.paths) throw new Error(`${name}: perModule runs every test_*.py of dir; give it or paths, not both`);
    for (const part of suite.paths ?? []) if (!existsSync(path.join(suiteDir, part))) throw new Error(`${name}: paths names ${part}, which ${path.join(tree, suite.dir)} does not hold`);
    const modules = suite.perModule ? readdirSync(suiteDir).filter((f) => /^test_.*\.py$/.test(f)).sort() : (suite.paths ?? ['']);
    const recorded: Record<string, string> = {};
    const broken: string[] = [];
    for (const [i, module] of modules.entries()) {
      const plugin = `suite_plugin_${name}_${i}`;
      const report = path.join(scratch, `${name}-results-${i}.json`);
      writeFileSync(path.join(scratch, `${plugin}.py`), suitePlugin(report, inPackage ? { name: packageName, dir: path.join(scratch, name, parent) } : undefined));
      // Absolute paths: the run may start in the package's copy. The runner's directory (with the
      // plugin) is the first on the guest's path, and its ./deps (pytest) is found beside it.
      const target = path.join(scratch, name, suite.dir, module);
      const args = ['python', path.join(scratch, RUNNER), '-p', plugin, '-p', 'no:cacheprovider', '-q', '-rfE', `--rootdir=${path.join(scratch, name)}`, ...(suite.pytestArgs ?? []), target];
      const cwd = suite.cwd === undefined ? scratch : path.join(scratch, name, suite.cwd);
      const run = await execa(process.execPath, [cli, ...args], { cwd, env: { PYWASI_PYTHON_DIR: pythonDir }, reject: false, all: true, timeout: 600_000 });
      const outcomes = existsSync(report) ? (JSON.parse(readFileSync(report, 'utf8')) as Record<string, string>) : {};
      Object.assign(recorded, outcomes);
      // No outcome and not "no tests collected" (5): the module itself failed.
      if (Object.keys(outcomes).length === 0 && run.exitCode !== 0 && run.exitCode !== 5) {
        if (!module) throw new Error(`pytest wrote no results (exit ${run.exitCode}):\n${run.all}`);
        recorded[path.posix.join(suite.dir, module)] = 'failed';
        broken.push(`${module}: ${String(run.all).trim().split('\n').findLast((l) => /Error|trapped/.test(l)) ?? `exit ${run.exitCode}`}`);
      }
    }
    if (broken.length) console.log(`${name}: modules that failed as a whole:\n  ${broken.join('\n  ')}`);
    const outcomes = Object.entries(recorded);
    const failed = outcomes.filter(([, o]) => o === 'failed').map(([id]) => id).sort();
    const passed = outcomes.filter(([, o]) => o === 'passed').length;
    const listed = Object.keys(suite.expectedFailures).sort();
    const matches = (pattern: string, id: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(id);
    expect({
      unexpected: failed.filter((id) => !listed.some((p) => matches(p, id))),
      fixed: listed.filter((p) => !failed.some((id) => matches(p, id))),
    }).toEqual({ unexpected: [], fixed: [] });
    expect(passed).toBeGreaterThanOrEqual(suite.minPassed);
    const rate = passed / (passed + failed.length);
    if (suite.minPassRate !== undefined) expect(rate).toBeGreaterThanOrEqual(suite.minPassRate);
    console.log(`${name}: ${passed} passed, ${failed.length} failed as listed (${(rate * 100).toFixed(1)}% of those run)`);
  }, 3_000_000);
});
