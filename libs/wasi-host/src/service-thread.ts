// The guest's event loop in a worker thread, for a guest that runs on the calling thread (runWasi's
// `thread: 'caller'`). That thread is blocked while the guest runs, so what must wait on sockets and
// on the terminal (SocketService, ReadlineService) runs here instead. The worker starts at the
// guest's first request on the channel: a run that never uses a socket or the line editor starts
// no second thread, which is most of what a short run's start-up and memory would cost.
import { writeSync } from 'node:fs';
import { Worker, type MessagePort } from 'node:worker_threads';
import { markServerGone, ServerGoneError, type ChannelBuffers } from './channel.ts';
import { MountTable, type MountSpec } from './fs/mounts.ts';
import { unixSocketPath } from './fs/unix-paths.ts';
import type { NetPolicy } from './sockets/net-policy.ts';
import { SocketService } from './sockets/host/service.ts';
import { ReadlineService, type ReadlineOptions } from './tty/readline-service.ts';

export interface ServiceInit {
  channel: ChannelBuffers;
  net: NetPolicy;
  /** The guest's mounts, for AF_UNIX paths. */
  mounts: MountSpec[];
  /** Where the guest posts its socket rings (transferred to the worker). */
  ringPort: MessagePort;
  /** Line editing on these terminal fds (the guest was offered /dev/pywasi-readline). */
  readline?: ReadlineOptions & { stdin: number; stdout: number };
  /** One int32: STARTING, then SERVING or FAILED (set by the worker). */
  state: SharedArrayBuffer;
}

const STARTING = 0;
const SERVING = 1;
const FAILED = 2;
/** How long the guest waits for the worker to serve: Node starts one in 30-150 ms on 2 cores. */
const START_TIMEOUT_MS = 30_000;

/** Where the worker's code is: the bootstrap file and the entry module it imports. */
export interface ThreadEntry {
  bootstrap: URL;
  entry: string;
}

/** The calling thread's handle on the worker: started on demand, ended with the run. */
export class ServiceThread {
  private worker: Worker | null = null;

  constructor(
    private readonly init: ServiceInit,
    private readonly code: ThreadEntry,
  ) {}

  /** Starts the worker and blocks until it serves (the guest is about to send its first request).
   * Throws ServerGoneError when it cannot start: the guest's call then fails with EIO. */
  start(): void {
    const state = new Int32Array(this.init.state);
    this.worker = new Worker(this.code.bootstrap, {
      workerData: { role: 'service', entry: this.code.entry, init: this.init },
      transferList: [this.init.ringPort],
      stdout: false,
      stderr: false,
    });
    // This thread cannot run the worker's 'error' event before the guest is done: the worker
    // reports failure in `state` itself (serveGuest below).
    this.worker.on('error', () => {});
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
    await this.worker?.terminate();
  }
}

/** The worker's side (guest-bootstrap.mjs calls it): serves the channel until terminated. */
export function serveGuest(init: ServiceInit): void {
  const state = new Int32Array(init.state);
  const fail = (e: unknown) => {
    // No event loop of the calling thread would show an error event before the guest is done.
    writeSync(2, `pywasi: the thread serving the guest's sockets failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    markServerGone(init.channel);
    Atomics.store(state, 0, FAILED);
    Atomics.notify(state, 0);
    process.exit(1);
  };
  process.on('uncaughtException', fail);
  try {
    const mounts = new MountTable(init.mounts);
    // Warnings go straight to fd 2: the calling thread, which would forward them, is busy.
    const readline = init.readline ? ReadlineService.open({ ...init.readline, warn: (line) => void writeSync(2, `${line}\n`) }) : null;
    const service = new SocketService(init.channel, {
      net: init.net,
      unixPath: (guestPath, bind) => unixSocketPath(mounts, guestPath, bind),
      ringPort: init.ringPort,
      ...(readline ? { readline } : {}),
    });
    service.start();
  } catch (e) {
    fail(e);
    return;
  }
  // Nothing else keeps this thread's event loop alive while the guest has no socket open:
  // Atomics.waitAsync does not, and a thread that ran out of work would leave the guest waiting.
  setInterval(() => {}, 2 ** 31 - 1);
  process.on('exit', () => markServerGone(init.channel));
  Atomics.store(state, 0, SERVING);
  Atomics.notify(state, 0);
}

export function newServiceState(): SharedArrayBuffer {
  return new SharedArrayBuffer(4);
}
