// runWasi's default: the guest in a worker thread (its native stack sized through
// resourceLimits.stackSizeMb, so deep guest recursion cannot overflow Node's own stack), while this
// thread's event loop owns the guest's sockets and terminal and serves them over shared memory.
import { MessageChannel, type Worker } from 'node:worker_threads';
import { timeLimitError, WasiInterruptedError, WasiLimitError, WasiTrapError } from './guest-errors.ts';
import { startGuestServices } from './guest-services.ts';
import type { GuestInit } from './run-guest.ts';
import type { PreparedRun } from './run-wasi.ts';
import { DEFAULT_STACK_MB, GuestThread, type GuestThreadHandlers, type ThreadEntry } from './guest-thread.ts';
import { GuestThreads } from './threads/guest-threads.ts';
import type { SpawnMessage } from './threads/spawn-import.ts';

/** What the guest thread posts (guest-bootstrap.mjs, run-guest.ts). */
type GuestMessage =
  | { type: 'ready' }
  | SpawnMessage
  | { type: 'thread-end'; tid: number }
  | { type: 'output'; fd: number; bytes: Uint8Array }
  | { type: 'exit'; code: number }
  | { type: 'warning'; message: string }
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
  // The worker starts (a Node environment plus guest-worker.js), if it was not started before the
  // run, while this thread compiles the module (V8 compiles on background threads; a Module is
  // shareable with the worker).
  // A wasi-threads guest has no socket rings: a ring has one reader and one writer, and any of
  // its threads may use a socket (they go through their channels instead, sockets/guest/transfer.ts).
  const rings = init.threads ? {} : { ringPort: ringChannel.port2 };
  const workerInit: Omit<GuestInit, 'module'> = { ...init, readline: readline !== null, ...rings };
  let settled = false;
  let abort: (() => void) | null = null;
  let timer: NodeJS.Timeout | undefined;
  let detachInterrupter: (() => void) | undefined;
  let threads = null as GuestThreads | null;
  try {
    return await new Promise<number>((resolve, reject) => {
      let worker: Worker | null = null;
      /** Ends the run with `error` (once): the worker is stopped wherever it is, and every thread
       * it spawned. */
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(error);
        void worker?.terminate();
        threads?.stop();
      };
      let exiting = false;
      /** Ends the run with the guest's exit code (proc_exit, or `_start` returned), from any thread. */
      const exit = (code: number) => {
        if (exiting) return;
        exiting = true;
        const settle = () => {
          if (settled) return;
          settled = true;
          resolve(code);
          void worker?.terminate();
          threads?.stop();
        };
        // What the other threads wrote before the exit may wait in their own ports, read in the
        // same turn of the event loop but not necessarily first: the exit waits for that turn.
        if (threads) setImmediate(settle);
        else settle();
      };
      const handlers: GuestThreadHandlers = {
        message: (m: GuestMessage) => {
          if (settled || m.type === 'ready' || m.type === 'thread-end') return;
          if (m.type === 'spawn') {
            if (exiting) return;
            void run.module.then((module) => {
              threads ??= new GuestThreads(code, options.stackSizeMb ?? DEFAULT_STACK_MB, init, {
                message: (tid, tm: GuestMessage) => {
                  if (tm.type === 'error') return fail(new WasiTrapError(`thread ${tid}: ${tm.name}: ${tm.message}`, tm.name, tm.stack));
                  handlers.message(tm);
                },
                error: (tid, e) => fail(new WasiTrapError(`thread ${tid}: ${e.name}: ${e.message}`, e.name, e.stack)),
                serve: (channel) => sockets.serve(channel),
              });
              threads.start(m.tid, m.startArg, module);
            });
            return;
          }
          if (m.type === 'output') {
            const sink = m.fd === 1 ? stdout : stderr;
            try {
              if (typeof sink === 'function') sink(m.bytes);
            } catch (e) {
              fail(e); // the embedder's function failed: its error ends the run
            }
            return;
          }
          if (m.type === 'warning') return void process.emitWarning(m.message, 'PywasiWarning');
          if (m.type === 'error') return fail(m.name === 'WasiLimitError' ? new WasiLimitError('memory', m.message) : new WasiTrapError(`${threads ? 'main thread: ' : ''}${m.name}: ${m.message}`, m.name, m.stack));
          exit(m.code);
        },
        error: (e) => fail(new WasiTrapError(`${e.name}: ${e.message}`, e.name, e.stack)),
        // Its exit message came first (the run may be waiting for the other threads' output).
        exit: (code) => exiting || fail(new WasiTrapError(`guest thread exited unexpectedly (code ${code})`, 'Exit')),
      };
      const transfer = init.threads ? [] : [ringChannel.port2];
      const given = options.guestThread;
      if (given && given.stackSizeMb !== (options.stackSizeMb ?? DEFAULT_STACK_MB)) {
        throw new TypeError(`runWasi: the guest thread was started with a ${given.stackSizeMb} MiB stack, the run asks for ${options.stackSizeMb ?? DEFAULT_STACK_MB}`);
      }
      if (given) worker = given.take(workerInit, transfer, handlers);
      else {
        worker = new GuestThread(code, options.stackSizeMb ?? DEFAULT_STACK_MB, workerInit, transfer).worker;
        worker.on('message', handlers.message);
        worker.on('error', handlers.error);
        worker.on('exit', handlers.exit);
      }
      const started = worker;
      abort = () => fail(options.signal!.reason);
      options.signal?.addEventListener('abort', abort, { once: true });
      detachInterrupter = options.interrupter?.attach({ deliver: interrupt, end: () => fail(new WasiInterruptedError()) });
      if (options.timeoutMs !== undefined) timer = setTimeout(() => fail(timeLimitError(options.timeoutMs!)), options.timeoutMs);
      run.module.then((module) => started.postMessage({ type: 'module', module }), fail);
    });
  } finally {
    if (abort) options.signal?.removeEventListener('abort', abort);
    detachInterrupter?.();
    clearTimeout(timer);
    threads?.stop();
    readline?.close();
    sockets.close();
    ringChannel.port1.close();
  }
}
