// The guest-thread half of the socket extension: the WasmEdge sock_* imports plus the fd_* and
// poll_oneoff overrides that route socket fds to the event loop and everything else to the host's
// own preview1 calls. The caller wraps every import (host-call.ts): a bad pointer answers EFAULT
// and no host exception escapes, except ProcExit, which must reach the caller of _start.
import { decodeAddress, encodeAddress, type GuestAddress } from './abi/addr.ts';
import { readHints, writeAddrinfoChain } from './abi/addrinfo.ts';
import { DATA_SIZE, GuestChannel, Op } from './channel.ts';
import { Errno } from './errno.ts';
import type { FdTable } from './fs/fd-table.ts';
import type { HostFn } from './host-call.ts';
import { GuestMemory, totalLength, type IoVec } from './guest-memory.ts';
import { pollOneoff } from './poll-oneoff.ts';
import { decodePollReply, encodePollRequest, IPPROTO_TCP, RecvFlags, SockOpt, SOL_SOCKET, TCP_NODELAY, type GetaddrinfoReply, type PollRequestEntry } from './protocol.ts';
import { H, RECV_CAP, REFILL_FREE, SocketRing } from './ring.ts';
import { SocketTable, type GuestSocket } from './socket-table.ts';
import type { SocketShapes } from './wasm-imports.ts';
import { realtimeNs } from './wasi-process.ts';

type WasiImport = Record<string, HostFn>;

const FDFLAGS_NONBLOCK = 4;
const FILETYPE_SOCKET_DGRAM = 5;
const FILETYPE_SOCKET_STREAM = 6;
// rights: FD_READ 1<<1, FD_WRITE 1<<6, FDSTAT_SET_FLAGS 1<<3, FILESTAT_GET 1<<21,
// POLL_FD_READWRITE 1<<27, SOCK_SHUTDOWN 1<<28, SOCK_ACCEPT 1<<29
const SOCKET_RIGHTS = (1n << 1n) | (1n << 6n) | (1n << 3n) | (1n << 21n) | (1n << 27n) | (1n << 28n) | (1n << 29n);
const MAX_ADDR_LEN = 4096;
/** Rings of closed sockets kept for reuse (each is RING_BYTES of shared memory). A dropped ring
 * is freed only when both threads' garbage collectors get to it, which a busy server does not
 * wait for: a server accepting bursts of connections must find its rings here again. */
const RING_POOL_MAX = 64;

export interface SocketImportsOptions {
  memory: () => WebAssembly.Memory;
  channel: GuestChannel;
  /** The rest of preview1 (files, stdio, exit): what a non-socket fd goes to. */
  wasi: WasiImport;
  /** The guest's one fd table; sockets take their numbers from it. */
  fds: FdTable;
  shapes: SocketShapes;
  /** Where new socket rings are posted for the event loop (see Op.RING). Without it, stream
   * sockets use plain RECV/SEND requests. */
  ringPort?: { postMessage(value: unknown): void };
}

