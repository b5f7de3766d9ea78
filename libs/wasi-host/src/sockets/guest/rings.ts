// The guest-thread half of the socket rings (ring.ts): a connected stream socket reads what the
// event loop put in its receive ring and writes into its send ring without a request, and waits
// on the ring header instead of a request while its connection is live. Rings of closed sockets
// are pooled for the next connection.
import { Errno } from '../../errno.ts';
import type { GuestChannel } from '../../channel/channel.ts';
import { totalLength, type GuestMemory, type IoVec } from '../../abi/guest-memory.ts';
import { Ops } from '../../channel/ops.ts';
import { RecvFlags } from '../constants.ts';
import { H, RECV_CAP, REFILL_FREE, SocketRing } from '../ring.ts';
import type { GuestSocket } from './socket-table.ts';
import type { InterruptFlag } from '../../interrupts.ts';

/** Rings of closed sockets kept for reuse (each is RING_BYTES of shared memory). A dropped ring
 * is freed only when both threads' garbage collectors get to it, which a busy server does not
 * wait for: a server accepting bursts of connections must find its rings here again. */
export const RING_POOL_MAX = 64;

/** What a recv or send did: an errno, or n bytes (and for recvfrom, the sender). */
export interface Transfer {
  err: number;
  n: number;
}

/** Where the guest thread posts a new ring: a MessagePort to the event loop's thread. */
export interface RingPort {
  postMessage(value: unknown): void;
}

export class GuestRings {
  private readonly pool: { id: number; ring: SocketRing }[] = [];
  private nextId = 1;

  private readonly mem: GuestMemory;
  private readonly ch: GuestChannel;
  /** Where new rings are posted for the event loop; without it there are no rings. */
  private readonly port: RingPort | undefined;
  /** Raised by an interrupt, which ends a blocking recv's wait with EINTR (interrupts.ts). */
  private readonly interrupts: InterruptFlag | undefined;

  constructor(
    mem: GuestMemory,
    ch: GuestChannel,
    port: RingPort | undefined,
    interrupts?: InterruptFlag,
  ) {
    this.mem = mem;
    this.ch = ch;
    this.port = port;
    this.interrupts = interrupts;}

  /** Gives a stream socket its rings (once); 0 or an errno. The RING request is posted, not
   * waited for: it cannot fail for a stream socket without a ring and a ring out of quarantine,
   * so a connection's first send or ringed recv costs no round trip (a TLS handshake's first
   * flight goes out at once). */
  attach(s: GuestSocket): number {
    if (s.ring) return 0;
    if (!this.port) return Errno.NOSYS;
    if (!s.stream) return Errno.INVAL;
    this.ch.sync(); // the close of a pooled ring's last socket has been served (it may quarantine the ring)
    let r: { id: number; ring: SocketRing } | undefined;
    // A ring whose last connection is still closing may still be written to: it waits its turn.
    for (let left = this.pool.length; left > 0 && !r; left--) {
      const pooled = this.pool.shift()!;
      if (Atomics.load(pooled.ring.hdr, H.QUARANTINED)) this.pool.push(pooled);
      else r = pooled;
    }
    const isNew = !r;
    if (!r) {
      r = { id: this.nextId++, ring: SocketRing.create() };
      this.port.postMessage({ id: r.id, sab: r.ring.sab });
    }
    r.ring.reset();
    this.ch.post(Ops.ring, { fd: s.id, ringId: r.id, isNew });
    s.ring = r;
    return 0;
  }

  /** Pools a closed socket's ring, or drops it: returns the id of a dropped ring (the event loop
   * must forget it too, or every connection would leave its ring behind), else 0. */
  release(s: GuestSocket): number {
    const r = s.ring;
    s.ring = null;
    if (!r) return 0;
    if (this.pool.length < RING_POOL_MAX) {
      this.pool.push(r);
      return 0;
    }
    return r.id;
  }

