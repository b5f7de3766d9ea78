// Python-level behaviour of the built python.wasm, through the real `pywasi` CLI. The Python side
// of each test is a script in ./py; native peers (HTTP client/server) are started here.
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execa, execaSync } from 'execa';
import { tryNx } from '../../../tools/testing/nx.ts';
import { runWasi } from '../../wasi-host/src/index.ts';
import {
  BUILD_TIMEOUT_MS,
  buildCpython,
  debugDistDir,
  describeRun,
  fixturesDir,
  lastJson,
  py,
  pywasi,
  pywasiPython,
  releaseWasm,
  workspaceRoot,
} from './harness.ts';

const RUN_TIMEOUT_MS = 120_000;
const timings: string[] = [];
function timed<T extends { seconds: number }>(label: string, run: T): T {
  timings.push(`${label.padEnd(44)} ${run.seconds.toFixed(2)} s`);
  return run;
}

let scratch = '';
beforeAll(async () => {
  await buildCpython();
  scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-pytests-'));
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  if (timings.length) process.stdout.write(`\npython.wasm tests, wall time per pywasi process:\n${timings.join('\n')}\n`);
});

describe('python.wasm standard library', () => {
  test(
    'imports json, re, hashlib (OpenSSL: SHA-3, PBKDF2, scrypt), hmac, ssl, zlib, bz2, lzma, sqlite3 (a file db, FTS5, JSON), uuid, decimal, datetime, asyncio, socket, select, selectors, http.server, urllib.request, xml.etree, email with known answers',
    async () => {
      const run = timed('stdlib imports and digests', await pywasiPython([py('stdlib_imports.py')], { timeoutMs: RUN_TIMEOUT_MS }));
      expect({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run) }).toEqual({ exit: 0, detail: '' });
      const report = lastJson<{ ok: string[]; platform: string }>(run);
      expect(report.platform).toBe('wasi');
    },
    RUN_TIMEOUT_MS,
  );

  test(
    'bz2 and lzma stream 50 MiB through a compressor and back, 1 MiB at a time, byte for byte',
    async () => {
      const run = timed('bz2 + lzma 50 MiB streams', await pywasiPython([py('compress_stream.py'), '50'], { timeoutMs: 4 * RUN_TIMEOUT_MS }));
      expect({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run) }).toEqual({ exit: 0, detail: '' });
      const reports = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { codec: string; in: number; out: number; packed: number; same: boolean; eof: boolean });
      expect(reports.map(({ codec, in: input, out, same, eof }) => ({ codec, input, out, same, eof }))).toEqual(
        ['bz2', 'lzma'].map((codec) => ({ codec, input: 50 << 20, out: 50 << 20, same: true, eof: true })),
      );
      for (const r of reports) expect(r.packed).toBeLessThan(r.in / 4);
    },
    4 * RUN_TIMEOUT_MS,
  );

  test(
    '--optimize (every function compiled by V8\'s optimising compiler first) computes the same answers',
    async () => {
      const code = 'import hashlib, json, re; print(json.dumps([sum(i * i for i in range(10**5)), hashlib.sha256(b"x" * 999).hexdigest()[:16], re.sub(r"(a+)", r"<\\1>", "caaab")]))';
      const plain = await pywasiPython(['-c', code], { timeoutMs: RUN_TIMEOUT_MS });
      const optimized = timed('--optimize', await pywasiPython(['--optimize', '-c', code], { timeoutMs: RUN_TIMEOUT_MS }));
      expect({ exit: optimized.exitCode, detail: optimized.exitCode === 0 ? '' : describeRun(optimized) }).toEqual({ exit: 0, detail: '' });
      expect(JSON.parse(optimized.stdout)).toEqual([333328333350000, '3256fefc87af01a4', 'c<aaa>b']);
      expect(optimized.stdout).toBe(plain.stdout);
    },
    2 * RUN_TIMEOUT_MS,
  );

  test(
    'time.sleep(0.2) takes about 200 ms',
    async () => {
      const run = timed('time.sleep(0.2) x3', await pywasiPython([py('sleep_timing.py')], { timeoutMs: RUN_TIMEOUT_MS }));
      expect(run.exitCode).toBe(0);
      const { sleeps } = lastJson<{ sleeps: { perf_counter: number; monotonic: number }[] }>(run);
      process.stdout.write(`time.sleep(0.2) measured: ${sleeps.map((s) => s.perf_counter.toFixed(3)).join(', ')} s\n`);
      for (const s of sleeps) {
        expect(s.perf_counter).toBeGreaterThanOrEqual(0.18); // how close to 0.2: bench/sleep-accuracy.ts
        expect(s.monotonic).toBeGreaterThanOrEqual(0.18);
      }
    },
    RUN_TIMEOUT_MS,
  );

  test(
    'PYTHONTRACEMALLOC=1 given with -e starts tracemalloc',
    async () => {
      const run = timed('PYTHONTRACEMALLOC=1', await pywasiPython(['-e', 'PYTHONTRACEMALLOC=1', py('tracemalloc_check.py')], { timeoutMs: RUN_TIMEOUT_MS }));
      expect({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run) }).toEqual({ exit: 0, detail: '' });
      expect(lastJson<{ tracing: boolean }>(run).tracing).toBe(true);
      const off = await pywasiPython(['-c', 'import tracemalloc; print(tracemalloc.is_tracing())'], { timeoutMs: RUN_TIMEOUT_MS });
      expect(off.stdout.trim()).toBe('False');
    },
    RUN_TIMEOUT_MS,
  );
});

