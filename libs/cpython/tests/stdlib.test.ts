// The standard library python.wasm ships (libs/stdlib-zip): all of 3.11's but what cannot run on
// WASI, deprecated modules included, with its sources beside it; runs see it as files (or, with
// --stdlib-zip, as the zip, with tracebacks reading lines from the sources zip); venv and ensurepip
// answer in one line with what to do.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { BUILD_TIMEOUT_MS, buildCpython, describeRun, lastJson, py, pywasi, pywasiPython, releaseWasm } from './harness.ts';

const RUN_TIMEOUT_MS = 60_000;

/** json.loads("{bad")'s frame in json/decoder.py, as a traceback shows it under `file`. */
function tracebackFrame(run: { exitCode: number; stderr: string }, file: string) {
  const lines = run.stderr.split('\n');
  const at = lines.indexOf(`  File "${file}", line 353, in raw_decode`);
  return { exit: run.exitCode, frame: at >= 0, source: lines[at + 1], carets: lines[at + 2]?.trim().replace(/\^+/, '^') };
}

beforeAll(() => buildCpython(), BUILD_TIMEOUT_MS);

describe('python311.zip', () => {
  test('modules that were left out import and work, with the data files they read', async () => {
    const run = await pywasiPython([py('stdlib_full.py')], { timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: run.exitCode, detail: run.exitCode ? describeRun(run) : '' }).toEqual({ exit: 0, detail: '' });
    expect(lastJson(run)).toEqual({
      missing: [],
      loose: true,
      decimal: '3.3',
      pyio: 'abc',
      imghdr: 'png',
      mime: 'image/png',
      topics: true,
      lib2to3: "print('x')",
      css: true,
    });
  }, RUN_TIMEOUT_MS);

  test("the standard library is files by default: modules have real files and sources, and a traceback shows its lines", async () => {
    const code = [
      'import argparse, inspect, json, os, sys, imp',
      'print(json.dumps({"file": argparse.__file__, "cached": argparse.__cached__, "exists": os.path.isfile(argparse.__file__),',
      '  "stdlib_dir": sys._stdlib_dir, "source": inspect.getsource(json.dumps).splitlines()[0],',
      '  "found": imp.find_module("tokenize")[1]}))',
      'json.loads("{bad")',
    ].join('\n');
    const run = await pywasiPython(['-W', 'ignore::DeprecationWarning', '-c', code], { timeoutMs: RUN_TIMEOUT_MS });
    expect(lastJson(run)).toEqual({
      file: '/usr/local/lib/python3.11/argparse.py',
      cached: '/usr/local/lib/python3.11/__pycache__/argparse.cpython-311.pyc',
      exists: true,
      stdlib_dir: '/usr/local/lib/python3.11',
      source: 'def dumps(obj, *, skipkeys=False, ensure_ascii=True, check_circular=True,',
      found: '/usr/local/lib/python3.11/tokenize.py',
    });
    expect(tracebackFrame(run, '/usr/local/lib/python3.11/json/decoder.py')).toEqual({ exit: 1, frame: true, source: '    obj, end = self.scan_once(s, idx)', carets: '^' });
  }, RUN_TIMEOUT_MS);

  test("--stdlib-zip: the zip as it is, and a traceback's stdlib lines read from python311-src.zip", async () => {
    const run = await pywasiPython(['--stdlib-zip', '-c', 'import argparse; print(argparse.__file__); import json; json.loads("{bad")'], { timeoutMs: RUN_TIMEOUT_MS });
    expect(run.stdout.trim()).toBe('/usr/local/lib/python311.zip/argparse.pyc');
    expect(tracebackFrame(run, '/usr/local/lib/python311.zip/json/decoder.py')).toEqual({ exit: 1, frame: true, source: '    obj, end = self.scan_once(s, idx)', carets: '^' });
  }, RUN_TIMEOUT_MS);

  test('concurrent.futures exports what runs: from it import * works, and ProcessPoolExecutor says why it is not there', async () => {
    const code = [
      'from concurrent.futures import *',
      'print(ThreadPoolExecutor.__name__)',
      'try:',
      '    from concurrent.futures import ProcessPoolExecutor',
      'except ImportError as e:',
      '    print(e)',
    ].join('\n');
    const run = await pywasiPython(['-c', code], { timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: run.exitCode, out: run.stdout.trim().split('\n'), err: run.stderr }).toEqual({
      exit: 0,
      out: ['ThreadPoolExecutor', 'concurrent.futures.ProcessPoolExecutor needs processes, which WASI does not start (no _multiprocessing): ThreadPoolExecutor runs tasks in threads'],
      err: '',
    });
  }, RUN_TIMEOUT_MS);

  test('venv and ensurepip say in one line that pywasi pip installs packages, also run as plain python.wasm', async () => {
    for (const [module, what] of [['venv', 'has no virtual environments'], ['ensurepip', 'cannot run pip']] as const) {
      // `pywasi python -m` refuses them before python.wasm starts; run python.wasm itself to see its own answer.
      const run = await pywasi(['run', '-e', 'PYTHONHOME=/usr/local', '--dir', `${releaseWasm.replace(/python\.wasm$/, 'usr/local/lib')}:/usr/local/lib:ro`, '--', releaseWasm, '-m', module, 'x'], { timeoutMs: RUN_TIMEOUT_MS });
      expect({ exit: run.exitCode, stderr: run.stderr.trim().split('\n') }).toEqual({ exit: 1, stderr: [expect.stringMatching(new RegExp(`^python -m ${module}: python.wasm ${what}: .*pywasi pip install`))] });
    }
  }, RUN_TIMEOUT_MS);
});
