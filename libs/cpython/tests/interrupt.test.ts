// Ctrl-C in `pywasi python`: SIGINT, sent to the process group as a terminal sends it, raises
// KeyboardInterrupt in Python wherever the guest waits (py/interrupts.py), finally blocks and atexit
// run, an unhandled one ends pywasi by SIGINT as it ends python3, and a second one before Python
// took the first (a read of a stdin pipe, which nothing can wake) ends the run.
import { execa, type ResultPromise } from 'execa';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { BUILD_TIMEOUT_MS, buildCpython, cli, interruptEachWait, killGroup, py, workspaceRoot } from './harness.ts';

const RUN_TIMEOUT_MS = 60_000;

beforeAll(() => buildCpython(), BUILD_TIMEOUT_MS);

/** `pywasi python args` in a process group of its own, with its stdin a pipe we hold open. */
function start(args: string[]): ResultPromise<{ all: true; reject: false; detached: true }> {
  return execa(process.execPath, [cli, 'python', ...args], { cwd: workspaceRoot, env: {}, reject: false, detached: true, all: true });
}

describe('Ctrl-C raises KeyboardInterrupt in python.wasm', () => {
  test('a script: finally and atexit run, the traceback is printed, and pywasi dies of SIGINT as python3 does', async () => {
    const child = start([py('interrupts.py'), 'script']);
    interruptEachWait(child);
    const run = await child;
    expect({ signal: run.signal ?? run.exitCode, stdout: run.stdout.trim().split('\n') }).toEqual({ signal: 'SIGINT', stdout: ['waiting:loop', 'finally ran', 'atexit ran'] });
    expect(run.stderr.trim().split('\n').at(-1)).toBe('KeyboardInterrupt');
  }, RUN_TIMEOUT_MS);

  test('each blocking place is interruptible and the program goes on: a loop, time.sleep, accept, recv, select', async () => {
    const child = start([py('interrupts.py'), 'phases']);
    interruptEachWait(child);
    const run = await child;
    expect({ exit: run.exitCode, stderr: run.stderr }).toEqual({ exit: 0, stderr: '' });
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({ caught: ['loop', 'sleep', 'accept', 'recv', 'select'], after: 'after' });
  }, RUN_TIMEOUT_MS);

  test('--no-keyboard-interrupt: python on pywasi\'s own thread, and SIGINT ends the run at once (no finally)', async () => {
    const child = start(['--no-keyboard-interrupt', py('interrupts.py'), 'script']);
    interruptEachWait(child);
    const run = await child;
    expect({ signal: run.signal ?? run.exitCode, stdout: run.stdout.trim() }).toEqual({ signal: 'SIGINT', stdout: 'waiting:loop' });
  }, RUN_TIMEOUT_MS);

  test('input() from a pipe cannot be woken: a second SIGINT ends the run by SIGINT', async () => {
    const child = start([py('interrupts.py'), 'pipe']);
    let lines = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      lines += chunk.toString();
      if (lines.includes('waiting:input')) {
        lines = '';
        setTimeout(() => killGroup(child, 'SIGINT'), 300);
        setTimeout(() => killGroup(child, 'SIGINT'), 900);
      }
    });
    const run = await child;
    expect(run.signal ?? run.exitCode).toBe('SIGINT');
  }, RUN_TIMEOUT_MS);
});