describe('the start-up snapshot (made per installation at first use)', () => {
  const hashOf = async (args: string[], cacheDir?: string) => {
    const run = await pywasiPython([...args, '-c', 'print(hash("pywasi"))'], {
      timeoutMs: RUN_TIMEOUT_MS,
      ...(cacheDir ? { env: { PYWASI_CACHE_DIR: cacheDir } } : {}),
    });
    expect({ exit: run.exitCode, stderr: run.stderr }).toEqual({ exit: 0, stderr: '' });
    return run.stdout.trim();
  };

  test(
    'applies the run: argv, environment, cwd, sys.path with ./deps, -u',
    async () => {
      const dir = mkdtempSync(path.join(scratch, 'preinit-'));
      mkdirSync(path.join(dir, 'deps'));
      writeFileSync(path.join(dir, 'deps', 'depmod.py'), 'VALUE = 42\n');
      writeFileSync(path.join(dir, 'data.txt'), 'relative file\n');
      writeFileSync(
        path.join(dir, 'show.py'),
        [
          'import json, os, sys, depmod',
          'print(json.dumps({"argv": sys.argv[1:], "env": os.environ.get("PYWASI_TEST"), "cwd": os.getcwd(),',
          '  "data": open("data.txt").read(), "dep": depmod.VALUE, "write_through": sys.stdout.write_through,',
          '  "cwd_env_gone": "PYWASI_CWD" not in os.environ}))',
        ].join('\n'),
      );
      const run = await pywasiPython(['-e', 'PYWASI_TEST=from the run', '-u', 'show.py', 'a b', '-c'], { cwd: dir, timeoutMs: RUN_TIMEOUT_MS });
      expect({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run) }).toEqual({ exit: 0, detail: '' });
      expect(lastJson(run)).toEqual({
        argv: ['a b', '-c'],
        env: 'from the run',
        cwd: dir,
        data: 'relative file\n',
        dep: 42,
        write_through: true,
        cwd_env_gone: true,
      });
    },
    RUN_TIMEOUT_MS,
  );

  test(
    'each installation draws its own hash seed; runs of one installation share it; fresh starts draw one each',
    async () => {
      const first = mkdtempSync(path.join(scratch, 'cache-a-'));
      const second = mkdtempSync(path.join(scratch, 'cache-b-'));
      const a1 = await hashOf([], first);
      // The image, and the module it restores into (python-resumable.wasm without its data).
      const snapshots = readdirSync(path.join(first, 'snapshots')).sort();
      expect(snapshots.map((f) => path.extname(f))).toEqual(['.snapshot', '.wasm']);
      expect(await hashOf([], first)).toBe(a1);
      expect(await hashOf([], second)).not.toBe(a1);
      expect(await hashOf(['--no-preinit'], first)).not.toBe(await hashOf(['--no-preinit'], first));
      // A stale snapshot (another python build) is replaced, not used.
      const file = path.join(first, 'snapshots', snapshots[0]!);
      writeFileSync(file, 'not a snapshot');
      const a2 = await hashOf([], first);
      expect(a2).not.toBe(a1);
      expect(readFileSync(file).subarray(0, 8).toString()).toBe('WASISNAP');
    },
    RUN_TIMEOUT_MS,
  );

  test(
    'PYTHONHASHSEED starts python.wasm afresh and is honoured; a snapshot refuses it by name',
    async () => {
      const seeded = await hashOf(['-e', 'PYTHONHASHSEED=123']);
      expect(await hashOf(['-e', 'PYTHONHASHSEED=123'])).toBe(seeded);
      expect(await hashOf(['-e', 'PYTHONHASHSEED=124'])).not.toBe(seeded);
      // The snapshot itself, given PYTHONHASHSEED (what pywasi python never does): refused, exit 2.
      const cacheDir = mkdtempSync(path.join(scratch, 'cache-c-'));
      await hashOf([], cacheDir);
      const image = readdirSync(path.join(cacheDir, 'snapshots')).find((f) => f.endsWith('.snapshot'))!;
      const lib = path.join(path.dirname(releaseWasm), 'usr', 'local', 'lib');
      const out = path.join(cacheDir, 'out.txt');
      const fd = openSync(out, 'w');
      try {
        const code = await runWasi({
          // The module the snapshot restores into (python-resumable.wasm without its data).
          module: path.join(cacheDir, 'snapshots', image.replace(/\.snapshot$/, '.wasm')),
          args: ['python', '-c', 'print("ran")'],
          env: { PYTHONHOME: '/usr/local', PYTHONHASHSEED: '5' },
          dirs: [{ guest: '/usr/local/lib', host: lib, readOnly: true }],
          snapshot: { restore: path.join(cacheDir, 'snapshots', image) },
          stdin: 0,
          stdout: fd,
          stderr: fd,
        });
        expect(code).toBe(2);
      } finally {
        closeSync(fd);
      }
      expect(readFileSync(out, 'utf8')).toMatch(/PYTHONHASHSEED cannot be applied to this pre-initialised python\.wasm/);
    },
    RUN_TIMEOUT_MS,
  );
});

