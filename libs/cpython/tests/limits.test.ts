// Limits for code nobody trusts, through `pywasi python` as a user gives them: --max-memory,
// --timeout, --max-fds and --net allow:. Each run that hits one ends with a line naming the flag
// and an exit code of its own (137, 124), or, for fds, with EMFILE in the guest (as ulimit -n).
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { BUILD_TIMEOUT_MS, buildCpython, describeRun, lastJson, py, pywasiPython } from './harness.ts';

const RUN_TIMEOUT_MS = 60_000;

beforeAll(() => buildCpython(), BUILD_TIMEOUT_MS);

describe('pywasi python limits', () => {
  test('--max-memory: allocations past it fail in Python, and the run exits with 137 naming the flag', async () => {
    const run = await pywasiPython(['--max-memory', '64', py('limits.py'), 'memory'], { timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: run.exitCode, detail: run.exitCode === 137 ? '' : describeRun(run) }).toEqual({ exit: 137, detail: '' });
    expect(run.stderr).toMatch(/MemoryError/);
    expect(run.stderr.trim().split('\n').at(-1)).toBe('pywasi python: the guest failed with its memory at --max-memory 64 MiB');
  }, RUN_TIMEOUT_MS);

  test('--timeout stops a guest that never ends: exit 124 and a line naming the flag', async () => {
    const run = await pywasiPython(['--timeout', '1.5', py('limits.py'), 'spin'], { timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: run.exitCode, stderr: run.stderr.trim() }).toEqual({ exit: 124, stderr: 'pywasi python: stopped: the run took longer than --timeout 1.5 s' });
  }, RUN_TIMEOUT_MS);

  test('--max-fds: fd numbers stay below it, then EMFILE', async () => {
    const run = await pywasiPython(['--max-fds', '32', py('limits.py'), 'fds'], { timeoutMs: RUN_TIMEOUT_MS });
    expect({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run) }).toEqual({ exit: 0, detail: '' });
    expect(lastJson(run)).toEqual({ opened: expect.any(Number), highest: 31, errno: 'EMFILE' });
  }, RUN_TIMEOUT_MS);

  describe('--net allow:', () => {
    let server: net.Server;
    let port = 0;
    beforeAll(async () => {
      server = net.createServer((c) => c.end());
      await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
      port = (server.address() as net.AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('reaches what is listed, and nothing else on the same host', async () => {
      const run = await pywasiPython(['--net', `allow:127.0.0.1:${port}`, py('limits.py'), 'connect', String(port)], { timeoutMs: RUN_TIMEOUT_MS });
      expect({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run) }).toEqual({ exit: 0, detail: '' });
      expect(lastJson(run)).toEqual({ '127.0.0.1': 'connected', '127.0.0.2': 'EACCES' });
    }, RUN_TIMEOUT_MS);

    test('a bad list is refused with the reason', async () => {
      const run = await pywasiPython(['--net', 'allow:host:99999', '-c', 'pass'], { timeoutMs: RUN_TIMEOUT_MS });
      expect(run.exitCode).not.toBe(0);
      expect(run.stderr).toMatch(/--net.*"host:99999": the port must be 1-65535/);
    }, RUN_TIMEOUT_MS);
  });
});
