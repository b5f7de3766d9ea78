// The event-loop half of the socket rings (ring.ts): moves received bytes into a stream socket's
// receive ring (straight from the kernel for connections we dialled), drains its send ring into
// the connection when the guest rings the doorbell, and publishes the connection's state in the
// ring header so the guest can read and wait without a request.
import type * as net from 'node:net';
import { receiveMessageOnPort } from 'node:worker_threads';
import { Errno } from '../../errno.ts';
import { Ops } from '../../channel/ops.ts';
import { H, REFILL_FREE, SocketRing } from '../ring.ts';
import type { ServiceContext } from './context.ts';
import type { HostSocket } from './host-socket.ts';

/** Receive queue size above which a TCP socket stops reading (kernel-like backpressure). */
export const RECV_HIGH = 8 * 1024 * 1024;
export const RECV_LOW = 2 * 1024 * 1024;
/** Unsent bytes Node may hold for a socket before blocking sends wait and non-blocking ones EAGAIN. */
export const SEND_HIGH = 4 * 1024 * 1024;
/** A connection we dialled reads straight into its ring when this much is free there; up to
 * DIRECT_MAX bytes per read. */
const DIRECT_MIN = 16 * 1024;
const DIRECT_MAX = 256 * 1024;
const SCRATCH_SIZE = 64 * 1024;