  /** recv through the ring: buffered bytes without a round trip; otherwise one RECV that waits
   * (per blocking/timeout) until the ring has data, EOF or an error. */
  recv(s: GuestSocket, iovs: IoVec[], flags: number): Transfer {
    const ring = s.ring!.ring;
    const hdr = ring.hdr;
    const want = totalLength(iovs);
    const peek = (flags & RecvFlags.PEEK) !== 0;
    const waitAll = (flags & RecvFlags.WAITALL) !== 0 && !peek;
    let got = 0;
    for (;;) {
      if (ring.recvAvailable() > 0) {
        got += this.toIovecs(ring, iovs, got, want - got, peek);
        if (!peek) this.askRefill(ring);
        if (got >= want || !waitAll) return { err: 0, n: got };
      } else if (want === 0) {
        return { err: 0, n: 0 };
      }
      // A blocking recv on a live connection whose bytes all come through the ring: wait for the
      // event loop to put some there, without a request (it notifies RSEQ). Not while the event
      // loop has yet to take a send (a request-response exchange): the request below makes it
      // flush at once, which answers sooner than the doorbell alone. A posted RING (the first
      // send's) is served first: it publishes RLIVE and takes the sends written before it.
      this.ch.sync();
      if (!s.nonblock && Atomics.load(hdr, H.RLIVE) === 1 && Atomics.load(hdr, H.RQUEUED) === 0 && Atomics.load(hdr, H.SBELL) === 0) {
        Atomics.store(hdr, H.RSLEEP, 1);
        const seq = Atomics.load(hdr, H.RSEQ);
        let timedOut = false;
        // An interrupt raised before RSLEEP was seen by the host would not wake us: look after setting it.
        if (ring.recvAvailable() === 0 && Atomics.load(hdr, H.RLIVE) === 1 && Atomics.load(hdr, H.RQUEUED) === 0 && !this.interrupts?.raised) {
          timedOut = Atomics.wait(hdr, H.RSEQ, seq, s.recvTimeoutMs < 0 ? Infinity : s.recvTimeoutMs) === 'timed-out';
        }
        Atomics.store(hdr, H.RSLEEP, 0);
        if (timedOut && ring.recvAvailable() === 0) return got > 0 ? { err: 0, n: got } : { err: Errno.AGAIN, n: 0 };
        if (this.interrupts?.raised && ring.recvAvailable() === 0) return got > 0 ? { err: 0, n: got } : { err: Errno.INTR, n: 0 };
        continue;
      }
      const max = waitAll ? Math.min(want - got, RECV_CAP) : 1;
      const [err, reply] = this.ch.call(Ops.recv, { fd: s.id, max, riflags: 0, nonblock: s.nonblock, timeoutMs: s.recvTimeoutMs });
      if (err) return got > 0 ? { err: 0, n: got } : { err, n: 0 };
      if (reply.n === 0) return { err: 0, n: got }; // EOF
    }
  }

  /** send into the send ring: returns at once unless the ring is full. A failure of the
   * connection shows at the next send (EPIPE), as with a kernel's send buffer. */
  send(s: GuestSocket, iovs: IoVec[]): Transfer {
    const ring = s.ring!.ring;
    const serr = Atomics.load(ring.hdr, H.SERR);
    if (serr) return { err: serr, n: 0 };
    const total = totalLength(iovs);
    let sent = 0;
    let idx = 0;
    let off = 0;
    while (sent < total) {
      const u8 = this.mem.bytes(0, this.mem.size);
      while (idx < iovs.length) {
        const iov = iovs[idx]!;
        const k = ring.sendWrite(u8, iov.ptr + off, iov.len - off);
        sent += k;
        off += k;
        if (off < iov.len) break;
        idx++;
        off = 0;
      }
      if (Atomics.compareExchange(ring.hdr, H.SBELL, 0, 1) === 0) this.ch.ring();
      if (sent >= total) break;
      // The ring is full: let the event loop drain it (waits unless non-blocking).
      if (s.nonblock && sent > 0) break;
      const [err] = this.ch.call(Ops.sendWait, { fd: s.id, nonblock: s.nonblock, timeoutMs: s.sendTimeoutMs });
      if (err) return sent > 0 ? { err: 0, n: sent } : { err, n: 0 };
    }
    return { err: 0, n: sent };
  }

  /** After the guest consumed received bytes: ask for a refill if the event loop holds more and
   * the ring has room for a good part of it. */
  private askRefill(ring: SocketRing): void {
    if (Atomics.load(ring.hdr, H.RQUEUED) > 0 && ring.recvFree() >= REFILL_FREE && Atomics.compareExchange(ring.hdr, H.RWANT, 0, 1) === 0) this.ch.ring();
  }

  /** Copies up to `max` bytes from the receive ring into the iovecs, starting `done` bytes into
   * them (and, when peeking, `done` bytes into the ring). */
  private toIovecs(ring: SocketRing, iovs: IoVec[], done: number, max: number, peek: boolean): number {
    const u8 = this.mem.bytes(0, this.mem.size);
    let pos = 0;
    let got = 0;
    for (const iov of iovs) {
      if (got >= max) break;
      const end = pos + iov.len;
      const at = done + got;
      if (end > at) {
        const start = at - pos;
        const len = Math.min(iov.len - start, max - got);
        const k = ring.recvRead(u8, iov.ptr + start, len, peek ? at : 0, peek);
        got += k;
        if (k < len) break;
      }
      pos = end;
    }
    return got;
  }
}
