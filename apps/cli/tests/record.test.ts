// `pywasi python --record`, `pywasi replay`, `pywasi trace` and `pywasi runs`, as a user types
// them: a script that reads a file, draws random numbers, sleeps and calls a native HTTP server is
// recorded; the server is stopped and the file deleted; the replay prints the same and exits the
// same. The run store lives in a scratch PYWASI_CACHE_DIR (so python's start-up snapshot is made
// there once, at the first run).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runNx, workspaceRoot } from '../../../tools/testing/nx.ts';
import { buildCpython } from '../../../libs/cpython/tests/harness.ts';
import { parseLog } from '@pywasi/host';

const cli = path.join(workspaceRoot, 'apps/cli/bin/pywasi.js');
const TIMEOUT_MS = 180_000;
let scratch = '';
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  await buildCpython();
  await runNx(['build', 'pywasi']);
  scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-record-cli-'));
  env = { ...process.env, PYWASI_CACHE_DIR: path.join(scratch, 'cache') };
  for (const name of ['PYWASI_PYTHON_DIR', 'PYWASI_FROM_SOURCES', 'NODE_OPTIONS']) delete env[name];
}, 60 * 60_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function pywasi(args: string[], cwd = scratch) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8', timeout: TIMEOUT_MS });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SCRIPT = `import random, sys, time, urllib.request
print(open('input.txt').read().strip())
print('random', random.getrandbits(64))
t0 = time.monotonic()
time.sleep(0.05)
print('slept', time.monotonic() - t0 >= 0.05)
with urllib.request.urlopen(sys.argv[1]) as r:
    print(r.status, r.read().decode().strip())
sys.exit(5)
`;

/** A native HTTP server answering one fixed body (no Date header: its bytes do not vary). */
async function server(): Promise<{ url: string; close: () => Promise<void> }> {
  const s = http.createServer((req, res) => {
    res.sendDate = false;
    res.setHeader('content-type', 'text/plain');
    res.end(`hello ${req.url}\n`);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/x?n=1`, close: () => new Promise((resolve) => s.close(() => resolve())) };
}

