// runPython as a Node program uses it: source, scripts and modules with their arguments, output
// captured as text, exit codes, runs at once on one compiled Python, cancellation, and a sandbox
// that shows the guest only what the options give it.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { defaultBuild, loadPython, pythonBuildDir, pythonLayout, runPython, runsThreads, type Python, type RunPythonOptions } from '../src/index.ts';

/** Runs and returns the exit code with stdout and stderr as text. */
async function capture(options: RunPythonOptions): Promise<{ exitCode: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const { exitCode } = await runPython({ ...options, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { exitCode, out, err };
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-api-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('runPython', () => {
  test('code, with args as sys.argv[1:]', async () => {
    const r = await capture({ code: 'import sys; print(sys.argv[1:])', args: ['a', 'b c'] });
    expect(r).toEqual({ exitCode: 0, out: "['a', 'b c']\n", err: '' });
  }, 60_000);

  test('a script relative to cwd, with args; the guest starts in cwd', async () => {
    writeFileSync(path.join(scratch, 'hello.py'), 'import os, sys\nprint(os.getcwd() == sys.argv[1], sys.argv[2:])\n');
    const r = await capture({ file: 'hello.py', cwd: scratch, args: [scratch, 'x'] });
    expect(r).toEqual({ exitCode: 0, out: "True ['x']\n", err: '' });
  }, 60_000);

  test('a module, as python -m', async () => {
    const r = await capture({ module: 'calendar', args: ['2026', '12'] });
    expect(r.exitCode).toBe(0);
    expect(r.out).toContain('December 2026');
  }, 60_000);

  test('stderr as decoded text (UTF-8 cut between writes) and the exit code', async () => {
    const code = "import sys\nb = 'é€'.encode()\nfor i in range(len(b)):\n    sys.stderr.buffer.write(b[i:i+1]); sys.stderr.flush()\nsys.exit(3)";
    expect(await capture({ code })).toEqual({ exitCode: 3, out: '', err: 'é€' });
  }, 60_000);

  test('a Writable takes the bytes', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => void (chunks.push(chunk), done()) });
    const { exitCode } = await runPython({ code: 'print("to a stream")', stdout: sink });
    expect(exitCode).toBe(0);
    expect(Buffer.concat(chunks).toString()).toBe('to a stream\n');
  }, 60_000);

  test('the guest sees no host environment and no directory it was not given', async () => {
    const r = await capture({ code: `import os\nprint(os.environ.get('PATH'), os.path.exists(${JSON.stringify(scratch)}))` });
    expect(r.out).toBe('None False\n');
  }, 60_000);

  test("a Linux user's world: a fresh HOME per run, pwd and getpass, sys.executable, TZ with zone names", async () => {
    const code = [
      'import getpass, json, os, pathlib, pwd, sys, time',
      'home = pathlib.Path.home()',
      '(home / "mark").write_text("x")',
      'paris = time.strftime("%H:%M %Z", time.localtime(1774747800))', // 2026-03-29 01:30 UTC
      'import datetime, zoneinfo',
      'tokyo = str(datetime.datetime(2026, 7, 1, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")).utcoffset())',
      'print(json.dumps([str(home), sorted(os.listdir(home)), getpass.getuser(), pwd.getpwnam("user").pw_dir, sys.executable, paris, tokyo]))',
    ].join('\n');
    for (let i = 0; i < 2; i++) {
      const r = await capture({ code, env: { TZ: 'Europe/Paris' } });
      expect({ exitCode: r.exitCode, err: r.err }).toEqual({ exitCode: 0, err: '' });
      expect(JSON.parse(r.out)).toEqual(['/home/user', ['mark'], 'user', '/home/user', '/usr/local/bin/python3', '03:30 CEST', '9:00:00']);
    }
  }, 60_000);

  test('home: a host directory kept across runs', async () => {
    const home = mkdtempSync(path.join(scratch, 'home-'));
    const code = 'import pathlib; p = pathlib.Path.home() / "n"; n = int(p.read_text()) + 1 if p.exists() else 1; p.write_text(str(n)); print(n)';
    expect((await capture({ code, home })).out).toBe('1\n');
    expect((await capture({ code, home })).out).toBe('2\n');
  }, 60_000);

  test('interrupt() raises KeyboardInterrupt in the guest; a second one before Python took the first ends the run', async () => {
    let out = '';
    let run: ReturnType<typeof runPython> | null = null;
    const ready = new Promise<void>((resolve) => {
      run = runPython({
        // "ready" inside the try: the interrupt may come as soon as it is printed.
        code: 'import time\ntry:\n    print("ready", flush=True)\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    print("caught")',
        stdout: (t) => {
          out += t;
          if (out.includes('ready')) resolve();
        },
      });
    });
    await ready;
    expect(run!.interrupt()).toBe('delivered');
    expect(await run!).toEqual({ exitCode: 0 });
    expect(out).toBe('ready\ncaught\n');
    expect(run!.interrupt()).toBe('idle');
  }, 60_000);

  test("net: 'none' refuses a connect", async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const code = `import socket\ntry:\n    socket.create_connection(('127.0.0.1', ${port}))\nexcept PermissionError:\n    print('refused')`;
      expect((await capture({ code, net: 'none' })).out).toBe('refused\n');
    } finally {
      server.close();
    }
  }, 60_000);

  test('code and module together are refused before anything runs', async () => {
    await expect(runPython({ code: 'pass', module: 'this' })).rejects.toThrow('runPython: give one of code, file and module, not code and module');
  });
});