export class RingPump {
  /** Rings by id (the guest reuses rings of closed sockets). */
  private readonly rings = new Map<number, SocketRing>();
  private readonly ringSockets = new Set<HostSocket>();

  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;}

  /** RING: gives the socket a ring (the guest posted a new one on the ring port first). Posted by
   * the guest, which has checked what would fail here (a stream socket without a ring, a ring not
   * QUARANTINED): a failure is a bug. */
  attach(fd: number, id: number, isNew: boolean): void {
    const ctx = this.ctx;
    // Take the posted ring first, whatever happens next, so the port never holds a stale one.
    if (isNew) {
      const port = ctx.options.ringPort;
      const msg = (port ? receiveMessageOnPort(port) : undefined)?.message as { id: number; sab: SharedArrayBuffer } | undefined;
      if (!msg || msg.id !== id) return ctx.status(Errno.IO);
      this.rings.set(id, new SocketRing(msg.sab));
    }
    const ring = this.rings.get(id);
    const s = ctx.sockets.get(fd);
    if (!ring) return ctx.status(Errno.INVAL);
    if (!s) return ctx.status(Errno.BADF);
    if (!s.stream || s.ring) return ctx.status(Errno.INVAL);
    if (Atomics.load(ring.hdr, H.QUARANTINED)) return ctx.status(Errno.AGAIN);
    s.ring = ring;
    s.ringId = id;
    this.ringSockets.add(s);
    if (s.readErr) Atomics.store(ring.hdr, H.SERR, Errno.PIPE);
    this.publishLive(s);
    this.refill(s);
    // RING is posted: the guest may have written sends (and rung) before it was served.
    if (Atomics.load(ring.hdr, H.SBELL)) {
      Atomics.store(ring.hdr, H.SBELL, 0);
      this.flushSend(s);
    }
    ctx.status(0);
  }

  /** The socket is closing: sends the guest already made go out; its ring is released (kept out
   * of reuse while a dialled connection may still read into it). */
  detach(s: HostSocket): void {
    const ring = s.ring;
    if (!ring) return;
    // A dialled connection may still read into the ring until its handle closes: not reusable.
    if (s.conn && s.scratch !== null) {
      Atomics.store(ring.hdr, H.QUARANTINED, 1);
      s.conn.once('close', () => Atomics.store(ring.hdr, H.QUARANTINED, 0));
    }
    this.flushSend(s, true);
    Atomics.store(ring.hdr, H.RLIVE, 0);
    this.news(ring);
    this.ringSockets.delete(s);
    s.ring = null;
  }

  /** The guest dropped a ring (its pool was full): forget it. */
  forget(id: number): void {
    this.rings.delete(id);
  }

  /** The doorbell: sends waiting in rings, refills the guest asked for. */
  serviceDoorbell(): void {
    for (const s of this.ringSockets) {
      const hdr = s.ring!.hdr;
      if (Atomics.load(hdr, H.SBELL)) {
        Atomics.store(hdr, H.SBELL, 0);
        this.flushSend(s);
      }
      if (Atomics.load(hdr, H.RWANT)) {
        Atomics.store(hdr, H.RWANT, 0);
        this.refill(s);
      }
    }
  }

  /** net.connect's `onread` for a connection we dial: the kernel copies straight into the
   * socket's receive ring when it has room and nothing is queued before it; otherwise into a
   * scratch buffer whose bytes are queued (and moved to the ring by refill). */
  directRead(s: HostSocket): net.OnReadOpts {
    s.direct = true;
    return {
      buffer: () => {
        const ring = s.ring;
        if (ring && s.recvQueue.length === 0) {
          const view = ring.recvWritable(DIRECT_MIN, DIRECT_MAX);
          if (view) return view;
        }
        return (s.scratch ??= Buffer.allocUnsafe(SCRATCH_SIZE));
      },
      callback: (n: number, buf: Uint8Array) => {
        if (s.shutRd || s.conn === null) return true;
        if (s.ring && buf.buffer === s.ring.sab) {
          s.ring.recvCommit(n);
          this.news(s.ring);
        } else {
          s.recvQueue.push(Buffer.from(buf.subarray(0, n)));
          s.recvBytes += n;
          this.refill(s);
        }
        this.ctx.wake();
        // The ring is (nearly) full: stop reading until the guest has made room (the kernel
        // buffers meanwhile), rather than copy through scratch and the queue.
        if (!s.paused && (s.recvBytes > RECV_HIGH || (s.ring && s.ring.recvFree() < DIRECT_MIN))) {
          s.paused = true;
          if (s.ring) this.publishQueued(s, s.ring);
          return false;
        }
        return true;
      },
    };
  }

  /** Moves queued received bytes into the socket's ring while it has room. */
  refill(s: HostSocket): void {
    const ring = s.ring;
    if (!ring) return;
    let moved = false;
    while (s.recvQueue.length) {
      const chunk = s.recvQueue[0]!;
      const k = ring.recvWrite(chunk);
      if (k === 0) break;
      moved = true;
      s.recvBytes -= k;
      if (k === chunk.length) s.recvQueue.shift();
      else {
        s.recvQueue[0] = chunk.subarray(k);
        break;
      }
    }
    if (s.paused && s.recvBytes < RECV_LOW && s.conn && (!s.direct || ring.recvFree() >= REFILL_FREE || ring.recvAvailable() === 0)) {
      s.paused = false;
      s.conn.resume();
    }
    this.publishQueued(s, ring);
    if (moved) this.news(ring);
  }

  /** Publishes whether the connection can still deliver bytes (see H.RLIVE). */
  publishLive(s: HostSocket): void {
    const ring = s.ring;
    if (!ring) return;
    const live = s.conn !== null && s.state === 'connected' && !s.eof && !s.readErr && !s.shutRd ? 1 : 0;
    if (Atomics.load(ring.hdr, H.RLIVE) === live) return;
    Atomics.store(ring.hdr, H.RLIVE, live);
    this.news(ring);
  }

  /** The connection failed: sends from now on fail (the next one the guest makes reports it). */
  publishSendError(s: HostSocket): void {
    if (!s.ring) return;
    s.ring.sendDiscard();
    Atomics.store(s.ring.hdr, H.SERR, Errno.PIPE);
  }

  /** Writes what the guest put in the send ring to the connection (unless Node already holds
   * SEND_HIGH unsent bytes and `force` is false: 'drain' calls again). */
  flushSend(s: HostSocket, force = false): void {
    const ring = s.ring;
    if (!ring || ring.sendPending() === 0) return;
    const c = s.conn;
    if (!c || c.destroyed || c.writableEnded || s.readErr) {
      ring.sendDiscard();
      if (!Atomics.load(ring.hdr, H.SERR)) Atomics.store(ring.hdr, H.SERR, Errno.PIPE);
      return;
    }
    if (!force && c.writableLength >= SEND_HIGH) return;
    const buf = ring.sendTake();
    if (buf) c.write(buf);
  }

  /** RECV on a socket with a ring: waits until the ring holds at least `min` bytes (fewer at
   * EOF/error), then answers n = the bytes in the ring; 0 = EOF. The guest reads the ring. */
  recv(s: HostSocket, min: number, o: { nonblock: boolean; timeoutMs: number }): void {
    const ctx = this.ctx;
    const ring = s.ring!;
    if (s.failedConnect) return ctx.status(s.takeError());
    if (s.state === 'listening' || (s.state === 'idle' && !s.readErr && !s.conn && !s.eof)) return ctx.status(Errno.NOTCONN);
    const want = Math.max(1, min);
    const answer = (n: number) => ctx.reply(Ops.recv, { n, roflags: 0 });
    const attempt = () => {
      this.refill(s);
      const avail = ring.recvAvailable();
      // Enough, or all there will be for now (the ring is full, or the stream ended).
      if (avail > 0 && (avail >= want || s.recvBytes > 0 || s.eof || s.readErr || s.shutRd || !s.conn)) {
        answer(avail);
        return true;
      }
      if (avail === 0 && s.readErr) {
        const e = s.readErr;
        s.readErr = 0;
        ctx.status(e);
        return true;
      }
      if (avail === 0 && (s.eof || s.shutRd)) {
        answer(0);
        return true;
      }
      return false;
    };
    ctx.wait(attempt, o, () => {
      const avail = ring.recvAvailable();
      if (avail > 0) answer(avail);
      else ctx.status(Errno.AGAIN);
    }, true);
  }

  /** SENDWAIT: flushes the send ring and waits until it has room. */
  sendWait(s: HostSocket, o: { nonblock: boolean; timeoutMs: number }): void {
    const ctx = this.ctx;
    const ring = s.ring;
    if (!ring) return ctx.status(Errno.INVAL);
    const attempt = () => {
      this.flushSend(s);
      const e = Atomics.load(ring.hdr, H.SERR);
      if (e || ring.sendFree() > 0) {
        ctx.status(e);
        return true;
      }
      return false;
    };
    ctx.wait(attempt, o, () => ctx.status(Errno.AGAIN));
  }

  /** Tells the guest whether the event loop holds more than the ring: queued bytes, or 1 while a
   * dialled connection is paused for room. */
  publishQueued(s: HostSocket, ring: SocketRing): void {
    const held = s.recvBytes > 0 ? s.recvBytes : s.paused && s.direct && s.conn ? 1 : 0;
    Atomics.store(ring.hdr, H.RQUEUED, held);
  }

  /** Wakes a guest waiting on any ring without news (an interrupt: interrupts.ts). */
  wakeSleepers(): void {
    for (const ring of this.rings.values()) if (Atomics.load(ring.hdr, H.RSLEEP)) Atomics.notify(ring.hdr, H.RSEQ);
  }

  /** Wakes a guest waiting on the ring (new bytes or a new RLIVE). */
  private news(ring: SocketRing): void {
    Atomics.add(ring.hdr, H.RSEQ, 1);
    if (Atomics.load(ring.hdr, H.RSLEEP)) Atomics.notify(ring.hdr, H.RSEQ);
  }
}
