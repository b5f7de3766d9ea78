// The shared-memory call channel between the guest thread (which blocks in Atomics.wait) and the
// event-loop thread (which owns the sockets and wakes up via Atomics.waitAsync). One request is in
// flight at a time because the guest is single-threaded. No postMessage on the hot path: integers
// travel in `ctl`, bulk bytes in `data`, rare structured values as JSON in `meta`. What a request
// and its reply hold is its operation's codec (ops.ts, codec.ts).
import { decodeFields, encodeFields, MAX_ARGS, MAX_RESULTS, type Failure, type OpCodec, type Outcome, type Shape, type ValueOf, type Wire } from './codec.ts';

const REQ = 0;
const RESP = 1;
const OP = 2;
const ARG0 = 3;
const ERRNO = ARG0 + MAX_ARGS;
const RES0 = ERRNO + 1;
/** Where a reply's fields start in the control block (for tests that decode one). */
export const RESULT_SLOTS = RES0;
/** Bumped by the guest to make the event loop look at the socket rings (no reply). */
const DOORBELL = RES0 + MAX_RESULTS;
/** Set by a serving thread that stopped for good (service-thread.ts): waits for replies end. */
const SERVER_GONE = DOORBELL + 1;
const CTL_INTS = 40;

export const META_SIZE = 64 * 1024;
export const DATA_SIZE = 4 * 1024 * 1024;

