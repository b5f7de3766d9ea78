// whole-suite.ts's results on their own (no build): how a regrtest run is classified, the figure,
// the comparison with the committed results, the file formats, and which files and Nx command
// belong to a build.
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { workspaceRoot } from './harness.ts';
import type { TestCaseResult } from './regrtest.ts';
import {
  classifyRun,
  compareWithBaseline,
  computeFigure,
  countClasses,
  formatNativeResults,
  formatResults,
  mergeResults,
  nativeResultsOf,
  reusableNative,
  type ModuleEntry,
  type RunOutput,
  type SideResult,
  type SuiteResults,
} from './whole-suite-results.ts';
import { suiteBuild, type SuiteBuild } from './whole-suite-build.ts';

const header = '0:00:00 Run tests sequentially\n0:00:00 [1/1] test_x\n';
const run = (stdout: string, exitCode: number, extra: Partial<RunOutput> = {}): RunOutput => ({ exitCode, timedOut: false, stdout, stderr: '', seconds: 1.23, ...extra });
const pass = (id: string): TestCaseResult => ({ id, outcome: 'pass', message: '' });
const skip = (id: string, message: string): TestCaseResult => ({ id, outcome: 'skip', message });

describe('classifyRun', () => {
  test('a success with tests run is a pass, with its junit counts', () => {
    const r = classifyRun('test_x', run(`${header}\n== Tests result: SUCCESS ==\n\n1 test OK.\n\nTotal duration: 1 sec\nTests result: SUCCESS\n`, 0), [pass('test.test_x.A.a'), skip('test.test_x.A.b', 'no')], 600);
    expect(r).toEqual({ class: 'passed', verdict: 'passed', seconds: 1.2, exitCode: 0, tests: { ran: 1, failed: 0, skipped: 1 } });
  });

  test('"env changed" stays a pass (regrtest calls it a success without --fail-env-changed), and says so', () => {
    const out = `${header}Warning -- files was modified by test_x\ntest_x failed (env changed)\n\n== Tests result: SUCCESS ==\n\n1 test altered the execution environment:\n    test_x\nTests result: SUCCESS\n`;
    const r = classifyRun('test_x', run(out, 0), [pass('a')], 600);
    expect(r.class).toBe('passed');
    expect(r.verdict).toMatch(/env changed/);
  });

  test('a module that skips itself is skipped, with its reason', () => {
    const out = `${header}test_x skipped -- test module requires subprocess\n\n== Tests result: SUCCESS ==\n\n1 test skipped:\n    test_x\nTests result: SUCCESS\n`;
    expect(classifyRun('test_x', run(out, 0), [], 600)).toMatchObject({ class: 'skipped', verdict: 'test module requires subprocess' });
  });

  test('a success in which every test skipped is no pass', () => {
    const out = `${header}\n== Tests result: SUCCESS ==\n\n1 test OK.\nTests result: SUCCESS\n`;
    expect(classifyRun('test_x', run(out, 0), [skip('a', 'requires OS X'), skip('b', 'requires OS X')], 600)).toMatchObject({
      class: 'skipped',
      verdict: 'all 2 tests skipped; first: requires OS X',
    });
  });

  test('a module that ran no tests is skipped', () => {
    const out = `${header}\n== Tests result: NO TEST RUN ==\n\n1 test run no tests:\n    test_x\nTests result: NO TEST RUN\n`;
    expect(classifyRun('test_x', run(out, 0), [], 600)).toMatchObject({ class: 'skipped', verdict: 'ran no tests' });
  });

  test('a failure names how many tests failed and the first', () => {
    const out = `${header}test test_x failed\n\n== Tests result: FAILURE ==\n\n1 test failed:\n    test_x\nTests result: FAILURE\n`;
    const cases: TestCaseResult[] = [pass('test.test_x.A.a'), { id: 'test.test_x.A.b', outcome: 'error', message: "RuntimeError: can't start new thread" }];
    expect(classifyRun('test_x', run(out, 2), cases, 600)).toMatchObject({
      class: 'failed',
      verdict: "1 of 2 tests failed; first: test_x.A.b: RuntimeError: can't start new thread",
      tests: { ran: 2, failed: 1, skipped: 0 },
    });
  });

  test('an exception escaping the module is a failure that names it', () => {
    const stderr = 'test test_x crashed -- Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nModuleNotFoundError: No module named \'_foo\'\n\n';
    const out = `${header}\n== Tests result: FAILURE ==\nTests result: FAILURE\n`;
    expect(classifyRun('test_x', run(out, 2, { stderr }), [], 600)).toMatchObject({ class: 'failed', verdict: "uncaught exception: ModuleNotFoundError: No module named '_foo'" });
  });

  test('a package whose submodule fails to import names that submodule and the error', () => {
    const stderr =
      'Failed to import test module: test.test_x.test_y\nTraceback (most recent call last):\n  File "y.py", line 27, in <module>\n    import tty\nModuleNotFoundError: No module named \'tty\'\n\n' +
      'test test_x crashed -- Traceback (most recent call last):\n  File "runtest.py", line 275, in _test_module\nException: errors while loading tests\n\n';
    const out = `${header}\n== Tests result: FAILURE ==\nTests result: FAILURE\n`;
    expect(classifyRun('test_x', run(out, 2, { stderr }), [], 600).verdict).toBe("uncaught exception: test.test_x.test_y: ModuleNotFoundError: No module named 'tty'");
  });

  test('killed at the time limit is timed out, whatever was printed', () => {
    expect(classifyRun('test_x', run(header, -1, { timedOut: true }), [], 300)).toMatchObject({ class: 'timed out', verdict: 'still running after 300 s, killed' });
  });

  test('no regrtest result is a crash, with the last words', () => {
    expect(classifyRun('test_x', run(header, 134, { stderr: 'Fatal Python error: Segmentation fault\n' }), [], 600)).toMatchObject({
      class: 'crashed',
      verdict: 'exit 134 without a regrtest result: Fatal Python error: Segmentation fault',
    });
  });

  test('a success followed by a bad exit code is a crash (the interpreter died at exit)', () => {
    const out = `${header}\n== Tests result: SUCCESS ==\n\n1 test OK.\nTests result: SUCCESS\n`;
    expect(classifyRun('test_x', run(out, 1, { stderr: 'RuntimeError: unreachable\n' }), [pass('a')], 600)).toMatchObject({ class: 'crashed' });
  });
});