describe('pywasi python --record, replay, trace', () => {
  let dir = '';
  let first: ReturnType<typeof pywasi>;
  let port = '';
  const log = () => path.join(dir, 'run.log');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(scratch, 'run-'));
    writeFileSync(path.join(dir, 'script.py'), SCRIPT);
    writeFileSync(path.join(dir, 'input.txt'), 'the input file\n');
    const s = await server();
    port = new URL(s.url).port;
    // spawnSync would block the event loop that serves the HTTP server: the run goes async.
    first = await new Promise((resolve) => {
      const { spawn } = process.getBuiltinModule('node:child_process');
      const child = spawn(process.execPath, [cli, 'python', '--record=run.log', 'script.py', s.url], { cwd: dir, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    await s.close();
    rmSync(path.join(dir, 'input.txt'));
  }, TIMEOUT_MS);

  test('the recorded run ran; its log is the owner\'s alone', () => {
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^the input file\nrandom \d+\nslept True\n200 hello \/x\?n=1\n$/);
    expect(first.code).toBe(5);
    expect(statSync(log()).mode & 0o777).toBe(0o600);
  });

  test('the replay, with the server gone and the file deleted, prints the same and exits the same', () => {
    const r = pywasi(['replay', 'run.log'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(first.stdout);
    expect(r.code).toBe(5);
  });

  test('the run restored python\'s start-up snapshot: the log names it, and a replay from another snapshot is refused', () => {
    const { header } = parseLog(readFileSync(log()), 'run.log');
    expect(header.snapshot).toBeDefined();
    const snapshot = readFileSync(header.snapshot!.path);
    expect(createHash('sha256').update(snapshot).digest('hex')).toBe(header.snapshot!.sha256);
    snapshot[snapshot.length >> 1]! ^= 0x01;
    writeFileSync(path.join(dir, 'other.snapshot'), snapshot);
    const r = pywasi(['replay', '--snapshot', 'other.snapshot', 'run.log'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pywasi: replay: run\.log: the run restored a snapshot with sha256 [0-9a-f]{12}…; other\.snapshot is another \(sha256 [0-9a-f]{12}…\)\n$/);
    expect(r.stdout).toBe('');
  });

  test('a replay against another python.wasm is refused, naming it', () => {
    const r = pywasi(['replay', '--module', path.join(workspaceRoot, 'dist/python/python.wasm'), 'run.log'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pywasi: replay: run\.log was recorded with .*\.wasm \(sha256 [0-9a-f]{12}…\); .*dist\/python\/python\.wasm is another module \(sha256 [0-9a-f]{12}…\): replay it with the recorded one\n$/);
  });

  test('a corrupted log is refused with a clear error', () => {
    const bytes = readFileSync(log());
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    writeFileSync(path.join(dir, 'bad.log'), bytes);
    const r = pywasi(['replay', 'bad.log'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pywasi: replay: bad\.log: corrupted: the checksum of frame \d+ \(byte \d+\) does not match\n$/);
    expect(r.stdout).toBe('');
  });

  test('trace network shows the connection, the bytes and the close; trace http the exchange (fds and port normalised)', () => {
    const r = pywasi(['trace', 'run.log', 'network', '--no-times'], dir);
    expect(r.code).toBe(0);
    const fd = /sock_open\(INET, STREAM\) = 0 → fd (\d+)/.exec(r.stdout)?.[1];
    expect(fd).toBeDefined();
    const normalised = r.stdout
      .split('\n')
      .slice(1) // the run's header line
      .map((l) => l.replace(/^ *\d+ /, '').replaceAll(`:${port}`, ':PORT').replace(new RegExp(`(\\(|fd )${fd}\\b`, 'g'), '$1FD'))
      .join('\n');
    expect(normalised).toBe(
      [
        'sock_open(INET, STREAM) = 0 → fd FD',
        'sock_connect(FD, 127.0.0.1:PORT) = 0',
        'sock_setsockopt(FD, IPPROTO_TCP, 15, 1) = 0', // TCP_NODELAY
        `sock_send(FD, "GET /x?n=1 HTTP/1.1\\r\\nAccept-Encoding: identity\\r\\n"...) = 0 → ${'GET /x?n=1 HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: 127.0.0.1:PORT\r\nUser-Agent: Python-urllib/3.11\r\nConnection: close\r\n\r\n'.replace('PORT', port).length} bytes`,
        'sock_recv(FD) = 0 → 97 bytes "HTTP/1.1 200 OK\\r\\ncontent-type: text/plain\\r\\nConne"...',
        'fd_close(FD) = 0',
        '+++ exited with 5 +++',
        '',
      ].join('\n'),
    );
    const httpTrace = pywasi(['trace', 'run.log', 'http'], dir);
    expect(httpTrace.stdout.split('\n').slice(1).join('\n').replaceAll(port, 'PORT').replace(/fd \d+/, 'fd FD')).toBe(
      [
        'connection fd FD to 127.0.0.1:PORT: 124 bytes sent, 97 received',
        '  > GET /x?n=1 HTTP/1.1',
        '  > Accept-Encoding: identity',
        '  > Host: 127.0.0.1:PORT',
        '  > User-Agent: Python-urllib/3.11',
        '  > Connection: close',
        '  > [no body]',
        '  < HTTP/1.1 200 OK',
        '  < content-type: text/plain',
        '  < Connection: close',
        '  < Content-Length: 13',
        '  < [body: 13 bytes "hello /x?n=1\\n"]',
        '',
      ].join('\n'),
    );
    const json = pywasi(['trace', 'run.log', '--format', 'json'], dir);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'run', args: ['/usr/local/bin/python3', path.join(dir, 'script.py'), expect.stringMatching(/^http:/)] });
    expect(lines.find((l) => l['call'] === 'sock_connect')).toMatchObject({ args: `${fd}, 127.0.0.1:${port}`, result: '0' });
    expect(lines.at(-1)).toEqual({ type: 'exit', code: 5 });
  });
});

describe('--trace', () => {
  test('prints the run\'s calls on stderr when it ends, and keeps no log', () => {
    const dir = mkdtempSync(path.join(scratch, 'trace-'));
    const r = pywasi(['python', '--trace', '-c', 'print("traced")'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('traced\n');
    expect(r.stderr).toMatch(/^# "\/usr\/local\/bin\/python3" "-c" "print\(\\"traced\\"\)" {2}\(module /);
    expect(r.stderr).toMatch(/\n +\d+ +[\d.]+ fd_write\(1, "traced\\n"\) = 0 → 7 bytes <[\d.]+>\n/);
    expect(r.stderr).toMatch(/\n\+\+\+ exited with 0 \+\+\+\n$/);
    expect(readdirSync(dir)).toEqual([]);
    const bad = pywasi(['python', '--trace=files', '-c', 'pass'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/option '--trace \[what\]' argument 'files' is invalid\. expected network or http, got 'files'/);
  }, TIMEOUT_MS);
});

describe('a recording cut off by a kill', () => {
  test('replays up to its last whole batch, then stops saying where', async () => {
    const dir = mkdtempSync(path.join(scratch, 'killed-'));
    // Batches are written before a sleep once a second has passed since the last: a run killed
    // after some seconds leaves whole batches behind.
    const { spawn } = process.getBuiltinModule('node:child_process');
    const child = spawn(process.execPath, [cli, 'python', '--record=run.log', '-c', 'import time\nfor i in range(1000):\n    print("line", i, flush=True)\n    time.sleep(0.1)'], { cwd: dir, env, detached: true });
    let stdout = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d;
        if (/line 30\n/.test(stdout)) {
          // The whole group: pywasi's bin runs the CLI in a Node of its own.
          process.kill(-child.pid!, 'SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.on('close', resolve));
    const r = pywasi(['replay', 'run.log'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pywasi: replay: run\.log: replayed \d+ calls, up to where the log stops: the log has no end frame \(the recording was stopped before the run ended\): it holds records 0 to \d+\. The guest went on with \w+\(.*\)\n$/);
    // What was replayed is what the run printed, up to where its log stops.
    expect(r.stdout).toMatch(/^line 0\nline 1\n(line \d+\n)*$/);
    expect(stdout.startsWith(r.stdout)).toBe(true);
  }, TIMEOUT_MS);
});

describe('the run store', () => {
  test('--record without a file keeps the run in the store: runs lists it, replay and trace take its id, runs export makes it one file, runs rm removes it', () => {
    const run = pywasi(['python', '--record', '-c', 'import random; print("stored", random.random())']);
    expect(run.code).toBe(0);
    const id = /^pywasi: run recorded as ([0-9a-f]{16}) \(pywasi replay \1, pywasi trace \1\)\n$/.exec(run.stderr)?.[1];
    expect(id).toBeDefined();
    const list = pywasi(['runs']);
    expect(list.stdout).toMatch(new RegExp(`^${id} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +0 +[\\d.]+ (B|KiB) +/usr/local/bin/python3 -c import random; print\\("stored", random.random\\(\\)\\)$`, 'm'));
    const replay = pywasi(['replay', id!.slice(0, 8)]);
    expect(replay.stdout).toBe(run.stdout);
    expect(replay.code).toBe(0);
    expect(pywasi(['trace', id!]).stdout).toMatch(/fd_write\(1, "stored 0\.\d+\\n"\) = 0 → \d+ bytes/);
    // `--record script.py`: the script is python's, not the log's file.
    writeFileSync(path.join(scratch, 'hello.py'), 'print("hello from a script")\n');
    const script = pywasi(['python', '--record', 'hello.py']);
    expect(script.stdout).toBe('hello from a script\n');
    expect(script.stderr).toMatch(/^pywasi: run recorded as [0-9a-f]{16} /);
    // Exported: one file that replays where neither the store nor the module and snapshot are.
    const exported = path.join(scratch, 'exported.log');
    expect(pywasi(['runs', 'export', id!, exported]).code).toBe(0);
    expect(statSync(exported).mode & 0o777).toBe(0o600);
    const rm = pywasi(['runs', 'rm', id!]);
    expect(rm.stdout).toBe('removed 1 run\n');
    expect(pywasi(['runs']).stdout).not.toContain(id!);
    const gone = pywasi(['replay', id!]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`pywasi: replay: no run log at ${id}, and no stored run with that id (\`pywasi runs\` lists them)\n`);
    renameSync(env['PYWASI_CACHE_DIR']!, `${env['PYWASI_CACHE_DIR']}-elsewhere`);
    try {
      const elsewhere = pywasi(['replay', exported]);
      expect(elsewhere.stderr).toBe('');
      expect(elsewhere.stdout).toBe(run.stdout);
    } finally {
      // What the replay made in the empty cache (pywasi's own compile cache) goes.
      rmSync(env['PYWASI_CACHE_DIR']!, { recursive: true, force: true });
      renameSync(`${env['PYWASI_CACHE_DIR']}-elsewhere`, env['PYWASI_CACHE_DIR']!);
    }
  }, 2 * TIMEOUT_MS);
});
