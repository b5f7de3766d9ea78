// What every thread of a run shares about its threads, in one SharedArrayBuffer: the next thread
// id, how many spawned threads are alive (the cap counts them), whether the cap's warning was
// given, and the next socket id (the socket service knows each socket by one, whichever thread
// opened it). Any thread may spawn or open a socket, so each is updated atomically.
const NEXT_TID = 0;
const LIVE = 1;
const WARNED = 2;
const NEXT_SOCKET = 3;
const INTS = 4;

/** wasi-threads ids are positive and below 2^29 (the ABI leaves the top bits to the guest's locks). */
const MAX_TID = 0x1fffffff;

/** The default most threads alive at once, besides the main one (RunWasiOptions.maxThreads). */
export const DEFAULT_MAX_THREADS = 64;

export interface ThreadsInit {
  memory: WebAssembly.Memory;
  /** The fd table all threads share (shared-fd-table.ts). */
  fds: SharedArrayBuffer;
  state: SharedArrayBuffer;
  maxThreads: number;
}

export function createThreadState(): SharedArrayBuffer {
  const state = new SharedArrayBuffer(INTS * 4);
  const ints = new Int32Array(state);
  ints[NEXT_TID] = 1;
  ints[NEXT_SOCKET] = 1;
  return state;
}

export class ThreadState {
  private readonly ints: Int32Array;
  private readonly max: number;

  constructor(init: Pick<ThreadsInit, 'state' | 'maxThreads'>) {
    this.ints = new Int32Array(init.state);
    this.max = init.maxThreads;
  }

  /** A new thread's id, counted alive; -1 when `maxThreads` are alive already (or ids ran out). */
  reserve(): number {
    for (;;) {
      const live = Atomics.load(this.ints, LIVE);
      if (live >= this.max) return -1;
      if (Atomics.compareExchange(this.ints, LIVE, live, live + 1) === live) break;
    }
    const tid = Atomics.add(this.ints, NEXT_TID, 1);
    if (tid > MAX_TID) {
      this.release();
      return -1;
    }
    return tid;
  }

  /** A spawned thread ended (or never started). */
  release(): void {
    Atomics.sub(this.ints, LIVE, 1);
  }

  get live(): number {
    return Atomics.load(this.ints, LIVE);
  }

  /** A socket id no thread of the run has had (ids are never reused: 2^31 sockets would wrap). */
  nextSocketId(): number {
    return Atomics.add(this.ints, NEXT_SOCKET, 1);
  }

  /** True the first time only: the cap's warning is given once per run. */
  firstWarning(): boolean {
    return Atomics.compareExchange(this.ints, WARNED, 0, 1) === 0;
  }
}
