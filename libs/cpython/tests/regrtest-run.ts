// How the python.wasm suites run one module of CPython's Lib/test: the scratch copy of the pinned
// test package, and the `pywasi python` command line (cpython-regrtest.test.ts, whole-suite.ts).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
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
 * The `pywasi python` arguments that run `module` with regrtest, writing its junit report to
 * `junit`; `regrtestOptions` go to regrtest before the module (`-u network`, `--ignore NAME`). The test root is mapped at the same path and put on PYTHONPATH. A nested mapping such
 * as /usr/local/lib/python3.11/test does not work: the guest cannot list the synthetic parent
 * directory, so the package is not found.
 */
export function wasmRegrtestArgs(root: string, module: string, junit: string, tmpDir = path.join(root, 'tmp'), regrtestOptions: string[] = []): string[] {
  const dirs = ['--dir', root];
  // test_datetime's zoneinfo tests read the host tz database at its usual path when it exists.
  if (existsSync('/usr/share/zoneinfo')) dirs.push('--dir', '/usr/share/zoneinfo');
  return [
    ...dirs,
    '-e', `PYTHONPATH=${root}`,
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
