// How the python.wasm suites run one module of CPython's Lib/test: the scratch copy of the pinned
// test package, and the `pywasi python` command line (cpython-regrtest.test.ts, whole-suite.ts).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cacheDir, stdlibFiles } from '../../python-api/src/index.ts';
import { py, workspaceRoot } from './harness.ts';

/** The Lib/ of the pinned, patched tree (libs/cpython/source/native.json): `cpython-source:source`,
 * which the suites depend on, prepares it (a build that is a cache hit does not); a variant's
 * tree, with that variant's patches, is `cpython-source:source:VARIANT`'s (src-VARIANT). */
export const sourceLib = (variant?: string): string => path.join(workspaceRoot, 'build', 'cpython-source', variant ? `src-${variant}` : 'src', 'Lib');
export const sourceLibTest = path.join(sourceLib(), 'test');

/**
 * A scratch directory with a copy of the test package of `lib` as `test/` and an empty `tmp/`.
 * python311.zip leaves Lib/test out, and a copy keeps __pycache__ and test debris out of the
 * source tree. The caller removes it.
 */
export function makeTestRoot(lib = sourceLib()): string {
  const libTest = path.join(lib, 'test');
  if (!existsSync(path.join(libTest, 'libregrtest'))) {
    throw new Error(`${libTest} is missing: \`npx nx run cpython-source:source\` extracts it (a variant's: \`cpython-source:source:VARIANT\`)`);
  }
  const root = mkdtempSync(path.join(tmpdir(), 'pywasi-regrtest-'));
  cpSync(libTest, path.join(root, 'test'), { recursive: true });
  mkdirSync(path.join(root, 'tmp'));
  return root;
}

/** Packages of Lib/ that carry their own test suite (unittest/test, lib2to3/tests...), which
 * regrtest modules such as test_unittest and test_lib2to3 import. */
export function packagesWithTests(lib = sourceLib()): string[] {
  return readdirSync(lib, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'test')
    .filter((e) => ['test', 'tests', 'idle_test'].some((t) => existsSync(path.join(lib, e.name, t, '__init__.py'))))
    .map((e) => e.name)
    .sort();
}

/**
 * Copies the packages of packagesWithTests(), whole, into the test root: on PYTHONPATH they come
 * before the standard library, which has them without their tests (python311.zip leaves test
 * suites out; Debian moves them to libpython3.11-testsuite). Both pythons then run the pinned
 * source's copy of these packages.
 */
export function addPackageTests(root: string, lib = sourceLib()): string[] {
  const packages = packagesWithTests(lib);
  for (const name of packages) cpSync(path.join(lib, name), path.join(root, name), { recursive: true });
  return packages;
}

/**
 * Lays out, under `root`/lib, the standard library python.wasm runs the tests with, as the native
 * side has its own (native-install.ts): lib/python3.11 is the build's standard library as files
 * (what `pywasi python` mounts read-only at /usr/local/lib, from the build's usr/local/lib
 * `buildLib`), with the test package and `packages` (those with tests of their own) from `lib`,
 * the pinned source. The runs see it as /usr/local/lib, writable as a native install's is for its
 * tests (test_import, test_runpy and test_trace write and remove files beside the stdlib's
 * modules), so tests that look for their files relative to the standard library or to the test
 * package find them (test_ast, test_importlib's frozen modules).
 */
export function addGuestStdlib(root: string, buildLib: string, lib = sourceLib(), packages: string[] = []): void {
  const guestLib = path.join(root, 'lib');
  cpSync(stdlibFiles(buildLib, cacheDir()), guestLib, { recursive: true });
  for (const name of ['test', ...packages]) {
    const into = path.join(guestLib, 'python3.11', name);
    rmSync(into, { recursive: true, force: true });
    cpSync(path.join(lib, name), into, { recursive: true });
  }
}

/**
 * The `pywasi python` arguments that run `module` with regrtest, writing its junit report to
 * `junit`; `regrtestOptions` go to regrtest before the module (`-u network`, `--ignore NAME`). The
 * test root is mapped at the same path, and its lib/ (addGuestStdlib) as /usr/local/lib.
 */
export function wasmRegrtestArgs(root: string, module: string, junit: string, tmpDir = path.join(root, 'tmp'), regrtestOptions: string[] = []): string[] {
  const dirs = ['--dir', root, '--dir', `${path.join(root, 'lib')}:/usr/local/lib`];
  // test_datetime's zoneinfo tests read the host tz database at its usual path when it exists.
  if (existsSync('/usr/share/zoneinfo')) dirs.push('--dir', '/usr/share/zoneinfo');
  return [
    ...dirs,
    '-e', `TMPDIR=${tmpDir}`,
    // Modules whose import-time skips on WASI name what pywasi has (see py/run_regrtest.py):
    // test_selectors socketpair(); test_os and test_shutil /dev/null and fds that fail with EBADF;
    // test_urllib_response sockets.
    '-e', 'PYWASI_REGRTEST_IMPORT_AS_POSIX=test_selectors,test_os,test_shutil,test_urllib_response',
    py('run_regrtest.py'),
    '--junit-xml', junit,
    ...regrtestOptions,
    module,
  ];
}
