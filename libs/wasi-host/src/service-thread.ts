// The guest's event loop in a worker thread, for a guest that runs on the calling thread (runWasi's
// `thread: 'caller'`). That thread is blocked while the guest runs, so what must wait on sockets and
// on the terminal (SocketService, ReadlineService) runs in the worker instead (service-worker.ts).
// The worker starts at the guest's first request on the channel: a run that never uses a socket or
// the line editor starts no second thread, and loads none of Node's modules for threads, sockets
// or the terminal, which is most of what a short run's start-up and memory would cost.
import type { MessagePort, Worker } from 'node:worker_threads';
import { markServerGone, ServerGoneError, type ChannelBuffers } from './channel/channel.ts';
import type { MountSpec } from './fs/mounts.ts';
import type { RingPort } from './sockets/guest/rings.ts';
import type { NetPolicy } from './sockets/net-policy.ts';
import type { ReadlineOptions } from './tty/readline-service.ts';
import type { ThreadEntry } from './guest-thread.ts';

/** What the worker is given (workerData). */
export interface ServiceInit {
  channel: ChannelBuffers;
  net: NetPolicy;
  /** The guest's mounts, for AF_UNIX paths. */
  mounts: MountSpec[];
  /** Line editing on these terminal fds (the guest was offered /dev/pywasi-readline). */
  readline?: ReadlineOptions & { stdin: number; stdout: number };
  /** Where the guest posts its socket rings (transferred to the worker). */
  ringPort: MessagePort;
  /** One int32: STARTING, then SERVING or FAILED (set by the worker). */
  state: SharedArrayBuffer;
}

export const STARTING = 0;
export const SERVING = 1;
export const FAILED = 2;
/** How long the guest waits for the worker to serve: Node starts one in 30-150 ms on 2 cores. */
const START_TIMEOUT_MS = 30_000;

/** The calling thread's handle on the worker: started on demand, ended with the run. */
export class ServiceThread {
  private worker: Worker | null = null;
  private ringPort: MessagePort | null = null;
  private readonly state = new SharedArrayBuffer(4);
  /** The guest's end for its socket rings. A guest posts a ring only for a socket it opened, by a
   * request that started the worker first. */
  readonly rings: RingPort = {
    postMessage: (value) => {
      if (!this.ringPort) throw new ServerGoneError('the thread serving the guest was not started');
      this.ringPort.postMessage(value);
    },
  };

  private readonly init: Omit<ServiceInit, 'ringPort' | 'state'>;
  private readonly code: ThreadEntry;

  constructor(
    init: Omit<ServiceInit, 'ringPort' | 'state'>,
    code: ThreadEntry,
  ) {
    this.init = init;
    this.code = code;}

  /** Starts the worker and blocks until it serves (the guest is about to send its first request).
   * Throws ServerGoneError when it cannot start: the guest's call then fails with EIO. */
  start(): void {
    // Loaded at the first request only (node:worker_threads is ~2 MiB of a short run's memory).
    const { MessageChannel, Worker } = process.getBuiltinModule('node:worker_threads');
    const rings = new MessageChannel();
    this.ringPort = rings.port2;
    const init: ServiceInit = { ...this.init, ringPort: rings.port1, state: this.state };
    this.worker = new Worker(this.code.bootstrap, {
      workerData: { role: 'service', entry: this.code.entry, init },
      transferList: [rings.port1],
      stdout: false,
      stderr: false,
    });
    // This thread cannot run the worker's 'error' event before the guest is done: the worker
    // reports failure in `state` itself (service-worker.ts).
    this.worker.on('error', () => {});
    const state = new Int32Array(this.state);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Atomics.load(state, 0) === STARTING) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(state, 0, STARTING, left) === 'timed-out') break;
    }
    if (Atomics.load(state, 0) !== SERVING) {
      // Every later request fails too (EIO), rather than waiting for a thread that is not there.
      markServerGone(this.init.channel);
      void this.worker.terminate();
      throw new ServerGoneError('the thread serving sockets and the terminal did not start');
    }
  }

  get started(): boolean {
    return this.worker !== null;
  }

  /** Ends the worker (its sockets close with it). */
  async close(): Promise<void> {
    this.ringPort?.close();
    await this.worker?.terminate();
  }
}