describe('a Python shared by runs', () => {
  let python: Python;
  beforeAll(async () => {
    python = await loadPython();
  });

  test('two runs at once', async () => {
    const [a, b] = await Promise.all([capture({ python, code: 'print(1 + 1)' }), capture({ python, code: 'print(2 + 2)' })]);
    expect([a.out, b.out]).toEqual(['2\n', '4\n']);
  }, 60_000);

  test('an AbortSignal ends a guest in `while True`', async () => {
    const controller = new AbortController();
    const run = runPython({ python, code: 'while True: pass', signal: controller.signal });
    setTimeout(() => controller.abort(), 500);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  }, 60_000);

  test('a directory without python.wasm is refused in one line', async () => {
    await expect(loadPython(scratch)).rejects.toThrow(`python.wasm not found at ${path.join(scratch, 'python.wasm')}`);
  });
});

describe('builds', () => {
  const threadInfo = async (options: RunPythonOptions) => (await capture({ ...options, code: 'import sys; print(sys.thread_info.name)' })).out.trim();
  // The threads build runs on Node 22 and newer (jest runs on the machine's Node 20 or npm's 24),
  // once `nx build python -c threads` has made it (libs/cpython/tests/threads.test.ts does).
  const threadsBuilt = existsSync(pythonLayout(pythonBuildDir('threads')).wasm);
  const threadsRun = runsThreads() && threadsBuilt;
  if (!threadsRun) console.log(`the threads build is not run here: ${threadsBuilt ? `Node ${process.versions.node} is older than 22` : 'it is not built (npx nx build python -c threads)'}`);

  test("build: 'no-threads' runs CPython without threads", async () => {
    expect(await threadInfo({ build: 'no-threads' })).toBe('pthread-stubs');
  }, 60_000);

  (threadsRun ? test : test.skip)("build: 'threads' runs CPython with pthreads, and a thread runs", async () => {
    const r = await capture({ build: 'threads', code: 'import sys, threading\nt = threading.Thread(target=print, args=("from a thread",)); t.start(); t.join()\nprint(sys.thread_info.name)' });
    expect(r).toEqual({ exitCode: 0, out: 'from a thread\npthread\n', err: '' });
  }, 60_000);

  test('a recorded run without a build named runs the build without threads, which a log can hold', async () => {
    const file = path.join(scratch, 'recorded.log');
    expect(await threadInfo({ record: { file } })).toBe('pthread-stubs');
    expect(existsSync(file)).toBe(true);
  }, 60_000);

  test('without a build named, the threads build on Node 22 and newer when it is built, else the one without threads', async () => {
    expect(defaultBuild()).toBe(threadsRun ? 'threads' : 'no-threads');
    expect(await threadInfo({})).toBe(threadsRun ? 'pthread' : 'pthread-stubs');
  }, 60_000);
});
