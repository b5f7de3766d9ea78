// `pywasi python` as a drop-in python3 at the terminal: arguments after -c, -m or the script are the
// program's, --dir takes relative paths, ./deps beside the script is found from anywhere, and the
// answers a user meets first (a missing script, -m pip, a thread, a refused connection) read as
// python3's or name the fix.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { BUILD_TIMEOUT_MS, buildCpython, cli, describeRun, pywasiPython } from './harness.ts';

const RUN_TIMEOUT_MS = 60_000;
let scratch = '';

beforeAll(async () => {
  await buildCpython();
  scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-cmdline-'));
}, BUILD_TIMEOUT_MS);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('pywasi python, as python3', () => {
  test("arguments after -m MODULE and -c CODE are the program's, --help included", async () => {
    const help = await pywasiPython(['-m', 'json.tool', '--help'], { timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: help.exitCode, head: help.stdout.split('\n')[0] }).toEqual({ exit: 0, head: expect.stringMatching(/^usage: python -m json.tool/) });
    const code = await pywasiPython(['-c', 'import sys; print(sys.argv)', '-h', '--net', 'x'], { timeoutMs: RUN_TIMEOUT_MS });
    expect(code.stdout).toBe("['-c', '-h', '--net', 'x']");
  }, RUN_TIMEOUT_MS);

  test('--dir with a relative host path shows it at its absolute path', async () => {
    mkdirSync(path.join(scratch, 'data'), { recursive: true });
    writeFileSync(path.join(scratch, 'data', 'f.txt'), 'x');
    const run = await pywasiPython(['--dir', './data', '-c', `import os; print(os.listdir(${JSON.stringify(path.join(scratch, 'data'))}))`], { cwd: scratch, timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: run.exitCode, out: run.stdout, detail: run.exitCode ? describeRun(run) : '' }).toEqual({ exit: 0, out: "['f.txt']", detail: '' });
  }, RUN_TIMEOUT_MS);

  test('./deps beside the script is on sys.path when run from elsewhere, before the current directory\'s', async () => {
    const proj = path.join(scratch, 'proj');
    mkdirSync(path.join(proj, 'deps'), { recursive: true });
    writeFileSync(path.join(proj, 'deps', 'projlib.py'), 'WHERE = "proj/deps"\n');
    writeFileSync(path.join(proj, 'main.py'), 'import projlib, sys\nprint(projlib.WHERE, sys.executable)\n');
    const run = await pywasiPython([path.join('proj', 'main.py')], { cwd: scratch, timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: run.exitCode, out: run.stdout, detail: run.exitCode ? describeRun(run) : '' }).toEqual({ exit: 0, out: 'proj/deps /usr/local/bin/python3', detail: '' });
  }, RUN_TIMEOUT_MS);

  test('sys.executable is python.wasm itself, read-only: platform.libc_ver() reads it', async () => {
    const code = [
      'import os, platform, sys',
      'with open(sys.executable, "rb") as f: print(f.read(4))',
      'print(os.path.isfile(sys.executable), platform.libc_ver())',
      'try: open(sys.executable, "ab")',
      'except OSError as e: print(type(e).__name__)',
    ].join('\n');
    const run = await pywasiPython(['-c', code], { timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: run.exitCode, out: run.stdout, detail: run.exitCode ? describeRun(run) : '' }).toEqual({
      exit: 0,
      out: "b'\\x00asm'\nTrue ('', '')\nOSError",
      detail: '',
    });
  }, RUN_TIMEOUT_MS);

  test('help into a pipe closed early (| head -1): no stack trace, exit 0', async () => {
    const run = await execa('sh', ['-c', `"$NODE" "$CLI" python --help | head -1`], { env: { NODE: process.execPath, CLI: cli, PATH: process.env['PATH'] ?? '' }, reject: false });
    expect({ out: run.stdout.split('\n')[0], err: run.stderr }).toEqual({ out: expect.stringMatching(/^Usage: pywasi python/), err: '' });
  }, RUN_TIMEOUT_MS);

  test('a missing script is reported as python3 reports it (errno 2), exit 2', async () => {
    const run = await pywasiPython(['nothere.py'], { cwd: scratch, timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: run.exitCode, err: run.stderr.trim() }).toEqual({ exit: 2, err: `/usr/local/bin/python3: can't open file '${path.join(scratch, 'nothere.py')}': [Errno 2] No such file or directory` });
  }, RUN_TIMEOUT_MS);

  test('-m pip and -m venv name pywasi pip', async () => {
    for (const module of ['pip', 'venv']) {
      const run = await pywasiPython(['-m', module, 'install', 'x'], { timeoutMs: RUN_TIMEOUT_MS });
      expect({ exit: run.exitCode, err: run.stderr }).toEqual({ exit: 1, err: expect.stringMatching(new RegExp(`^pywasi: python -m ${module} does not run inside python.wasm: .*pywasi pip install`)) });
    }
  }, RUN_TIMEOUT_MS);

  test('starting a thread in the build without threads says it has none', async () => {
    const run = await pywasiPython(['--no-threads', '-c', 'import threading; threading.Thread(target=print).start()'], { timeoutMs: RUN_TIMEOUT_MS });
    expect(run.stderr.trim().split('\n').at(-1)).toBe("RuntimeError: can't start new thread: this python.wasm is built without threads (the threads build has them: pywasi python --threads)");
  }, RUN_TIMEOUT_MS);

  test('a connection the policy refuses: PermissionError in Python, one host line naming the policy and the flag', async () => {
    const code = 'import socket\nfor i in range(2):\n    try:\n        socket.create_connection(("192.0.2.1", 80))\n    except PermissionError as e:\n        print("refused", e.errno)';
    const run = await pywasiPython(['-c', code], { timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: run.exitCode, out: run.stdout, err: run.stderr }).toEqual({
      exit: 0,
      out: 'refused 2\nrefused 2',
      err: "pywasi: the network policy (--net loopback) refused the guest's connect to 192.0.2.1:80; --net all or --net allow:HOST[:PORT] allows it",
    });
  }, RUN_TIMEOUT_MS);
});
