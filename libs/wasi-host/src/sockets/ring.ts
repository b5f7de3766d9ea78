// Per-socket shared buffers of a connected stream socket: a receive ring the event-loop thread
// fills as data arrives (the guest reads buffered data and polls it without a round trip) and a
// send ring the guest fills (the event loop drains it into the net.Socket when the doorbell rings),
// so a blocking send returns at once, like a kernel send buffer.
//
// Layout of one SharedArrayBuffer: a header of HEADER_INTS int32 slots, then the receive bytes
// (RECV_CAP), then the send bytes (SEND_CAP). Positions are running byte counts kept as int32 and
// compared with wrap-around arithmetic; each ring has one producer and one consumer.

export const H = {
  /** receive: bytes written by the event loop / read by the guest (running counts) */
  RW: 0,
  RR: 1,
  /** receive: bytes the event loop holds beyond the ring, or 1 while it has stopped reading the
   * connection until the ring has room (the guest rings the doorbell for them) */
  RQUEUED: 2,
  /** receive: 1 while a refill request of the guest is pending */
  RWANT: 3,
  /** send: bytes written by the guest / taken by the event loop */
  SW: 4,
  SR: 5,
  /** send: 1 while the event loop has been told about unsent bytes */
  SBELL: 6,
  /** send: sticky errno for sends (the connection is gone); 0 = none */
  SERR: 7,
  /** receive: bumped by the event loop after new bytes or a change of RLIVE (the guest waits on it) */
  RSEQ: 8,
  /** receive: 1 while the guest waits on RSEQ (the event loop then notifies) */
  RSLEEP: 9,
  /** receive: 1 while the connection can still deliver bytes (not ended, failed or shut down):
   * only then may a blocking recv wait on RSEQ instead of asking the event loop */
  RLIVE: 10,
  /** 1 while the ring's last connection is closing and may still read into it (set and cleared
   * by the event loop): the guest does not reuse the ring until it is 0 */
  QUARANTINED: 11,
} as const;

export const HEADER_INTS = 16;
const HEADER_BYTES = HEADER_INTS * 4;
export const RECV_CAP = 1 << 20;
export const SEND_CAP = 1 << 20;
export const RING_BYTES = HEADER_BYTES + RECV_CAP + SEND_CAP;
/** The guest asks for a refill (RQUEUED) once this much of the receive ring is free: waiting for
 * a large gap batches refills and lets reads resume in big direct reads. */
export const REFILL_FREE = RECV_CAP / 4;

export class SocketRing {
  readonly hdr: Int32Array;
  readonly recvBuf: Uint8Array;
  readonly sendBuf: Uint8Array;

  readonly sab: SharedArrayBuffer;

  constructor(sab: SharedArrayBuffer) {
    this.sab = sab;
    this.hdr = new Int32Array(sab, 0, HEADER_INTS);
    this.recvBuf = new Uint8Array(sab, HEADER_BYTES, RECV_CAP);
    this.sendBuf = new Uint8Array(sab, HEADER_BYTES + RECV_CAP, SEND_CAP);
  }

  static create(): SocketRing {
    return new SocketRing(new SharedArrayBuffer(RING_BYTES));
  }

  reset(): void {
    for (let i = 0; i < HEADER_INTS; i++) Atomics.store(this.hdr, i, 0);
  }

  /** Bytes in the receive ring. */
  recvAvailable(): number {
    return (Atomics.load(this.hdr, H.RW) - Atomics.load(this.hdr, H.RR)) | 0;
  }

  /** Free bytes in the receive ring. */
  recvFree(): number {
    return RECV_CAP - this.recvAvailable();
  }

  /** Producer (event loop): copies as much of `src` as fits; returns the count. */
  recvWrite(src: Uint8Array): number {
    const w = Atomics.load(this.hdr, H.RW);
    const used = (w - Atomics.load(this.hdr, H.RR)) | 0;
    const n = Math.min(src.length, RECV_CAP - used);
    if (n <= 0) return 0;
    copyIn(this.recvBuf, w >>> 0, src, n);
    Atomics.store(this.hdr, H.RW, (w + n) | 0);
    return n;
  }

