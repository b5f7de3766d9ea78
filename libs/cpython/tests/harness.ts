// Shared by the python.wasm suites: runs the real `pywasi` CLI (as a user would) and the native
// peers some tests need (ports, HTTP polling, stopping a guest server with its whole process group).
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { runNx, workspaceRoot } from '../../../tools/testing/nx.ts';

export { workspaceRoot };

export const cli = path.join(workspaceRoot, 'apps', 'cli', 'bin', 'pywasi.js');
export const pyDir = fileURLToPath(new URL('./py', import.meta.url));
export const fixturesDir = fileURLToPath(new URL('./fixtures', import.meta.url));
export const py = (name: string): string => path.join(pyDir, name);

/** Where `nx build python` publishes (cpython:build, python:build, stdlib-zip:build). */
export const releaseWasm = path.join(workspaceRoot, 'dist', 'python', 'python.wasm');
/** Where `nx build python --configuration=debug` publishes. */
export const debugDistDir = path.join(workspaceRoot, 'dist', 'python-debug');

/** The build is an Nx cache hit when nothing changed; a cold build takes many minutes. */
export const BUILD_TIMEOUT_MS = 60 * 60 * 1000;

let built: Promise<void> | undefined;
/** Builds python.wasm and the stdlib zip once per test file (Nx caches across runs). */
export function buildCpython(): Promise<void> {
  // PYWASI_TESTS_NO_BUILD=1 uses dist/python as it is (while someone else is rebuilding it).
  if (process.env['PYWASI_TESTS_NO_BUILD'] === '1') {
    return existsSync(releaseWasm) ? Promise.resolve() : Promise.reject(new Error(`${releaseWasm} is missing`));
  }
  built ??= runNx(['build', 'python']).then((run) => {
    process.stdout.write(`nx build python: ${run.seconds.toFixed(1)} s\n`);
    if (!existsSync(releaseWasm)) throw new Error(`nx build python succeeded but ${releaseWasm} is missing`);
  });
  return built;
}

export interface PywasiResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  seconds: number;
  timedOut: boolean;
}

export interface PywasiOptions {
  cwd?: string;
  /** Environment of the pywasi process itself (not the guest's; use -e for that). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Aborting it kills the whole process group (a caller that is itself interrupted). */
  signal?: AbortSignal;
}

/** Runs `pywasi ARGS` to completion; never throws for a non-zero exit. */
export function pywasi(args: string[], options: PywasiOptions = {}): Promise<PywasiResult> {
  return runGroup(process.execPath, [cli, ...args], { ...options, cwd: options.cwd ?? workspaceRoot, env: options.env ?? {} });
}

/** Runs a command in its own process group to completion (a timeout kills the whole group: pywasi
 * hands over to another Node); never throws for a non-zero exit. */
export async function runGroup(command: string, args: string[], options: PywasiOptions = {}): Promise<PywasiResult> {
  const started = Date.now();
  const child = execa(command, args, {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    reject: false,
    detached: true,
    stdin: 'ignore',
  });
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          killGroup(child, 'SIGKILL');
        }, options.timeoutMs);
  const abort = () => killGroup(child, 'SIGKILL');
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();
  const result = await child;
  if (timer) clearTimeout(timer);
  options.signal?.removeEventListener('abort', abort);
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    seconds: (Date.now() - started) / 1000,
    timedOut,
  };
}

/** `pywasi python ARGS`. */
export function pywasiPython(args: string[], options: PywasiOptions = {}): Promise<PywasiResult> {
  return pywasi(['python', ...args], options);
}

/** A message that shows what the guest said, for expectations on exit codes. */
export function describeRun(run: PywasiResult): string {
  return `exit ${run.exitCode}${run.timedOut ? ' (timed out)' : ''} after ${run.seconds.toFixed(2)} s\n--- stdout\n${run.stdout.slice(-6000)}\n--- stderr\n${run.stderr.slice(-6000)}`;
}

/** The last line of stdout that parses as JSON (the scripts report their findings that way). */
export function lastJson<T>(run: PywasiResult): T {
  const lines = run.stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (line.startsWith('{')) return JSON.parse(line) as T;
  }
  throw new Error(`no JSON report in the guest's output:\n${describeRun(run)}`);
}

/** Starts a long-running `pywasi` process (a guest server); stop it with stopGroup. */
export function startPywasi(args: string[], options: PywasiOptions = {}): ResultPromise {
  return execa(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? workspaceRoot,
    env: options.env ?? {},
    reject: false,
    detached: true,
    stdin: 'ignore',
    all: true,
  });
}

/**
 * pywasi on Node < 22 re-executes itself on the bundled Node 24 and waits for it, so signalling
 * only the first process would leave the guest running: signal the whole group.
 */
export function killGroup(child: { pid?: number | undefined }, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Sends SIGINT to the group each time the guest prints `waiting:<phase>` (once it has had time to
 * block there), `extra` more times after the last. */
export function interruptEachWait(child: ResultPromise, extraMs = 300): void {
  let seen = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    for (;;) {
      const at = seen.indexOf('waiting:');
      if (at < 0) break;
      const end = seen.indexOf('\n', at);
      if (end < 0) break;
      seen = seen.slice(end + 1);
      setTimeout(() => killGroup(child, 'SIGINT'), extraMs);
    }
  });
}

/** Asks the group to stop, then kills it if it has not after graceMs; resolves with its output. */
export async function stopGroup(child: ResultPromise, graceMs = 3000): Promise<string> {
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  const result = await child;
  clearTimeout(timer);
  return String(result.all ?? '');
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls url until it answers (any HTTP status) or timeoutMs passes; the exit of `child` ends it early. */
export async function waitForHttp(url: string, timeoutMs: number, child?: ResultPromise): Promise<void> {
  let exited = false;
  void child?.finally(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms${exited ? ' (the server exited)' : ''}: ${String(lastError)}`);
}
