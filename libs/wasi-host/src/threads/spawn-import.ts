// The guest's `wasi`.`thread-spawn(start_arg) -> tid` (the wasi-threads ABI), on whichever of its
// threads calls it: it takes an id and a place under the cap at once, and asks the run (the thread
// that called runWasi, which starts every guest thread: guest-threads.ts) to start the worker.
// The new thread runs when its worker is up; the caller goes on meanwhile, as after clone(2).
import { Errno } from '../errno.ts';
import { ThreadState, type ThreadsInit } from './thread-state.ts';

/** What a thread asks of the run, posted to it. */
export interface SpawnMessage {
  type: 'spawn';
  tid: number;
  startArg: number;
}

export function createSpawnImport(threads: ThreadsInit, post: (m: SpawnMessage) => void, warn: (line: string) => void): Record<string, (startArg: number) => number> {
  const state = new ThreadState(threads);
  return {
    'thread-spawn'(startArg: number): number {
      const tid = state.reserve();
      if (tid < 0) {
        if (state.firstWarning()) {
          warn(`pywasi: a thread was refused: ${threads.maxThreads} threads are running, the most this run allows (raise it with the maxThreads option, or --max-threads)\n`);
        }
        return -Errno.AGAIN; // pthread_create answers EAGAIN, as past RLIMIT_NPROC
      }
      post({ type: 'spawn', tid, startArg });
      return tid;
    },
  };
}