// The network tests (sockets, asyncio, http.server, urllib, UDP, server faults) are in
// network.test.ts, which runs them on pywasi and on WasmEdge.

describe('pure-Python packages', () => {
  /** Builds the fixture's wheel with the host's build tooling, or writes it directly. */
  async function buildWheel(source: string, out: string): Promise<string> {
    const pip = await execa('python3', ['-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '--no-index', '-w', out, source], { reject: false, all: true });
    if (pip.exitCode === 0 && readdirSync(out).some((f) => f.endsWith('.whl'))) return 'pip wheel';
    const made = await execa('python3', [py('make_wheel.py'), source, out], { reject: false, all: true });
    if (made.exitCode !== 0) throw new Error(`could not build the wheel:\npip wheel: ${String(pip.all).slice(-1500)}\nmake_wheel.py: ${String(made.all)}`);
    const why = String(pip.all).split('\n').find((l) => /invalid command|No module named|error:/i.test(l))?.trim() ?? `exit ${pip.exitCode}`;
    return `make_wheel.py (host pip wheel could not build it offline: ${why})`;
  }

  test(
    'a wheel built from a local source dir installs with `pywasi pip install --no-index --find-links` into ./deps and imports',
    async () => {
      const source = path.join(scratch, 'hello-pywasi');
      cpSync(path.join(fixturesDir, 'hello-pywasi'), source, { recursive: true }); // builds leave debris
      const wheels = path.join(scratch, 'wheels');
      mkdirSync(wheels, { recursive: true });
      const how = await buildWheel(source, wheels);
      process.stdout.write(`hello-pywasi wheel built with ${how}: ${readdirSync(wheels).join(', ')}\n`);

      const project = path.join(scratch, 'project');
      mkdirSync(project, { recursive: true });
      const install = timed('pywasi pip install', await pywasi(['pip', 'install', '--no-index', '--find-links', wheels, 'hello-pywasi'], { cwd: project, timeoutMs: RUN_TIMEOUT_MS }));
      expect({ exit: install.exitCode, detail: install.exitCode === 0 ? '' : describeRun(install) }).toEqual({ exit: 0, detail: '' });
      expect(existsSync(path.join(project, 'deps', 'hello_pywasi', '__init__.py'))).toBe(true);

      const run = timed('import from ./deps', await pywasiPython([py('import_wheel.py')], { cwd: project, timeoutMs: RUN_TIMEOUT_MS }));
      expect({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run) }).toEqual({ exit: 0, detail: '' });
      const report = lastJson<{ greeting: string; file: string; data: string }>(run);
      expect(report.greeting).toBe('hello, wasm, from hello_pywasi 0.1.0');
      expect(report.file).toBe(path.join(project, 'deps', 'hello_pywasi', '__init__.py'));
      expect(report.data).toBe('package data travels with the wheel');
    },
    RUN_TIMEOUT_MS,
  );
});

describe('debug build', () => {
  // The build itself is long when not cached (a second configure and compile of CPython).
  test(
    'nx build python --configuration=debug starts and sys.gettotalrefcount() works',
    async () => {
      if (process.env['PYWASI_TESTS_NO_BUILD'] !== '1') {
        const build = await tryNx(['build', 'python', '--configuration=debug']);
        if (!build.ok) throw new Error(`nx build python --configuration=debug failed:\n${build.output.slice(-4000)}`);
        timings.push(`${'nx build python -c debug'.padEnd(44)} ${build.seconds.toFixed(2)} s`);
      }
      const wasm = path.join(debugDistDir, 'python.wasm');
      if (process.env['PYWASI_TESTS_NO_BUILD'] === '1' && !existsSync(wasm)) {
        process.stdout.write(`debug build: ${wasm} is missing and PYWASI_TESTS_NO_BUILD=1, not checked\n`);
        return;
      }
      expect(existsSync(wasm)).toBe(true);
      // The debug configuration publishes python.wasm only; pair it with the release stdlib zip
      // (same source, same bytecode magic) unless it brings its own.
      let distDir = debugDistDir;
      if (!existsSync(path.join(debugDistDir, 'usr', 'local', 'lib', 'python311.zip'))) {
        distDir = path.join(scratch, 'python-debug');
        mkdirSync(path.join(distDir, 'usr', 'local'), { recursive: true });
        symlinkSync(wasm, path.join(distDir, 'python.wasm'));
        symlinkSync(path.join(path.dirname(releaseWasm), 'usr', 'local', 'lib'), path.join(distDir, 'usr', 'local', 'lib'));
      }
      const run = timed('debug python.wasm', await pywasiPython([py('debug_build.py')], { env: { PYWASI_PYTHON_DIR: distDir }, timeoutMs: RUN_TIMEOUT_MS }));
      expect({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run) }).toEqual({ exit: 0, detail: '' });
      const report = lastJson<{ totalrefcount: number; delta: number; Py_DEBUG: number }>(run);
      expect(report.totalrefcount).toBeGreaterThan(0);
      expect(report.delta).toBeGreaterThanOrEqual(1000);
    },
    BUILD_TIMEOUT_MS,
  );
});

