// A spawned guest thread (wasi-threads), in its own worker: it instantiates the run's compiled
// module over the run's shared memory with imports of its own, and calls the module's
// `wasi_thread_start(tid, start_arg)`. Instantiating runs the module's start function again, which
// a shared-memory module makes harmless (wasm-ld's `__wasm_init_memory` initialises the data once,
// guarded by a flag in memory); `_start` and the C constructors run on the main thread only.
import { ServerGoneError } from '../channel/channel.ts';
import { prepareGuest, type GuestInit } from '../run-guest.ts';
import { ProcExit } from '../wasi-process.ts';
import { ThreadState } from './thread-state.ts';

/** How a thread ended: it returned, or it called proc_exit (which ends the whole run). */
export type ThreadEnd = { type: 'thread-end'; tid: number } | { type: 'exit'; code: number };

export async function runThread(init: GuestInit, tid: number, startArg: number): Promise<ThreadEnd> {
  const threads = init.threads;
  if (!threads) throw new TypeError('runThread: the run has no threads');
  const state = new ThreadState(threads);
  try {
    const { imports, channel, fds } = prepareGuest(init, {}, tid);
    const instance = await WebAssembly.instantiate(init.module, imports);
    const start = instance.exports['wasi_thread_start'];
    if (typeof start !== 'function') throw new TypeError('the module spawned a thread but exports no wasi_thread_start');
    try {
      (start as (tid: number, arg: number) => void)(tid, startArg);
    } catch (e) {
      if (e instanceof ProcExit) return { type: 'exit', code: e.code };
      throw e;
    }
    try {
      channel.sync(); // its posted requests are taken before its channel stops being served
    } catch (e) {
      // The run is ending (another thread exited): what this thread posted no longer matters.
      if (!(e instanceof ServerGoneError)) throw e;
    }
    fds.end(); // this thread's directory handles; the files stay, in the table the threads share
    return { type: 'thread-end', tid };
  } finally {
    state.release();
  }
}
