// A native CPython whose standard library holds the pinned source's Lib/test, for running the
// regression tests natively (whole-suite.ts). PYTHONPATH is not enough: many tests start
// `sys.executable -I ...` (test.support.script_helper), which ignores PYTHONPATH and would import
// the installed python's own `test` package (Debian ships a stub of it) or none.
//
// The copy: <dir>/bin/python3.11 is a copy of the native binary, <dir>/lib/python3.11 links
// every entry of its standard library except the test package and the packages with their own
// tests, which are copies from the pinned source, and <dir>/include links its C headers. CPython finds its prefix from the binary's
// location (the lib/python3.11/os.py landmark), so this tree is its standard library, in
// subprocesses too.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { runGroup, type PywasiOptions, type PywasiResult } from './harness.ts';
import { sourceLibTest } from './regrtest-run.ts';

/** Makes the tree under `dir` and returns its python. `replaced` are packages of the pinned Lib/
 * that take the place of the installed ones (the test package is always one). */
export function makeNativeInstall(nativePython: string, dir: string, replaced: string[]): string {
  const paths = 'import sys, sysconfig; p = sysconfig.get_paths(); print(f"{sys.version_info[0]}.{sys.version_info[1]}"); print(p["stdlib"]); print(p["include"])';
  const [version, stdlib, include] = execFileSync(nativePython, ['-c', paths], { encoding: 'utf8' }).trim().split('\n');
  if (!version || !stdlib) throw new Error(`${nativePython} did not say its version and standard library`);
  const bin = path.join(dir, 'bin');
  const lib = path.join(dir, 'lib', `python${version}`);
  mkdirSync(bin, { recursive: true });
  mkdirSync(lib, { recursive: true });
  const python = path.join(bin, `python${version}`);
  copyFileSync(nativePython, python);
  const fromSource = new Set(['test', ...replaced]);
  for (const name of readdirSync(stdlib)) {
    if (!fromSource.has(name)) symlinkSync(path.join(stdlib, name), path.join(lib, name));
  }
  // The C headers (sysconfig.get_config_h_filename(), which test_sysconfig and distutils read).
  if (include && existsSync(include)) {
    mkdirSync(path.join(dir, 'include'));
    symlinkSync(include, path.join(dir, 'include', path.basename(include)));
  }
  const sourceLib = path.dirname(sourceLibTest);
  for (const name of fromSource) cpSync(path.join(sourceLib, name), path.join(lib, name), { recursive: true });
  const prefix = execFileSync(python, ['-c', 'import sys, test; print(sys.prefix); print(test.__file__)'], { encoding: 'utf8' }).trim().split('\n');
  if (prefix[0] !== dir || !prefix[1]?.startsWith(lib)) {
    throw new Error(`the copy of ${nativePython} in ${dir} does not use its own standard library (prefix ${prefix[0]}, test from ${prefix[1]})`);
  }
  return python;
}

/** Runs `module` with regrtest on the copy's python (makeNativeInstall), writing its junit report
 * to `junit`, from and with a TMPDIR of its own (two run at a time; test_tempfile counts files). */
export function nativeRegrtest(python: string, module: string, junit: string, tmpDir: string, limits: Omit<PywasiOptions, 'cwd' | 'env'>): Promise<PywasiResult> {
  return runGroup(python, ['-m', 'test', '--junit-xml', junit, module], { ...limits, cwd: tmpDir, env: { TMPDIR: tmpDir } });
}
