// recv and send for every guest socket: through the socket's rings when it has them (rings.ts),
// else as RECV/SEND requests whose bytes travel in the channel's data buffer.
import type { GuestAddress } from '../../abi/addr.ts';
import { DATA_SIZE, type GuestChannel } from '../../channel/channel.ts';
import { Errno } from '../../errno.ts';
import { totalLength, type GuestMemory, type IoVec } from '../../abi/guest-memory.ts';
import { Ops } from '../../channel/ops.ts';
import { RecvFlags } from '../constants.ts';
import type { GuestRings, Transfer } from './rings.ts';
import type { GuestSocket } from './socket-table.ts';

export interface Received extends Transfer {
  roflags: number;
  /** recvfrom: the sender (the peer of a stream socket), or null. */
  from: { address: GuestAddress | null; port: number };
}

const failed = (err: number): Received => ({ err, n: 0, roflags: 0, from: { address: null, port: 0 } });

/**
 * A ring (RING_BYTES of shared memory) pays off on a connection that talks: not on one that is
 * closed before it says anything, nor on one held idle. A server accepting a burst of such
 * connections would otherwise make a ring for each (and a dropped ring is freed only when both
 * threads collect garbage). So a stream socket receives through plain RECVs until one brought
 * data; its first send attaches the ring as well.
 */
const wantsRing = (s: GuestSocket): boolean => s.stream && !s.ring && s.dataRecvs > 0;

export class SocketTransfer {
  private readonly mem: GuestMemory;
  private readonly ch: GuestChannel;
  private readonly rings: GuestRings;

  constructor(
    mem: GuestMemory,
    ch: GuestChannel,
    rings: GuestRings,
  ) {
    this.mem = mem;
    this.ch = ch;
    this.rings = rings;}

  recv(s: GuestSocket, iovs: IoVec[], riflags: number, from: boolean): Received {
    const ch = this.ch;
    if (wantsRing(s) && this.rings.attach(s) === Errno.BADF) return failed(Errno.BADF);
    if (s.stream && s.ring) {
      const r = this.rings.recv(s, iovs, riflags);
      if (r.err) return failed(r.err);
      const got: Received = { ...r, roflags: 0, from: { address: null, port: 0 } };
      // recvfrom on a stream socket: the peer's address, if connected.
      if (from) {
        const [err, peer] = ch.call(Ops.peerAddress, { fd: s.id });
        if (!err) got.from = peer;
      }
      return got;
    }
    const want = totalLength(iovs);
    const request = { fd: s.id, max: Math.min(want, DATA_SIZE), riflags: riflags & (RecvFlags.PEEK | RecvFlags.WAITALL), nonblock: s.nonblock, timeoutMs: s.recvTimeoutMs };
    let got: Received;
    if (from) {
      const [err, reply] = ch.call(Ops.recvFrom, request);
      if (err) return failed(err);
      got = { err: 0, n: reply.n, roflags: reply.roflags, from: { address: reply.address, port: reply.port } };
    } else {
      const [err, reply] = ch.call(Ops.recv, request);
      if (err) return failed(err);
      got = { err: 0, n: reply.n, roflags: reply.roflags, from: { address: null, port: 0 } };
    }
    got.n = Math.min(got.n, want);
    this.mem.scatter(iovs, ch.data.subarray(0, got.n));
    if (s.stream && got.n > 0 && !(riflags & RecvFlags.PEEK)) s.dataRecvs++;
    return got;
  }

  /** send/send_to: a blocking stream socket sends everything (in DATA_SIZE chunks). */
  send(s: GuestSocket, iovs: IoVec[], to: GuestAddress | null, port: number): Transfer {
    const ch = this.ch;
    const total = totalLength(iovs);
    if (s.stream && s.shutWr) return { err: Errno.PIPE, n: 0 };
    if (s.stream && s.connected && (s.ring || this.rings.attach(s) === 0)) return this.rings.send(s, iovs);
    ch.sync();
    const wait = { nonblock: s.nonblock, timeoutMs: s.sendTimeoutMs };
    if (!s.stream) {
      if (total > DATA_SIZE) return { err: Errno.MSGSIZE, n: 0 };
      const len = this.gather(iovs, 0, DATA_SIZE);
      const [err, reply] = to ? ch.call(Ops.sendTo, { fd: s.id, len, to, port, ...wait }) : ch.call(Ops.send, { fd: s.id, len, ...wait });
      return err ? { err, n: 0 } : { err: 0, n: reply.n };
    }
    let sent = 0;
    do {
      const len = this.gather(iovs, sent, DATA_SIZE);
      const [err, reply] = ch.call(Ops.send, { fd: s.id, len, ...wait });
      if (err) return sent > 0 ? { err: 0, n: sent } : { err, n: 0 };
      s.connected = true;
      sent += reply.n;
      if (reply.n < len || s.nonblock) break;
    } while (sent < total);
    return { err: 0, n: sent };
  }

  /** Copies the iovecs' bytes from offset `skip` on (at most `max`) into the shared data buffer. */
  private gather(iovs: IoVec[], skip: number, max: number): number {
    this.ch.sync(); // a posted request may still be reading the data buffer
    const data = this.ch.data;
    let off = 0;
    let pos = 0;
    const u8 = this.mem.bytes(0, this.mem.size);
    for (const iov of iovs) {
      if (off >= max) break;
      const end = pos + iov.len;
      if (end > skip) {
        const start = Math.max(skip, pos) - pos;
        const n = Math.min(iov.len - start, max - off);
        data.set(u8.subarray(iov.ptr + start, iov.ptr + start + n), off);
        off += n;
      }
      pos = end;
    }
    return off;
  }
}
