// The run's side of wasi-threads: it starts a worker for each thread the guest spawns (whichever
// guest thread asked: all are this thread's workers, so their messages come here), each with its
// own channel to the run's one socket service, and stops them all when the run ends, however it
// ends.
import { Worker } from 'node:worker_threads';
import { createChannelBuffers, type ChannelBuffers } from '../channel/channel.ts';
import type { ThreadEntry } from '../guest-thread.ts';
import type { GuestInit } from '../run-guest.ts';

export interface SpawnedThreadHandlers {
  /** Every message of a thread (its output, its end, its error), with its id. */
  message(tid: number, m: unknown): void;
  /** The worker failed outside the guest (it could not start, or ran out of memory). */
  error(tid: number, e: Error): void;
  /** Serves a thread's channel (SocketService.serve); returns what stops serving it. */
  serve(channel: ChannelBuffers): () => void;
}

export class GuestThreads {
  private readonly workers = new Map<number, Worker>();
  /** What stops serving each running thread's channel. */
  private readonly served = new Map<number, () => void>();
  private readonly init: Omit<GuestInit, 'module' | 'channel'>;
  private stopped = false;

  private readonly code: ThreadEntry;
  private readonly stackSizeMb: number;
  private readonly on: SpawnedThreadHandlers;

  /** `init`: the main guest thread's (each thread gets a copy, with a channel of its own and no
   * socket rings: a threaded run has none, run-in-worker.ts). */
  constructor(code: ThreadEntry, stackSizeMb: number, init: Omit<GuestInit, 'module'>, on: SpawnedThreadHandlers) {
    this.code = code;
    this.stackSizeMb = stackSizeMb;
    this.on = on;
    const { ringPort: _ringPort, readline: _readline, snapshot: _snapshot, channel: _channel, ...rest } = init;
    this.init = rest;
  }

  /** How many spawned threads have started and not yet ended. */
  get running(): number {
    return this.workers.size;
  }

  start(tid: number, startArg: number, module: WebAssembly.Module): void {
    if (this.stopped) return;
    const channel = createChannelBuffers();
    this.served.set(tid, this.on.serve(channel));
    const worker = new Worker(this.code.bootstrap, {
      workerData: { role: 'thread', entry: this.code.entry, init: { ...this.init, channel }, module, tid, startArg },
      resourceLimits: { stackSizeMb: this.stackSizeMb },
      // The files a thread opens are the process's, and outlive the thread (the fd table is
      // shared): Node would otherwise close them when its worker exits, under the other threads.
      trackUnmanagedFds: false,
      stdout: false,
      stderr: false,
    });
    this.workers.set(tid, worker);
    worker.on('message', (m: unknown) => this.on.message(tid, m));
    worker.on('error', (e: Error) => this.on.error(tid, e));
    worker.on('exit', () => {
      this.workers.delete(tid);
      this.served.get(tid)?.();
      this.served.delete(tid);
    });
  }

  /** Stops every thread wherever it is (the run has ended). */
  stop(): void {
    this.stopped = true;
    for (const w of this.workers.values()) void w.terminate();
    this.workers.clear();
    for (const stop of this.served.values()) stop();
    this.served.clear();
  }
}
