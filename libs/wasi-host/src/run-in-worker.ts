// runWasi's default: the guest in a worker thread (its native stack sized through
// resourceLimits.stackSizeMb, so deep guest recursion cannot overflow Node's own stack), while this
// thread's event loop owns the guest's sockets and terminal and serves them over shared memory.
import { MessageChannel, Worker } from 'node:worker_threads';
import { timeLimitError, WasiInterruptedError, WasiLimitError, WasiTrapError } from './guest-errors.ts';
import { startGuestServices } from './guest-services.ts';
import type { GuestInit } from './run-guest.ts';
import type { PreparedRun, ThreadEntry } from './run-wasi.ts';

/** What the guest thread posts (guest-bootstrap.mjs, run-guest.ts). */
type GuestMessage =
  | { type: 'ready' }
  | { type: 'output'; fd: number; bytes: Uint8Array }
  | { type: 'exit'; code: number }
  | { type: 'error'; name: string; message: string; stack?: string };

/** The guest in a worker; this thread serves its sockets and terminal, and posts its output. */
export async function runInWorker(run: PreparedRun, code: ThreadEntry): Promise<number> {
  const { options, init, table } = run;
  const ringChannel = new MessageChannel();
  const stdout = options.stdout ?? 1;
  const stderr = options.stderr ?? 2;
  const { sockets, readline, interrupt } = startGuestServices(init.channel, {
    net: run.net,
    mounts: table,
    ringPort: ringChannel.port1,
    readline: options.readline && typeof init.stdout === 'number' ? { ...options.readline, stdin: init.stdin, stdout: init.stdout } : undefined,
    interrupts: init.interrupts,
    ...(options.onNetRefused ? { onNetRefused: options.onNetRefused } : {}),
  });
  // The worker starts (a Node environment plus guest-worker.js, ~30-60 ms) while this thread compiles
  // the module (V8 compiles on background threads; a Module is shareable with the worker).
  const workerInit: Omit<GuestInit, 'module'> = { ...init, readline: readline !== null, ringPort: ringChannel.port2 };
  let settled = false;
  let abort: (() => void) | null = null;
  let timer: NodeJS.Timeout | undefined;
  let detachInterrupter: (() => void) | undefined;
  try {
    return await new Promise<number>((resolve, reject) => {
      const worker = new Worker(code.bootstrap, {
        workerData: { role: 'guest', entry: code.entry, init: workerInit },
        transferList: [ringChannel.port2],
        resourceLimits: { stackSizeMb: options.stackSizeMb ?? 64 },
        stdout: false,
        stderr: false,
      });
      /** Ends the run with `error` (once): the worker is stopped wherever it is. */
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(error);
        void worker.terminate();
      };
      abort = () => fail(options.signal!.reason);
      detachInterrupter = options.interrupter?.attach({ deliver: interrupt, end: () => fail(new WasiInterruptedError()) });
      options.signal?.addEventListener('abort', abort, { once: true });
      if (options.timeoutMs !== undefined) timer = setTimeout(() => fail(timeLimitError(options.timeoutMs!)), options.timeoutMs);
      run.module.then((module) => worker.postMessage({ type: 'module', module }), fail);
      worker.on('message', (m: GuestMessage) => {
        if (settled || m.type === 'ready') return;
        if (m.type === 'output') {
          const sink = m.fd === 1 ? stdout : stderr;
          try {
            if (typeof sink === 'function') sink(m.bytes);
          } catch (e) {
            fail(e); // the embedder's function failed: its error ends the run
          }
          return;
        }
        if (m.type === 'error') return fail(m.name === 'WasiLimitError' ? new WasiLimitError('memory', m.message) : new WasiTrapError(`${m.name}: ${m.message}`, m.name, m.stack));
        settled = true;
        resolve(m.code);
        void worker.terminate();
      });
      worker.on('error', (e) => fail(new WasiTrapError(`${e.name}: ${e.message}`, e.name, e.stack)));
      worker.on('exit', (code) => fail(new WasiTrapError(`guest thread exited unexpectedly (code ${code})`, 'Exit')));
    });
  } finally {
    if (abort) options.signal?.removeEventListener('abort', abort);
    detachInterrupter?.();
    clearTimeout(timer);
    readline?.close();
    sockets.close();
    ringChannel.port1.close();
  }
}