// Atomics.waitAsync is in V8 since 8.7 (Node 16) but in TypeScript's lib only from ES2024.
type WaitAsync = (ta: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export interface ChannelBuffers {
  ctl: SharedArrayBuffer;
  meta: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export function createChannelBuffers(): ChannelBuffers {
  return {
    ctl: new SharedArrayBuffer(CTL_INTS * 4),
    meta: new SharedArrayBuffer(META_SIZE),
    data: new SharedArrayBuffer(DATA_SIZE),
  };
}

abstract class ChannelEnd implements Wire {
  readonly ctl: Int32Array;
  readonly meta: Buffer;
  readonly data: Buffer;
  /** `data` as int32s, for the records both ends encode there (POLL, ops.ts). */
  readonly dataInts: Int32Array;
  constructor(bufs: ChannelBuffers) {
    this.ctl = new Int32Array(bufs.ctl);
    this.meta = Buffer.from(bufs.meta);
    this.data = Buffer.from(bufs.data);
    this.dataInts = new Int32Array(bufs.data);
  }
  writeJson(value: unknown): number {
    const text = JSON.stringify(value);
    const n = this.meta.write(text, 0, 'utf8');
    if (n >= META_SIZE - 4) throw new RangeError('channel meta overflow');
    return n;
  }
  readJson<T>(len: number): T {
    return JSON.parse(this.meta.toString('utf8', 0, len)) as T;
  }
}

/** The serving end stopped for good: the guest's call fails (EIO) instead of waiting forever. */
export class ServerGoneError extends Error {
  override readonly name = 'ServerGoneError';
}

/** Marks the serving end of a channel as gone for good: the guest's pending and later calls throw
 * ServerGoneError instead of waiting for a reply. */
export function markServerGone(bufs: ChannelBuffers): void {
  const ctl = new Int32Array(bufs.ctl);
  Atomics.store(ctl, SERVER_GONE, 1);
  Atomics.notify(ctl, RESP);
}

/** Guest-thread end: synchronous calls, posted calls and the doorbell. */
export class GuestChannel extends ChannelEnd {
  /** Sequence number of a posted request whose reply has not been collected, or 0. */
  private outstanding = 0;

  private beforeFirstRequest: (() => void) | null;

  /** `beforeFirstRequest` starts the serving end when the guest first needs it (a guest on the
   * calling thread starts its event loop in a worker only then: service-thread.ts). */
  constructor(
    bufs: ChannelBuffers,
    beforeFirstRequest: (() => void) | null = null,
  ) {
    super(bufs);
    this.beforeFirstRequest = beforeFirstRequest;
  }

  /** Waits for the reply of a posted request, if any. Must precede any use of ctl/meta/data: the
   * event loop may still be reading them. */
  sync(): void {
    if (!this.outstanding) return;
    this.awaitReply(this.outstanding);
    this.outstanding = 0;
  }

  private awaitReply(seq: number): void {
    const ctl = this.ctl;
    for (;;) {
      const resp = Atomics.load(ctl, RESP);
      if (resp === seq) return;
      if (Atomics.load(ctl, SERVER_GONE)) throw new ServerGoneError('the thread serving the guest has stopped');
      Atomics.wait(ctl, RESP, resp);
    }
  }

  private send<Q extends Shape>(op: OpCodec<Q>, request: ValueOf<Q>): number {
    if (this.beforeFirstRequest) {
      const start = this.beforeFirstRequest;
      this.beforeFirstRequest = null;
      start();
    }
    this.sync();
    const ctl = this.ctl;
    ctl[OP] = op.code;
    encodeFields(op.request, request, ctl, ARG0, this);
    let seq = (Atomics.load(ctl, REQ) + 1) | 0;
    if (seq === 0) seq = 1; // 0 means "nothing outstanding"
    Atomics.store(ctl, REQ, seq);
    Atomics.notify(ctl, REQ);
    return seq;
  }

  /** Sends a request without waiting for its reply, for requests that cannot fail on the event
   * loop (the reply is collected at the next request or sync()). */
  post<Q extends Shape>(op: OpCodec<Q>, request: ValueOf<Q>): void {
    this.outstanding = this.send(op, request);
  }

  /** Tells the event loop to look at the socket rings. */
  ring(): void {
    Atomics.add(this.ctl, DOORBELL, 1);
    Atomics.notify(this.ctl, DOORBELL);
  }

  /** Sends a request and blocks until its reply. */
  call<Q extends Shape, R extends Shape>(op: OpCodec<Q, R>, request: ValueOf<Q>): Outcome<ValueOf<R>> {
    this.awaitReply(this.send(op, request));
    const errno = this.ctl[ERRNO]! as Failure | 0;
    return errno ? [errno, undefined] : [0, decodeFields(op.reply, this.ctl, RES0, this)];
  }
}

/** A request as the event loop sees it: its op code, and its fields through the op's codec. */
export interface Request {
  readonly code: number;
  read<Q extends Shape>(op: OpCodec<Q>): ValueOf<Q>;
}

/** Event-loop end: serves requests; handlers reply now or later (parked blocking calls). */
export class HostChannel extends ChannelEnd {
  private handled = 0;
  private running = false;
  private busy = false;
  private waiting = false;

  private bells = 0;
  private bellWaiting = false;

  private readonly handler: (req: Request, reply: HostChannel) => void;
  private readonly onDoorbell: () => void;

  constructor(
    bufs: ChannelBuffers,
    handler: (req: Request, reply: HostChannel) => void,
    onDoorbell: () => void = () => {},
  ) {
    super(bufs);
    this.handler = handler;
    this.onDoorbell = onDoorbell;
  }

  start(): void {
    this.running = true;
    this.handled = Atomics.load(this.ctl, REQ);
    this.bells = Atomics.load(this.ctl, DOORBELL);
    this.poll();
    this.watchDoorbell();
  }

  private watchDoorbell(): void {
    while (this.running && !this.bellWaiting) {
      const n = Atomics.load(this.ctl, DOORBELL);
      if (n !== this.bells) {
        this.bells = n;
        this.onDoorbell();
        continue;
      }
      const w = waitAsync(this.ctl, DOORBELL, n);
      if (!w.async) continue;
      this.bellWaiting = true;
      void w.value.then(() => {
        this.bellWaiting = false;
        this.watchDoorbell();
      });
      return;
    }
  }

  stop(): void {
    this.running = false;
    // Ends the waits on this channel, which would otherwise stay pending (and keep its buffers)
    // for as long as nothing writes to it.
    Atomics.notify(this.ctl, REQ);
    Atomics.notify(this.ctl, DOORBELL);
  }

  private poll(): void {
    // At most one waitAsync is outstanding; its resolution re-enters here.
    while (this.running && !this.busy && !this.waiting) {
      const seq = Atomics.load(this.ctl, REQ);
      if (seq === this.handled) {
        const w = waitAsync(this.ctl, REQ, seq);
        if (w.async) {
          this.waiting = true;
          void w.value.then(() => {
            this.waiting = false;
            this.poll();
          });
          return;
        }
        continue;
      }
      this.handled = seq;
      this.busy = true;
      const ctl = this.ctl;
      const req: Request = {
        code: ctl[OP]!,
        read: (op) => decodeFields(op.request, ctl, ARG0, this),
      };
      this.handler(req, this);
    }
  }

  /** Completes the current request with its reply. */
  reply<R extends Shape>(op: OpCodec<Shape, R>, value: ValueOf<R>): void {
    encodeFields(op.reply, value, this.ctl, RES0, this);
    this.complete(0);
  }

  /** Completes the current request with an errno alone (0: success with nothing to report):
   * every result slot reads 0, so a field that may be absent (nullableJson) decodes as such. */
  status(errno: number): void {
    this.ctl.fill(0, RES0, RES0 + MAX_RESULTS);
    this.complete(errno);
  }

  private complete(errno: number): void {
    const ctl = this.ctl;
    ctl[ERRNO] = errno;
    this.busy = false;
    Atomics.store(ctl, RESP, this.handled);
    Atomics.notify(ctl, RESP);
    // A reply from a socket callback (parked call) resumes serving; a synchronous one returns to
    // the loop in poll(), where this call is a no-op guarded by `waiting`/the loop itself.
    if (this.running) queueMicrotask(() => this.poll());
  }
}
