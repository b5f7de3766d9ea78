// The shared-memory call channel between the guest thread (which blocks in Atomics.wait) and the
// event-loop thread (which owns the sockets and wakes up via Atomics.waitAsync). One request is in
// flight at a time because the guest is single-threaded. No postMessage on the hot path: integers
// travel in `ctl`, bulk bytes in `data`, rare structured values as JSON in `meta`.

export const Op = {
  OPEN: 1,
  BIND: 2,
  CONNECT: 3,
  LISTEN: 4,
  ACCEPT: 5,
  RECV: 6,
  SEND: 7,
  RECVFROM: 8,
  SENDTO: 9,
  SHUTDOWN: 10,
  GETOPT: 11,
  SETOPT: 12,
  LOCALADDR: 13,
  PEERADDR: 14,
  GETADDRINFO: 15,
  /** fd, id of the ring the guest dropped with it (0: none or pooled) */
  CLOSE: 16,
  POLL: 17,
  /** fd, ringId, isNew: attach a SocketRing (posted on the ring port when new) to a stream socket */
  RING: 18,
  /** fd, nonblock, timeoutMs: flush the send ring and wait until it has room */
  SENDWAIT: 19,
  /** len: a /dev/pywasi-readline request in data → [reply length in data] (tty/readline-device.ts) */
  READLINE: 20,
} as const;

const REQ = 0;
const RESP = 1;
const OP = 2;
export const ARG0 = 3;
export const MAX_ARGS = 13;
const ERRNO = 16;
export const RES0 = 17;
export const MAX_RESULTS = 15;
/** Bumped by the guest to make the event loop look at the socket rings (no reply). */
const DOORBELL = 32;
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

abstract class ChannelEnd {
  readonly ctl: Int32Array;
  readonly meta: Buffer;
  readonly data: Buffer;
  /** `data` as int32s, for the records both ends encode there (POLL, protocol.ts). */
  readonly dataInts: Int32Array;
  constructor(bufs: ChannelBuffers) {
    this.ctl = new Int32Array(bufs.ctl);
    this.meta = Buffer.from(bufs.meta);
    this.data = Buffer.from(bufs.data);
    this.dataInts = new Int32Array(bufs.data);
  }
  protected writeJson(value: unknown): number {
    const text = JSON.stringify(value);
    const n = this.meta.write(text, 0, 'utf8');
    if (n >= META_SIZE - 4) throw new RangeError('channel meta overflow');
    return n;
  }
  protected parseJson<T>(len: number): T {
    return JSON.parse(this.meta.toString('utf8', 0, len)) as T;
  }
}

/** Guest-thread end: synchronous calls, posted calls and the doorbell. */
export class GuestChannel extends ChannelEnd {
  /** Sequence number of a posted request whose reply has not been collected, or 0. */
  private outstanding = 0;
  private onPostedError: ((errno: number) => void) | null = null;

  /** Waits for the reply of a posted request, if any (its errno goes to its error handler). Must
   * precede any use of ctl/meta/data: the event loop may still be reading them. */
  sync(): void {
    const seq = this.outstanding;
    if (!seq) return;
    const ctl = this.ctl;
    for (;;) {
      const resp = Atomics.load(ctl, RESP);
      if (resp === seq) break;
      Atomics.wait(ctl, RESP, resp);
    }
    this.outstanding = 0;
    const onError = this.onPostedError;
    this.onPostedError = null;
    const errno = ctl[ERRNO]!;
    if (errno && onError) onError(errno);
  }

  private send(op: number, args: number[]): number {
    this.sync();
    const ctl = this.ctl;
    ctl[OP] = op;
    for (let i = 0; i < args.length; i++) ctl[ARG0 + i] = args[i]!;
    let seq = (Atomics.load(ctl, REQ) + 1) | 0;
    if (seq === 0) seq = 1; // 0 means "nothing outstanding"
    Atomics.store(ctl, REQ, seq);
    Atomics.notify(ctl, REQ);
    return seq;
  }

  /** Sends a request without waiting for its reply; a failure is passed to `onError` when the
   * reply is collected (at the next request or sync()). */
  post(op: number, onError: ((errno: number) => void) | null, ...args: number[]): void {
    this.outstanding = this.send(op, args);
    this.onPostedError = onError;
  }

  /** Tells the event loop to look at the socket rings. */
  ring(): void {
    Atomics.add(this.ctl, DOORBELL, 1);
    Atomics.notify(this.ctl, DOORBELL);
  }

  /** Sends a request and blocks until the reply; returns the errno. Results via `result(i)`. */
  call(op: number, ...args: number[]): number {
    const ctl = this.ctl;
    const seq = this.send(op, args);
    ctl[OP] = op;
    for (;;) {
      const resp = Atomics.load(ctl, RESP);
      if (resp === seq) break;
      Atomics.wait(ctl, RESP, resp);
    }
    return ctl[ERRNO]!;
  }
  /** Like call, with a JSON value in meta; its length goes in the last argument. */
  callJson(op: number, value: unknown, ...args: number[]): number {
    this.sync();
    const len = this.writeJson(value);
    return this.call(op, ...args, len);
  }
  result(i: number): number {
    return this.ctl[RES0 + i]!;
  }
  /** The JSON reply whose length is in result slot `i`. */
  resultJson<T>(i: number): T {
    return this.parseJson<T>(this.result(i));
  }
}

export interface Request {
  op: number;
  arg(i: number): number;
  json<T>(lenArg: number): T;
}

/** Event-loop end: serves requests; handlers reply now or later (parked blocking calls). */
export class HostChannel extends ChannelEnd {
  private handled = 0;
  private running = false;
  private busy = false;
  private waiting = false;

  private bells = 0;
  private bellWaiting = false;

  constructor(
    bufs: ChannelBuffers,
    private readonly handler: (req: Request, reply: HostChannel) => void,
    private readonly onDoorbell: () => void = () => {},
  ) {
    super(bufs);
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
        op: ctl[OP]!,
        arg: (i) => ctl[ARG0 + i]!,
        json: <T>(lenArg: number) => this.parseJson<T>(ctl[ARG0 + lenArg]!),
      };
      this.handler(req, this);
    }
  }

  /** Completes the current request. `json`, when given, is written to meta and its length put in
   * the result slot after the numeric results. */
  reply(errno: number, results: number[] = [], json?: unknown): void {
    const ctl = this.ctl;
    ctl[ERRNO] = errno;
    for (let i = 0; i < results.length; i++) ctl[RES0 + i] = results[i]!;
    if (json !== undefined) ctl[RES0 + results.length] = this.writeJson(json);
    this.busy = false;
    Atomics.store(ctl, RESP, this.handled);
    Atomics.notify(ctl, RESP);
    // A reply from a socket callback (parked call) resumes serving; a synchronous one returns to
    // the loop in poll(), where this call is a no-op guarded by `waiting`/the loop itself.
    if (this.running) queueMicrotask(() => this.poll());
  }
}