export function createSocketImports(opts: SocketImportsOptions): WasiImport {
  const mem = new GuestMemory(opts.memory);
  const ch = opts.channel;
  const table = new SocketTable(opts.fds);
  const wasi = opts.wasi;
  const data = ch.data;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));

  const sock = (fd: number): GuestSocket | undefined => table.get(fd >>> 0);

  /** The errno of a sock_* call on an fd that is not one of our sockets. */
  const notSocket = (fd: number): number => (opts.fds.get(fd) ? Errno.NOTSOCK : Errno.BADF);

  const readAddress = (ptr: number): GuestAddress | null => {
    const buf = mem.u32(ptr);
    const len = mem.u32(ptr + 4);
    if (len > MAX_ADDR_LEN) return null;
    return decodeAddress(mem.bytes(buf, len).slice());
  };

  const writeAddress = (ptr: number, addr: GuestAddress | null): boolean => {
    const buf = mem.u32(ptr);
    const len = mem.u32(ptr + 4);
    mem.check(buf, len, 'address buffer');
    if (!addr) return true;
    const enc = encodeAddress(addr, len);
    if (!enc) return false;
    mem.write(buf, enc);
    return true;
  };

  const validPort = (port: number) => port >= 0 && port <= 0xffff;

  /** Copies the iovecs' bytes from offset `skip` on (at most `max`) into the shared data buffer. */
  const gatherFrom = (iovs: IoVec[], skip: number, max: number): number => {
    ch.sync(); // a posted request may still be reading the data buffer
    let off = 0;
    let pos = 0;
    const u8 = mem.bytes(0, mem.size);
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
  };

  // ---- stream rings (ring.ts) ----
  const ringPool: { id: number; ring: SocketRing }[] = [];
  let nextRingId = 1;

  /** Gives a stream socket its rings (once); 0 or an errno. */
  const attachRing = (s: GuestSocket): number => {
    if (s.ring) return 0;
    if (!opts.ringPort) return Errno.NOSYS;
    ch.sync(); // a pooled ring's previous socket must be closed before the reset
    let pooled = ringPool.length;
    for (;;) {
      let r = pooled-- > 0 ? ringPool.shift() : undefined;
      let isNew = 0;
      if (!r) {
        r = { id: nextRingId++, ring: SocketRing.create() };
        opts.ringPort.postMessage({ id: r.id, sab: r.ring.sab });
        isNew = 1;
      }
      r.ring.reset();
      const err = ch.call(Op.RING, s.fd, r.id, isNew);
      // AGAIN: the ring's last connection is still closing; it goes back to the end of the pool.
      if (err === Errno.AGAIN) {
        ringPool.push(r);
        if (isNew) return Errno.IO;
        continue;
      }
      if (err) {
        if (err !== Errno.IO) ringPool.push(r);
        return err;
      }
      s.ring = r;
      return 0;
    }
  };

  /** Pools a closed socket's ring, or drops it: returns the id of a dropped ring (the event loop
   * must forget it too, or every connection would leave its ring behind), else 0. */
  const releaseRing = (s: GuestSocket): number => {
    const r = s.ring;
    s.ring = null;
    if (!r) return 0;
    if (ringPool.length < RING_POOL_MAX) {
      ringPool.push(r);
      return 0;
    }
    return r.id;
  };

  /** After the guest consumed received bytes: ask for a refill if the event loop holds more and
   * the ring has room for a good part of it. */
  const askRefill = (ring: SocketRing): void => {
    if (Atomics.load(ring.hdr, H.RQUEUED) > 0 && ring.recvFree() >= REFILL_FREE && Atomics.compareExchange(ring.hdr, H.RWANT, 0, 1) === 0) ch.ring();
  };

  /** Copies up to `max` bytes from the receive ring into the iovecs, starting `done` bytes into
   * them (and, when peeking, `done` bytes into the ring). */
  const ringToIovecs = (ring: SocketRing, iovs: IoVec[], done: number, max: number, peek: boolean): number => {
    const u8 = mem.bytes(0, mem.size);
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
  };

  type RecvResult = { err: number; n: number; roflags: number; port: number; addr: GuestAddress | null };
  const recvOk = (n: number): RecvResult => ({ err: 0, n, roflags: 0, port: 0, addr: null });

  /** recv on a stream socket through its ring: buffered bytes without a round trip; otherwise one
   * RECV that waits (per blocking/timeout) until the ring has data, EOF or an error. */
  const recvStream = (s: GuestSocket, iovs: IoVec[], flags: number): RecvResult => {
    const ring = s.ring!.ring;
    const hdr = ring.hdr;
    const want = totalLength(iovs);
    const peek = (flags & RecvFlags.PEEK) !== 0;
    const waitAll = (flags & RecvFlags.WAITALL) !== 0 && !peek;
    let got = 0;
    for (;;) {
      if (ring.recvAvailable() > 0) {
        got += ringToIovecs(ring, iovs, got, want - got, peek);
        if (!peek) askRefill(ring);
        if (got >= want || !waitAll) return recvOk(got);
      } else if (want === 0) {
        return recvOk(0);
      }
      // A blocking recv on a live connection whose bytes all come through the ring: wait for the
      // event loop to put some there, without a request (it notifies RSEQ). Not while the event
      // loop has yet to take a send (a request-response exchange): the request below makes it
      // flush at once, which answers sooner than the doorbell alone.
      if (!s.nonblock && Atomics.load(hdr, H.RLIVE) === 1 && Atomics.load(hdr, H.RQUEUED) === 0 && Atomics.load(hdr, H.SBELL) === 0) {
        Atomics.store(hdr, H.RSLEEP, 1);
        const seq = Atomics.load(hdr, H.RSEQ);
        let timedOut = false;
        if (ring.recvAvailable() === 0 && Atomics.load(hdr, H.RLIVE) === 1 && Atomics.load(hdr, H.RQUEUED) === 0) {
          timedOut = Atomics.wait(hdr, H.RSEQ, seq, s.recvTimeoutMs < 0 ? Infinity : s.recvTimeoutMs) === 'timed-out';
        }
        Atomics.store(hdr, H.RSLEEP, 0);
        if (timedOut && ring.recvAvailable() === 0) return got > 0 ? recvOk(got) : { err: Errno.AGAIN, n: 0, roflags: 0, port: 0, addr: null };
        continue;
      }
      const min = waitAll ? Math.min(want - got, RECV_CAP) : 1;
      const err = ch.call(Op.RECV, s.fd, min, 0, s.nonblock ? 1 : 0, s.recvTimeoutMs);
      if (err) return got > 0 ? recvOk(got) : { err, n: 0, roflags: 0, port: 0, addr: null };
      if (ch.result(0) === 0) return recvOk(got); // EOF
    }
  };

  /**
   * A ring (RING_BYTES of shared memory) pays off on a connection that talks: not on one that is
   * closed before it says anything, nor on one held idle. A server accepting a burst of such
   * connections would otherwise make a ring for each (and a dropped ring is freed only when both
   * threads collect garbage). So a stream socket receives through plain RECVs until one brought
   * data; its first send attaches the ring as well.
   */
  const wantsRing = (s: GuestSocket): boolean => s.stream && !s.ring && s.dataRecvs > 0;

  const recv = (s: GuestSocket, iovs: IoVec[], flags: number, from: boolean): RecvResult => {
    if (wantsRing(s) && attachRing(s) === Errno.BADF) return { err: Errno.BADF, n: 0, roflags: 0, port: 0, addr: null };
    if (s.stream && s.ring) {
      const r = recvStream(s, iovs, flags);
      if (r.err || !from) return r;
      // recvfrom on a stream socket: the peer's address, if connected.
      if (ch.call(Op.PEERADDR, s.fd) === 0) {
        r.port = ch.result(0);
        r.addr = ch.resultJson<GuestAddress>(1);
      }
      return r;
    }
    const want = totalLength(iovs);
    const max = Math.min(want, DATA_SIZE);
    const err = ch.call(from ? Op.RECVFROM : Op.RECV, s.fd, max, flags & 3, s.nonblock ? 1 : 0, s.recvTimeoutMs);
    if (err) return { err, n: 0, roflags: 0, port: 0, addr: null };
    const got = ch.result(0);
    const n = Math.min(got, want);
    mem.scatter(iovs, data.subarray(0, n));
    if (s.stream && n > 0 && !(flags & RecvFlags.PEEK)) s.dataRecvs++;
    const addr = from ? ch.resultJson<GuestAddress | null>(3) : null;
    return { err: 0, n, roflags: ch.result(1), port: ch.result(2), addr };
  };

  /** A blocking (or non-blocking) send into the send ring of a connected stream socket: returns at
   * once unless the ring is full. A failure of the connection shows at the next send (EPIPE),
   * as with a kernel's send buffer. */
  const sendRing = (s: GuestSocket, iovs: IoVec[]): { err: number; n: number } => {
    const ring = s.ring!.ring;
    const serr = Atomics.load(ring.hdr, H.SERR);
    if (serr) return { err: serr, n: 0 };
    const total = totalLength(iovs);
    let sent = 0;
    let idx = 0;
    let off = 0;
    while (sent < total) {
      const u8 = mem.bytes(0, mem.size);
      while (idx < iovs.length) {
        const iov = iovs[idx]!;
        const k = ring.sendWrite(u8, iov.ptr + off, iov.len - off);
        sent += k;
        off += k;
        if (off < iov.len) break;
        idx++;
        off = 0;
      }
      if (Atomics.compareExchange(ring.hdr, H.SBELL, 0, 1) === 0) ch.ring();
      if (sent >= total) break;
      // The ring is full: let the event loop drain it (waits unless non-blocking).
      if (s.nonblock && sent > 0) break;
      const err = ch.call(Op.SENDWAIT, s.fd, s.nonblock ? 1 : 0, s.sendTimeoutMs);
      if (err) return sent > 0 ? { err: 0, n: sent } : { err, n: 0 };
    }
    return { err: 0, n: sent };
  };

  /** send/send_to: a blocking stream socket sends everything (in DATA_SIZE chunks). */
  const send = (s: GuestSocket, iovs: IoVec[], to: GuestAddress | null, port: number): { err: number; n: number } => {
    const total = totalLength(iovs);
    if (s.stream && s.shutWr) return { err: Errno.PIPE, n: 0 };
    if (s.stream && s.connected && (s.ring || attachRing(s) === 0)) return sendRing(s, iovs);
    ch.sync();
    if (!s.stream) {
      if (total > DATA_SIZE) return { err: Errno.MSGSIZE, n: 0 };
      const len = gatherFrom(iovs, 0, DATA_SIZE);
      const err = to
        ? ch.callJson(Op.SENDTO, to, s.fd, len, port, s.nonblock ? 1 : 0, s.sendTimeoutMs)
        : ch.call(Op.SEND, s.fd, len, s.nonblock ? 1 : 0, s.sendTimeoutMs);
      return err ? { err, n: 0 } : { err: 0, n: ch.result(0) };
    }
    let sent = 0;
    do {
      const len = gatherFrom(iovs, sent, DATA_SIZE);
      const err = ch.call(Op.SEND, s.fd, len, s.nonblock ? 1 : 0, s.sendTimeoutMs);
      if (err) return sent > 0 ? { err: 0, n: sent } : { err, n: 0 };
      s.connected = true;
      const n = ch.result(0);
      sent += n;
      if (n < len || s.nonblock) break;
    } while (sent < total);
    return { err: 0, n: sent };
  };

  const accept = (fd: number, fdflags: number, fdOut: number): number => {
    const s = sock(fd);
    if (!s) return notSocket(fd);
    if (!s.stream) return Errno.NOTSUP;
    mem.check(fdOut, 4, 'fd_out');
    const newFd = table.reserve();
    if (newFd < 0) return Errno.MFILE; // the one fd table is full (FD_LIMIT), as EMFILE on Linux
    const err = ch.call(Op.ACCEPT, s.fd, newFd, s.nonblock ? 1 : 0, s.recvTimeoutMs);
    if (err) return err;
    table.add(newFd, true, (fdflags & FDFLAGS_NONBLOCK) !== 0).connected = true;
    mem.setU32(fdOut, newFd);
    return 0;
  };

  const addrV2 = (op: number) => (fd: number, addrPtr: number, portOut: number): number => {
    const s = sock(fd);
    if (!s) return notSocket(fd);
    mem.check(portOut, 4, 'port_out');
    mem.check(addrPtr, 8, 'address');
    const err = ch.call(op, s.fd);
    if (err) return err;
    const port = ch.result(0);
    if (!writeAddress(addrPtr, ch.resultJson<GuestAddress>(1))) return Errno.INVAL;
    mem.setU32(portOut, port);
    return 0;
  };

  const addrV1 = (op: number) => (fd: number, addrPtr: number, typeOut: number, portOut: number): number => {
    const s = sock(fd);
    if (!s) return notSocket(fd);
    mem.check(portOut, 4, 'port_out');
    mem.check(typeOut, 4, 'type_out');
    mem.check(addrPtr, 8, 'address');
    const err = ch.call(op, s.fd);
    if (err) return err;
    const port = ch.result(0);
    const addr = ch.resultJson<GuestAddress>(1);
    if (addr.kind !== 'ip') return Errno.AFNOSUPPORT;
    if (!writeAddress(addrPtr, addr)) return Errno.INVAL;
    mem.setU32(typeOut, mem.u32(addrPtr + 4) === 4 ? 4 : 6);
    mem.setU32(portOut, port);
    return 0;
  };

  const recvFrom = (fd: number, iovsPtr: number, iovsLen: number, addrPtr: number, riflags: number, portOut: number | null, nreadOut: number, roflagsOut: number): number => {
    const s = sock(fd);
    if (!s) return notSocket(fd);
    const iovs = mem.iovecs(iovsPtr, iovsLen);
    mem.check(nreadOut, 4, 'nread');
    mem.check(roflagsOut, 2, 'roflags');
    if (portOut !== null) mem.check(portOut, 4, 'port_out');
    mem.check(addrPtr, 8, 'address');
    mem.check(mem.u32(addrPtr), mem.u32(addrPtr + 4), 'address buffer');
    const r = recv(s, iovs, riflags, true);
    if (r.err) return r.err;
    writeAddress(addrPtr, r.addr); // a too-small buffer keeps the data and drops the address
    if (portOut !== null) mem.setU32(portOut, r.port);
    mem.setU32(nreadOut, r.n);
    mem.setU16(roflagsOut, r.roflags);
    return 0;
  };

  const writeIntOpt = (valPtr: number, lenPtr: number, value: number): number => {
    const len = mem.u32(lenPtr);
    if (len < 4) return Errno.INVAL;
    mem.setU32(valPtr, value);
    mem.setU32(lenPtr, 4);
    return 0;
  };

  const imports: Record<string, HostFn> = {
    sock_open(af, socktype, fdOut) {
      mem.check(fdOut, 4, 'fd_out');
      const fd = table.reserve();
      if (fd < 0) return Errno.MFILE;
      // Arguments the event loop accepts (see SocketService.open) need no answer: posted.
      const valid = af >= 1 && af <= 3 && socktype >= 0 && socktype <= 2 && !(af === 3 && socktype === 1);
      if (valid) ch.post(Op.OPEN, null, fd, af, socktype);
      else {
        const err = ch.call(Op.OPEN, fd, af, socktype);
        if (err) return err;
      }
      table.add(fd, socktype !== 1);
      mem.setU32(fdOut, fd);
      return 0;
    },
    sock_bind(fd, addrPtr, port) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      const addr = readAddress(addrPtr);
      if (!addr || !validPort(port)) return Errno.INVAL;
      return ch.callJson(Op.BIND, addr, s.fd, port);
    },
    sock_connect(fd, addrPtr, port) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      const addr = readAddress(addrPtr);
      if (!addr || !validPort(port)) return Errno.INVAL;
      const err = ch.callJson(Op.CONNECT, addr, s.fd, port, s.nonblock ? 1 : 0, s.sendTimeoutMs);
      if (err === 0 && s.stream) s.connected = true;
      return err;
    },
    sock_listen(fd, backlog) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      return ch.call(Op.LISTEN, s.fd, backlog);
    },
    sock_accept:
      opts.shapes.sock_accept === 1
        ? (fd, fdOut) => accept(fd, 0, fdOut)
        : (fd, fdflags, fdOut) => accept(fd, fdflags, fdOut),
    sock_recv(fd, iovsPtr, iovsLen, riflags, nreadOut, roflagsOut) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(nreadOut, 4, 'nread');
      mem.check(roflagsOut, 2, 'roflags');
      const r = recv(s, iovs, riflags, false);
      if (r.err) return r.err;
      mem.setU32(nreadOut, r.n);
      mem.setU16(roflagsOut, r.roflags);
      return 0;
    },
    sock_send(fd, iovsPtr, iovsLen, _siflags, nwrittenOut) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(nwrittenOut, 4, 'nwritten');
      const r = send(s, iovs, null, 0);
      if (r.err) return r.err;
      mem.setU32(nwrittenOut, r.n);
      return 0;
    },
    sock_recv_from:
      opts.shapes.sock_recv_from === 1
        ? (fd, iovs, iovsLen, addr, riflags, nreadOut, roflagsOut) => recvFrom(fd, iovs, iovsLen, addr, riflags, null, nreadOut, roflagsOut)
        : (fd, iovs, iovsLen, addr, riflags, portOut, nreadOut, roflagsOut) => recvFrom(fd, iovs, iovsLen, addr, riflags, portOut, nreadOut, roflagsOut),
    sock_send_to(fd, iovsPtr, iovsLen, addrPtr, port, _siflags, nwrittenOut) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(nwrittenOut, 4, 'nwritten');
      const addr = readAddress(addrPtr);
      if (!addr || !validPort(port)) return Errno.INVAL;
      // On a stream socket the address is ignored, as Linux does for a connected socket.
      const r = send(s, iovs, s.stream ? null : addr, port);
      if (r.err) return r.err;
      mem.setU32(nwrittenOut, r.n);
      return 0;
    },
    sock_shutdown(fd, how) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      if (how < 1 || how > 3) return Errno.INVAL;
      const err = ch.call(Op.SHUTDOWN, s.fd, how);
      if (!err && how & 1) s.ring?.ring.recvDiscard();
      if (!err && how & 2 && s.stream) s.shutWr = true;
      return err;
    },
    sock_getsockopt(fd, level, name, valPtr, lenPtr) {
      // WasmEdge passes the length by pointer (u32 in/out).
      const s = sock(fd);
      if (!s) return notSocket(fd);
      const len = mem.u32(lenPtr);
      mem.check(valPtr, len, 'optval');
      if (level === SOL_SOCKET && (name === SockOpt.RCVTIMEO || name === SockOpt.SNDTIMEO)) {
        const ms = name === SockOpt.RCVTIMEO ? s.recvTimeoutMs : s.sendTimeoutMs;
        const us = ms < 0 ? 0 : Math.round(ms * 1000);
        if (len >= 16) {
          mem.setU64(valPtr, BigInt(Math.floor(us / 1e6)));
          mem.setU64(valPtr + 8, BigInt(us % 1e6));
          mem.setU32(lenPtr, 16);
          return 0;
        }
        if (len >= 8) {
          mem.setU32(valPtr, Math.floor(us / 1e6));
          mem.setU32(valPtr + 4, us % 1e6);
          mem.setU32(lenPtr, 8);
          return 0;
        }
        return Errno.INVAL;
      }
      const err = ch.call(Op.GETOPT, s.fd, level, name);
      if (err) return err;
      if (level === SOL_SOCKET && name === SockOpt.LINGER) {
        if (len < 8) return Errno.INVAL;
        mem.setU32(valPtr, ch.result(0));
        mem.setU32(valPtr + 4, ch.result(1));
        mem.setU32(lenPtr, 8);
        return 0;
      }
      return writeIntOpt(valPtr, lenPtr, ch.result(0));
    },
    sock_setsockopt(fd, level, name, valPtr, len) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      const n = len >>> 0;
      mem.check(valPtr, n, 'optval');
      if (level === SOL_SOCKET && (name === SockOpt.RCVTIMEO || name === SockOpt.SNDTIMEO)) {
        let sec: number;
        let usec: number;
        if (n >= 16) {
          sec = Number(BigInt.asIntN(64, mem.u64(valPtr)));
          usec = Number(BigInt.asIntN(64, mem.u64(valPtr + 8)));
        } else if (n >= 8) {
          sec = mem.u32(valPtr) | 0;
          usec = mem.u32(valPtr + 4) | 0;
        } else return Errno.INVAL;
        if (sec < 0 || usec < 0 || usec >= 1e6) return Errno.INVAL;
        const ms = sec * 1000 + usec / 1000;
        const v = ms === 0 ? -1 : Math.max(1, Math.min(Math.ceil(ms), 0x7fffffff));
        if (name === SockOpt.RCVTIMEO) s.recvTimeoutMs = v;
        else s.sendTimeoutMs = v;
        return 0;
      }
      if (n < 4) return Errno.INVAL;
      const value = mem.u32(valPtr) | 0;
      const value2 = n >= 8 ? mem.u32(valPtr + 4) | 0 : 0;
      // TCP_NODELAY always succeeds on the event loop: posted.
      if (level === IPPROTO_TCP && name === TCP_NODELAY) {
        ch.post(Op.SETOPT, null, s.fd, level, name, value, value2);
        return 0;
      }
      return ch.call(Op.SETOPT, s.fd, level, name, value, value2);
    },
    sock_getlocaladdr: opts.shapes.sock_getlocaladdr === 1 ? addrV1(Op.LOCALADDR) : addrV2(Op.LOCALADDR),
    sock_getpeeraddr: opts.shapes.sock_getpeeraddr === 1 ? addrV1(Op.PEERADDR) : addrV2(Op.PEERADDR),
    sock_getaddrinfo(nodePtr, nodeLen, svcPtr, svcLen, hintsPtr, resPtr, max, resLenOut) {
      const nl = nodeLen >>> 0;
      const sl = svcLen >>> 0;
      if (nl > 4096 || sl > 4096) return Errno.INVAL;
      const node = nl === 0 || nodePtr === 0 ? null : mem.string(nodePtr, nl);
      const service = sl === 0 || svcPtr === 0 ? null : mem.string(svcPtr, sl);
      const hints = readHints(mem, hintsPtr);
      mem.check(resPtr, 4, 'res');
      mem.check(resLenOut, 4, 'res_len');
      const err = ch.callJson(Op.GETADDRINFO, { node, service, hints });
      if (err) return err;
      const reply = ch.resultJson<GetaddrinfoReply>(0);
      const count = writeAddrinfoChain(mem, resPtr, max, reply.results, hints.flags, reply.canon);
      if (count < 0) return Errno.INVAL;
      mem.setU32(resLenOut, count);
      return 0;
    },

    // ---- fd_* overrides: sockets here, everything else to the file-system calls ----
    fd_read(fd, iovsPtr, iovsLen, nreadOut) {
      const s = sock(fd);
      if (!s) return wasi.fd_read!(fd, iovsPtr, iovsLen, nreadOut);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(nreadOut, 4, 'nread');
      const r = recv(s, iovs, 0, false);
      if (r.err) return r.err;
      mem.setU32(nreadOut, r.n);
      return 0;
    },
    fd_write(fd, iovsPtr, iovsLen, nwrittenOut) {
      const s = sock(fd);
      if (!s) return wasi.fd_write!(fd, iovsPtr, iovsLen, nwrittenOut);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(nwrittenOut, 4, 'nwritten');
      const r = send(s, iovs, null, 0);
      if (r.err) return r.err;
      mem.setU32(nwrittenOut, r.n);
      return 0;
    },
    fd_close(fd) {
      const s = sock(fd);
      if (!s) return wasi.fd_close!(fd);
      table.remove(s.fd);
      ch.post(Op.CLOSE, null, s.fd, releaseRing(s));
      return 0;
    },
    fd_fdstat_get(fd, out) {
      const s = sock(fd);
      if (!s) return wasi.fd_fdstat_get!(fd, out);
      mem.check(out, 24, 'fdstat');
      mem.write(out, new Uint8Array(24));
      mem.setU8(out, s.stream ? FILETYPE_SOCKET_STREAM : FILETYPE_SOCKET_DGRAM);
      mem.setU16(out + 2, s.nonblock ? FDFLAGS_NONBLOCK : 0);
      mem.setU64(out + 8, SOCKET_RIGHTS);
      mem.setU64(out + 16, SOCKET_RIGHTS);
      return 0;
    },
    fd_fdstat_set_flags(fd, flags) {
      const s = sock(fd);
      if (!s) return wasi.fd_fdstat_set_flags!(fd, flags);
      if (flags & ~FDFLAGS_NONBLOCK & 0xffff) return Errno.NOTSUP;
      s.nonblock = (flags & FDFLAGS_NONBLOCK) !== 0;
      return 0;
    },
    fd_filestat_get(fd, out) {
      const s = sock(fd);
      if (!s) return wasi.fd_filestat_get!(fd, out);
      mem.check(out, 64, 'filestat');
      mem.write(out, new Uint8Array(64));
      mem.setU64(out + 8, BigInt(s.fd)); // a stable inode-like number
      mem.setU8(out + 16, s.stream ? FILETYPE_SOCKET_STREAM : FILETYPE_SOCKET_DGRAM);
      mem.setU64(out + 24, 1n);
      return 0;
    },
    proc_exit(code) {
      ch.sync(); // the event loop has taken every posted request before the guest goes
      return wasi.proc_exit!(code);
    },
    poll_oneoff(inPtr, outPtr, nsubs, neventsOut) {
      return pollOneoff(mem, inPtr, outPtr, nsubs, neventsOut, {
        isSocket: (fd) => table.get(fd) !== undefined,
        buffered: (fd) => table.get(fd)?.ring?.ring.recvAvailable() ?? 0,
        writable: (fd) => {
          const s = table.get(fd);
          const ring = s?.ring?.ring;
          if (!s || !ring || !s.connected || s.shutWr || Atomics.load(ring.hdr, H.SERR)) return -1;
          return ring.sendFree() > 0 ? ring.sendFree() : -1;
        },
        checkFd: (fd) => (opts.fds.get(fd) ? 0 : Errno.BADF),
        pollSockets: (entries: PollRequestEntry[], timeoutMs: number) => {
          ch.sync();
          const err = ch.call(Op.POLL, timeoutMs, encodePollRequest(entries, ch.dataInts));
          return err ? [] : decodePollReply(ch.dataInts, ch.result(0));
        },
        monotonicNs: () => process.hrtime.bigint(),
        realtimeNs,
        sleepMs: (ms) => void Atomics.wait(sleeper, 0, 0, ms),
      });
    },
  };

  return imports; // guarded by the caller with everything else (host-call.ts)
}