const side = (c: SideResult['class'], ran = 10): SideResult => ({ class: c, verdict: c, seconds: 1, exitCode: c === 'passed' ? 0 : 2, tests: { ran, failed: 0, skipped: 0 } });
const entry = (native: SideResult['class'], wasm: SideResult['class'], ran = 10): ModuleEntry => ({ native: side(native), wasm: side(wasm, ran) });

describe('figure and comparison', () => {
  const modules = { test_a: entry('passed', 'passed'), test_b: entry('passed', 'failed'), test_c: entry('skipped', 'passed'), test_d: entry('passed', 'timed out') };

  test('the figure counts only the modules native python passes', () => {
    expect(computeFigure(modules)).toEqual({ passing: 1, of: 3, percent: 33.3 });
    expect(countClasses(modules, 'wasm')).toEqual({ passed: 2, failed: 1, skipped: 0, 'timed out': 1, crashed: 0 });
  });

  test('a module that passed in python.wasm and no longer does is a regression; the reverse a new pass', () => {
    const now = { test_a: entry('passed', 'failed'), test_b: entry('passed', 'passed'), test_c: entry('passed', 'passed', 4), test_e: entry('passed', 'passed') };
    const before = { ...modules, test_c: entry('skipped', 'passed', 10) };
    const comparison = compareWithBaseline(before, now);
    expect(comparison.regressed.map((c) => c.module)).toEqual(['test_a']);
    expect(comparison.newPasses.map((c) => c.module)).toEqual(['test_b']);
    expect(comparison.fewerTests.map((c) => c.module)).toEqual(['test_c']);
    expect(comparison.nativeChanged.map((c) => c.module)).toEqual(['test_c']);
    expect(comparison.notInBaseline).toEqual(['test_e']);
  });

  const results = (over: Partial<SuiteResults> = {}): SuiteResults => ({
    date: '2025-01-01T00:00:00.000Z',
    command: 'x',
    machine: {},
    commit: 'abc',
    timeLimitSeconds: 600,
    native: { python: '/usr/bin/python3.11', version: '3.11.2 (main)', testsSha256: 'f00', harnessSha256: 'ba7', machine: 'Debian 12; 2 cores' },
    wasm: { pythonWasmSha256: 'ba5' },
    complete: true,
    figure: computeFigure(modules),
    modules,
    ...over,
  });

  test('native results are reused only for the same python, tests, harness, machine and time limit', () => {
    const native = nativeResultsOf(results());
    const identity = native.native;
    expect(reusableNative(native, identity, 600).get('test_b')?.class).toBe('passed');
    expect(reusableNative(native, { ...identity, testsSha256: 'other' }, 600).size).toBe(0);
    expect(reusableNative(native, { ...identity, version: '3.11.9' }, 600).size).toBe(0);
    expect(reusableNative(native, { ...identity, harnessSha256: 'changed' }, 600).size).toBe(0);
    expect(reusableNative(native, { ...identity, machine: 'another' }, 600).size).toBe(0);
    expect(reusableNative(native, identity, 300).size).toBe(0);
    expect(reusableNative(undefined, identity, 600).size).toBe(0);
  });

  test('the native side of a run, kept on its own, reads back as the same results', () => {
    const native = nativeResultsOf(results());
    expect(Object.keys(native.modules)).toEqual(Object.keys(modules));
    expect(native.modules['test_c']).toEqual(modules.test_c.native);
    const text = formatNativeResults(native);
    expect(JSON.parse(text)).toEqual(native);
    expect(text.split('\n').filter((l) => l.startsWith('    "test_')).length).toBe(Object.keys(modules).length);
  });

  test('a partial run merged in replaces its modules, marks who measured them, and counts the figure again', () => {
    const later = { date: '2025-02-01T00:00:00.000Z', commit: 'def', pythonWasmSha256: 'new', command: 'whole-suite.ts --merge test_b' };
    const merged = mergeResults(results(), { test_b: entry('passed', 'passed') }, later);
    expect(merged.figure).toEqual({ passing: 2, of: 3, percent: 66.7 });
    expect(merged.modules['test_b']).toEqual({ ...entry('passed', 'passed'), measured: { date: later.date, commit: 'def', pythonWasmSha256: 'new' } });
    expect(merged.modules['test_a']).toEqual(modules.test_a);
    expect({ date: merged.date, commit: merged.commit, wasm: merged.wasm }).toEqual({ date: '2025-01-01T00:00:00.000Z', commit: 'abc', wasm: { pythonWasmSha256: 'ba5' } });
    const again = mergeResults(JSON.parse(formatResults(merged)) as SuiteResults, { test_d: entry('passed', 'passed') }, { ...later, commit: 'ghi' });
    expect(again.merged?.map((m) => [m.commit, m.modules])).toEqual([['def', ['test_b']], ['ghi', ['test_d']]]);
    expect(again.figure).toEqual({ passing: 3, of: 3, percent: 100 });
  });

  test('the results file is JSON with one line per module, in name order', () => {
    const text = formatResults(results({ modules: { test_b: entry('passed', 'failed'), test_a: entry('passed', 'passed') } }));
    expect(JSON.parse(text).modules.test_b.wasm.class).toBe('failed');
    const moduleLines = text.split('\n').filter((l) => l.startsWith('    "test_'));
    expect(moduleLines.map((l) => l.trim().slice(1, 7))).toEqual(['test_a', 'test_b']);
  });
});

