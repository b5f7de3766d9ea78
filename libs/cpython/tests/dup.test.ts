// dup in python.wasm: os.dup, os.dup2 and the socket module's duplicates on files, stdout and
// sockets (TCP listening and connected, UDP, UNIX), and Flask's development server (app.run(), which
// hands its listening socket to werkzeug's server class through socket.fromfd) answering a native
// client. The host's side is in libs/wasi-host/tests/dup.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { debianPythonPackages } from '../../../tools/testing/debian-python.ts';
import { BUILD_TIMEOUT_MS, buildCpython, describeRun, freePort, lastJson, py, pywasiPython, startPywasi, stopGroup, waitForHttp } from './harness.ts';

const RUN_TIMEOUT_MS = 60_000;

beforeAll(() => buildCpython(), BUILD_TIMEOUT_MS);

describe('dup in python.wasm', () => {
  test('os.dup, os.dup2, socket.fromfd, socket.dup and socket.socket(fileno=) share the open file description', async () => {
    const run = await pywasiPython([py('dup_fds.py')], { timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run) }).toEqual({ exit: 0, detail: '' });
    expect(run.stdout).toContain('written through os.dup(1)\n');
    expect(lastJson(run)).toEqual({
      file: { first: 'hello', offset: 5, rest: ' world', dup2: 40, inheritable: expect.any(Boolean) },
      tcp: { got: 'ping', back: 'pong', blocking_seen_by_original: false, fileno_family: 'AF_INET', fileno_peer_port: true, after_original_closed: 'after close' },
      udp: 'datagram',
      unix: 'unix',
    });
  }, RUN_TIMEOUT_MS);
});

describe("Flask's development server (Debian's python3-flask stack in ./deps)", () => {
  let cwd = '';
  beforeAll(async () => {
    cwd = mkdtempSync(path.join(tmpdir(), 'pywasi-flask-'));
    await debianPythonPackages(
      ['python3-flask', 'python3-werkzeug', 'python3-jinja2', 'python3-markupsafe', 'python3-itsdangerous', 'python3-click'],
      path.join(cwd, 'deps'),
    );
  }, 5 * 60_000);
  afterAll(() => {
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  test('app.run() serves GET and POST to a native client', async () => {
    const port = await freePort();
    const server = startPywasi(['python', py('flask_app_run.py'), String(port)], { cwd });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/`, RUN_TIMEOUT_MS, server);
      const get = await fetch(`http://127.0.0.1:${port}/`);
      const post = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: 'from a native client' });
      expect({ get: [get.status, await get.text()], post: [post.status, await post.text()] }).toEqual({
        get: [200, 'hello from flask in python.wasm'],
        post: [200, 'echo: from a native client'],
      });
    } finally {
      const output = await stopGroup(server);
      expect(output).not.toMatch(/Traceback/);
    }
  }, 2 * RUN_TIMEOUT_MS);
});