  /** Producer (event loop): a view of the free space at the write position (contiguous, at most
   * `max` bytes), for a socket read straight into the ring; null when less than `min` is free. */
  recvWritable(min: number, max: number): Uint8Array | null {
    const w = Atomics.load(this.hdr, H.RW);
    const free = RECV_CAP - ((w - Atomics.load(this.hdr, H.RR)) | 0);
    const at = (w >>> 0) % RECV_CAP;
    const n = Math.min(free, RECV_CAP - at, max);
    return n >= min ? this.recvBuf.subarray(at, at + n) : null;
  }

  /** Producer (event loop): `n` bytes were written into the view recvWritable gave. */
  recvCommit(n: number): void {
    Atomics.store(this.hdr, H.RW, (Atomics.load(this.hdr, H.RW) + n) | 0);
  }

  /** Consumer (guest): copies up to `n` bytes at offset `skip` past the read position into
   * `dest` at `destOff`; advances the read position unless `peek`. Returns the count. */
  recvRead(dest: Uint8Array, destOff: number, n: number, skip: number, peek: boolean): number {
    const r = Atomics.load(this.hdr, H.RR);
    const avail = ((Atomics.load(this.hdr, H.RW) - r) | 0) - skip;
    const k = Math.min(n, avail);
    if (k <= 0) return 0;
    copyOut(this.recvBuf, (r + skip) >>> 0, dest, destOff, k);
    if (!peek) Atomics.store(this.hdr, H.RR, (r + k) | 0);
    return k;
  }

  /** Consumer (guest): drops everything buffered (shutdown(SHUT_RD)). */
  recvDiscard(): void {
    Atomics.store(this.hdr, H.RR, Atomics.load(this.hdr, H.RW));
  }

  /** Bytes waiting in the send ring. */
  sendPending(): number {
    return (Atomics.load(this.hdr, H.SW) - Atomics.load(this.hdr, H.SR)) | 0;
  }

  sendFree(): number {
    return SEND_CAP - this.sendPending();
  }

  /** Producer (guest): copies up to `n` bytes of `src` from `srcOff`; returns the count. */
  sendWrite(src: Uint8Array, srcOff: number, n: number): number {
    const w = Atomics.load(this.hdr, H.SW);
    const used = (w - Atomics.load(this.hdr, H.SR)) | 0;
    const k = Math.min(n, SEND_CAP - used);
    if (k <= 0) return 0;
    copyIn(this.sendBuf, w >>> 0, src.subarray(srcOff, srcOff + k), k);
    Atomics.store(this.hdr, H.SW, (w + k) | 0);
    return k;
  }

  /** Consumer (event loop): takes every pending byte into a fresh Buffer (null when none). */
  sendTake(): Buffer | null {
    const r = Atomics.load(this.hdr, H.SR);
    const n = (Atomics.load(this.hdr, H.SW) - r) | 0;
    if (n <= 0) return null;
    const out = Buffer.allocUnsafe(n);
    copyOut(this.sendBuf, r >>> 0, out, 0, n);
    Atomics.store(this.hdr, H.SR, (r + n) | 0);
    return out;
  }

  /** Consumer (event loop): drops every pending byte (the connection is gone). */
  sendDiscard(): void {
    Atomics.store(this.hdr, H.SR, Atomics.load(this.hdr, H.SW));
  }
}

/** Copies `n` bytes of `src` into the ring `buf` at running position `pos`, wrapping. */
function copyIn(buf: Uint8Array, pos: number, src: Uint8Array, n: number): void {
  const cap = buf.length;
  const at = pos % cap;
  const first = Math.min(n, cap - at);
  buf.set(first === src.length ? src : src.subarray(0, first), at);
  if (n > first) buf.set(src.subarray(first, n), 0);
}

/** Copies `n` bytes from the ring `buf` at running position `pos` into `dest` at `off`. */
function copyOut(buf: Uint8Array, pos: number, dest: Uint8Array, off: number, n: number): void {
  const cap = buf.length;
  const at = pos % cap;
  const first = Math.min(n, cap - at);
  dest.set(buf.subarray(at, at + first), off);
  if (n > first) dest.set(buf.subarray(0, n - first), off + first);
}