describe('suiteBuild', () => {
  const relative = (b: SuiteBuild) => ({ ...b, wasm: path.relative(workspaceRoot, b.wasm), baselineFile: path.basename(b.baselineFile), runFile: path.relative(workspaceRoot, b.runFile), wasmLogDir: path.relative(workspaceRoot, b.wasmLogDir) });

  test('the default build is dist/python, made by `nx build python`, with the suite\'s original files', () => {
    expect(relative(suiteBuild('default'))).toEqual({
      name: 'default',
      wasm: 'dist/python/python.wasm',
      nxBuild: ['build', 'python'],
      cliArgs: ['--build', 'default'],
      sourceVariant: undefined,
      sourceNx: ['run', 'cpython-source:source'],
      baselineFile: 'whole-suite-results.json',
      runFile: 'build/cpython-tests/whole-suite-results.json',
      wasmLogDir: 'build/cpython-tests/whole-suite/wasm',
    });
  });

  test('a configuration of python:build is built with -c, runs the tests of the source variant of its name, and has files of its own', () => {
    expect(relative(suiteBuild('threads'))).toEqual({
      name: 'threads',
      wasm: 'dist/python-threads/python.wasm',
      nxBuild: ['build', 'python', '--configuration=threads'],
      cliArgs: ['--build', 'threads'],
      sourceVariant: 'threads',
      sourceNx: ['run', 'cpython-source:source:threads'],
      baselineFile: 'whole-suite-results-threads.json',
      runFile: 'build/cpython-tests/whole-suite-results-threads.json',
      wasmLogDir: 'build/cpython-tests/whole-suite/wasm-threads',
    });
  });

  test('another name is a project of its own, python-NAME; a bad name is refused', () => {
    expect(suiteBuild('full')).toMatchObject({ nxBuild: ['build', 'python-full'], sourceVariant: undefined });
    expect(() => suiteBuild('../x')).toThrow('"../x" is not a build name');
  });
});