// The host must work on the machine's Node 20 as well as on the workspace's Node 24 (which npm
// scripts, and so `npm test`, put first on PATH): run python.wasm on whichever one jest is not on. PYWASI_NODE=current keeps pywasi on the Node
// that started it instead of handing over to Node 24.
const otherNode = ['/usr/bin/node', '/usr/local/bin/node', path.join(workspaceRoot, 'node_modules/.bin/node')].find((candidate) => {
  if (!existsSync(candidate)) return false;
  const version = execaSync(candidate, ['-p', 'process.versions.node'], { reject: false }).stdout;
  return Boolean(version) && version.split('.')[0] !== process.versions.node.split('.')[0];
});
if (!otherNode) console.log(`no Node of another major than ${process.versions.node} on this machine: the cross-version check is skipped`);
describe('other Node versions', () => {
  (otherNode ? test : test.skip)(
    `python.wasm with sockets and sleep runs under ${otherNode ?? 'another Node'} too`,
    async () => {
      const script = 'import socket, sys, time; a, b = socket.socketpair(); a.sendall(b"x"); time.sleep(0.05); print(b.recv(1).decode(), sys.version_info[:2])';
      const run = await execa(otherNode!, [path.join(workspaceRoot, 'apps/cli/bin/pywasi.js'), 'python', '-c', script], {
        env: { PYWASI_NODE: 'current' },
        reject: false,
        timeout: RUN_TIMEOUT_MS,
      });
      expect({ exit: run.exitCode, stdout: run.stdout, stderr: run.stderr }).toEqual({ exit: 0, stdout: 'x (3, 11)', stderr: '' });
    },
    RUN_TIMEOUT_MS,
  );
});
