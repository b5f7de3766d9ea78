// A guest on the calling thread (runWasi's `thread: 'caller'`): nothing to start before the guest
// runs but the module itself. The thread stays blocked until the guest exits; sockets and the line
// editor are served by a worker started at the guest's first request for them (service-thread.ts).
// Ctrl-C interrupts the guest wherever it is through vm's breakOnSigint: a watchdog thread has V8
// terminate the running code, WebAssembly and Atomics.wait included.
import { isatty } from 'node:tty';
import * as vm from 'node:vm';
import { suspendSignalCleanup } from './fs/private-tmp.ts';
import { timeLimitError, WasiInterruptedError, WasiLimitError, WasiTrapError } from './guest-errors.ts';
import { runGuest } from './run-guest.ts';
import type { PreparedRun } from './run-wasi.ts';
import type { ThreadEntry } from './guest-thread.ts';
import { ServiceThread } from './service-thread.ts';

const START = Symbol.for('pywasi.callerThread.start');
const enterScript = new vm.Script(`globalThis[Symbol.for('pywasi.callerThread.start')]()`, { filename: 'pywasi-guest-start' });
/** The global the script sees: Node's main context, which is not ours when we run in a vm context
 * ourselves (a test runner's). */
let scriptGlobal: Record<symbol, unknown> | null = null;

/** Calls `start` where SIGINT ends it with a WasiInterruptedError, and `timeoutMs` (if any) with a
 * WasiLimitError. */
function enterInterruptibly(start: () => void, timeoutMs: number | undefined): void {
  const slot = (scriptGlobal ??= vm.runInThisContext('globalThis') as Record<symbol, unknown>);
  slot[START] = start;
  try {
    enterScript.runInThisContext({ breakOnSigint: true, ...(timeoutMs !== undefined ? { timeout: Math.max(1, Math.ceil(timeoutMs)) } : {}) });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw new WasiInterruptedError();
    if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw timeLimitError(timeoutMs!);
    throw e;
  } finally {
    delete slot[START];
  }
}

export async function runOnCallerThread(run: PreparedRun, code: ThreadEntry): Promise<number> {
  const { options, init } = run;
  const module = await run.module; // a WasiModuleError when V8 refuses it
  // Offered as in a worker run: when both ends are terminals (the worker opens the terminal).
  const readline = options.readline && typeof init.stdout === 'number' && isatty(init.stdin) && isatty(init.stdout) ? { ...options.readline, stdin: init.stdin, stdout: init.stdout } : undefined;
  const service = new ServiceThread({ channel: init.channel, net: run.net, mounts: init.mounts, ...(readline ? { readline } : {}) }, code);
  // SIGTERM and SIGHUP must still end the process while this thread is blocked.
  const resumeSignals = suspendSignalCleanup();
  try {
    return await runGuest(
      { ...init, module, readline: readline !== undefined, ringPort: service.rings },
      { beforeFirstRequest: () => service.start(), enter: (start) => enterInterruptibly(start, options.timeoutMs) },
    );
  } catch (e) {
    if (e instanceof WasiInterruptedError || e instanceof WasiLimitError) throw e;
    // As a worker run reports what ended its guest thread.
    const error = e instanceof Error ? e : new Error(String(e));
    throw new WasiTrapError(`${error.name}: ${error.message}`, error.name, error.stack);
  } finally {
    resumeSignals();
    await service.close();
  }
}
