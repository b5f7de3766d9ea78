// The standard library python.wasm ships (libs/stdlib-zip): all of 3.11's but what cannot run on
// WASI, deprecated modules included, with its sources beside it for tracebacks; venv and ensurepip
// answer in one line with what to do.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { BUILD_TIMEOUT_MS, buildCpython, describeRun, lastJson, py, pywasi, pywasiPython, releaseWasm } from './harness.ts';

const RUN_TIMEOUT_MS = 60_000;

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

  test("a traceback shows the standard library's source lines, read from python311-src.zip, as a native one does", async () => {
    const run = await pywasiPython(['-c', 'import json; json.loads("{bad")'], { timeoutMs: RUN_TIMEOUT_MS });
    const lines = run.stderr.split('\n');
    const at = lines.indexOf('  File "/usr/local/lib/python311.zip/json/decoder.py", line 353, in raw_decode');
    expect({ exit: run.exitCode, frame: at >= 0, source: lines[at + 1], carets: lines[at + 2]?.trim().replace(/\^+/, '^') }).toEqual({
      exit: 1,
      frame: true,
      source: '    obj, end = self.scan_once(s, idx)',
      carets: '^',
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
