// The guest-thread half of the socket extension: the WasmEdge sock_* imports. A socket is a
// descriptor in the guest's one fd table (socket-table.ts), so the fd_* calls and poll_oneoff
// reach it as they reach a file (fd/calls.ts); it closes with its last fd. The caller wraps every
// import (host-call.ts): a bad pointer answers EFAULT and no host exception escapes, except
// ProcExit, which must reach the caller of _start.
import { decodeAddress, encodeAddress, type GuestAddress } from '../../abi/addr.ts';
import { readHints, writeAddrinfoChain } from '../../abi/addrinfo.ts';
import type { GuestChannel } from '../../channel/channel.ts';
import { Errno } from '../../errno.ts';
import { fail } from '../../fd/descriptor.ts';
import type { FdTable } from '../../fd/fd-table.ts';
import type { HostFn } from '../../host-call.ts';
import { GuestMemory, type IoVec } from '../../abi/guest-memory.ts';
import { Ops, type SocketEnds } from '../../channel/ops.ts';
import { H } from '../ring.ts';
import type { SocketShapes } from '../../wasm-imports.ts';
import { GuestRings, type RingPort } from './rings.ts';
import { getSocketOption, setSocketOption } from './socket-options.ts';
import { SocketTable, type GuestSocket, type SocketIo } from './socket-table.ts';
import { SocketTransfer } from './transfer.ts';
import type { InterruptFlag } from '../../interrupts.ts';

type WasiImport = Record<string, HostFn>;

const FDFLAGS_NONBLOCK = 4;
const MAX_ADDR_LEN = 4096;

export interface SocketImportsOptions {
  memory: () => WebAssembly.Memory;
  channel: GuestChannel;
  /** The rest of preview1 (files, stdio, exit): what a non-socket fd goes to. */
  wasi: WasiImport;
  /** The guest's one fd table; sockets take their numbers from it. */
  fds: FdTable;
  shapes: SocketShapes;
  /** Raised by an interrupt: a blocking recv on a ring returns EINTR (interrupts.ts). */
  interrupts?: InterruptFlag;
  /** Where new socket rings are posted for the event loop (see Ops.ring). Without it, stream
   * sockets use plain RECV/SEND requests. */
  ringPort?: RingPort;
  /** The threads of a wasi-threads guest share its sockets, in their one fd table
   * (threads/shared-fd-table.ts): socket ids come from `nextId`, unique across the threads, and
   * `attach` gives the table this thread's socket calls, for the sockets of other threads it meets. */
  shared?: { nextId(): number; attach(io: SocketIo): void };
}

export function createSocketImports(opts: SocketImportsOptions): WasiImport {
  const mem = new GuestMemory(opts.memory);
  const ch = opts.channel;
  const io: SocketIo = {
    recv: (s, iovs) => {
      const r = transfer.recv(s, iovs, 0, false);
      return r.err ? fail(r.err) : r.n;
    },
    send: (s, iovs) => {
      const r = transfer.send(s, iovs, null, 0);
      return r.err ? fail(r.err) : r.n;
    },
    close: (s) => ch.post(Ops.close, { fd: s.id, droppedRing: rings.release(s) }),
    readiness: {
      ask: (entries, timeoutMs) => {
        const [err, got] = ch.call(Ops.poll, { timeoutMs, entries });
        return err ? [] : got.ready;
      },
    },
  };
  const table = new SocketTable(opts.fds, io, opts.shared ? () => opts.shared!.nextId() : null);
  opts.shared?.attach(io);
  const wasi = opts.wasi;

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

  const rings = new GuestRings(mem, ch, opts.ringPort, opts.interrupts);
  const transfer = new SocketTransfer(mem, ch, rings);

  /** sock_recv, sock_recv_from, fd_read on a socket: the bytes into the iovecs, the counts out. */
  const receive = (s: GuestSocket, iovsPtr: number, iovsLen: number, riflags: number, nreadOut: number, roflagsOut: number | null, from: { addrPtr: number; portOut: number | null } | null): number => {
    const iovs = mem.iovecs(iovsPtr, iovsLen);
    mem.check(nreadOut, 4, 'nread');
    if (roflagsOut !== null) mem.check(roflagsOut, 2, 'roflags');
    if (from) {
      if (from.portOut !== null) mem.check(from.portOut, 4, 'port_out');
      mem.check(from.addrPtr, 8, 'address');
      mem.check(mem.u32(from.addrPtr), mem.u32(from.addrPtr + 4), 'address buffer');
    }
    const r = transfer.recv(s, iovs, riflags, from !== null);
    if (r.err) return r.err;
    if (from) {
      writeAddress(from.addrPtr, r.from.address); // a too-small buffer keeps the data and drops the address
      if (from.portOut !== null) mem.setU32(from.portOut, r.from.port);
    }
    mem.setU32(nreadOut, r.n);
    if (roflagsOut !== null) mem.setU16(roflagsOut, r.roflags);
    return 0;
  };

  /** sock_send, sock_send_to, fd_write on a socket. */
  const transmit = (s: GuestSocket, iovs: IoVec[], nwrittenOut: number, to: GuestAddress | null, port: number): number => {
    mem.check(nwrittenOut, 4, 'nwritten');
    const r = transfer.send(s, iovs, to, port);
    if (r.err) return r.err;
    mem.setU32(nwrittenOut, r.n);
    return 0;
  };

  const accept = (fd: number, fdflags: number, fdOut: number): number => {
    const s = sock(fd);
    if (!s) return notSocket(fd);
    if (!s.stream) return Errno.NOTSUP;
    mem.check(fdOut, 4, 'fd_out');
    if (table.full()) return Errno.MFILE; // the one fd table is full (FD_LIMIT), as EMFILE on Linux
    const id = table.newId();
    const [err, got] = ch.call(Ops.accept, { fd: s.id, newFd: id, nonblock: s.nonblock, timeoutMs: s.recvTimeoutMs });
    if (err) return err;
    const accepted = table.add(id, true, (fdflags & FDFLAGS_NONBLOCK) !== 0);
    if (!accepted) return Errno.MFILE;
    accepted.socket.connected = true;
    knowEnds(accepted.socket, got.ends);
    mem.setU32(fdOut, accepted.fd);
    return 0;
  };

  const knowEnds = (s: GuestSocket, ends: SocketEnds | null) => {
    s.local = ends?.local ?? null;
    s.peer = ends?.peer ?? null;
  };

  /** Whether the addresses a stream socket keeps still answer for it: not once a send found the
   * connection gone (Linux's getpeername then fails with ENOTCONN, and so does the event loop). */
  const endsKnown = (s: GuestSocket) => !(s.ring && Atomics.load(s.ring.ring.hdr, H.SERR));

  /** sock_getlocaladdr / sock_getpeeraddr. Version 2 of the ABI: (fd, address, port_out);
   * version 1 (IPv4/IPv6 only) adds type_out: (fd, address, type_out, port_out). */
  const addressOf = (op: typeof Ops.localAddress | typeof Ops.peerAddress, v1: boolean): HostFn => (fd, addrPtr, ...outs) => {
    const s = sock(fd);
    if (!s) return notSocket(fd);
    const typeOut = v1 ? outs[0]! : null;
    const portOut = v1 ? outs[1]! : outs[0]!;
    mem.check(portOut, 4, 'port_out');
    if (typeOut !== null) mem.check(typeOut, 4, 'type_out');
    mem.check(addrPtr, 8, 'address');
    const isPeer = op === Ops.peerAddress;
    let got = endsKnown(s) ? (isPeer ? s.peer : s.local) : null;
    if (!got) {
      const [err, answer] = ch.call(op, { fd: s.id });
      if (err) return err;
      got = answer;
      // A stream socket's peer is fixed once it has one, and so is its own address then.
      if (s.stream && isPeer) s.peer = answer;
      else if (s.stream && s.peer) s.local = answer;
    }
    if (typeOut !== null && got.address.kind !== 'ip') return Errno.AFNOSUPPORT;
    if (!writeAddress(addrPtr, got.address)) return Errno.INVAL;
    if (typeOut !== null) mem.setU32(typeOut, mem.u32(addrPtr + 4) === 4 ? 4 : 6);
    mem.setU32(portOut, got.port);
    return 0;
  };

  const imports: Record<string, HostFn> = {
    sock_open(af, socktype, fdOut) {
      mem.check(fdOut, 4, 'fd_out');
      if (table.full()) return Errno.MFILE;
      const id = table.newId();
      // Arguments the event loop accepts (see SocketService.open) need no answer: posted. Not when
      // threads share the socket: another thread may use it at once, on a channel of its own that
      // the event loop may serve first.
      const valid = af >= 1 && af <= 3 && socktype >= 0 && socktype <= 2 && !(af === 3 && socktype === 1);
      if (valid && !opts.shared) ch.post(Ops.open, { fd: id, af, type: socktype });
      else {
        const [err] = ch.call(Ops.open, { fd: id, af, type: socktype });
        if (err) return err;
      }
      const opened = table.add(id, socktype !== 1);
      if (!opened) return Errno.MFILE;
      mem.setU32(fdOut, opened.fd);
      return 0;
    },
    sock_bind(fd, addrPtr, port) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      const address = readAddress(addrPtr);
      if (!address || !validPort(port)) return Errno.INVAL;
      return ch.call(Ops.bind, { fd: s.id, address, port })[0];
    },
    sock_connect(fd, addrPtr, port) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      const address = readAddress(addrPtr);
      if (!address || !validPort(port)) return Errno.INVAL;
      const [err, got] = ch.call(Ops.connect, { fd: s.id, address, port, nonblock: s.nonblock, timeoutMs: s.sendTimeoutMs });
      if (err === 0 && s.stream) {
        s.connected = true;
        knowEnds(s, got.ends);
      }
      return err;
    },
    sock_listen(fd, backlog) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      return ch.call(Ops.listen, { fd: s.id, backlog })[0];
    },
    sock_accept:
      opts.shapes.sock_accept === 1
        ? (fd, fdOut) => accept(fd, 0, fdOut)
        : (fd, fdflags, fdOut) => accept(fd, fdflags, fdOut),
    sock_recv(fd, iovsPtr, iovsLen, riflags, nreadOut, roflagsOut) {
      const s = sock(fd);
      return s ? receive(s, iovsPtr, iovsLen, riflags, nreadOut, roflagsOut, null) : notSocket(fd);
    },
    sock_send(fd, iovsPtr, iovsLen, _siflags, nwrittenOut) {
      const s = sock(fd);
      return s ? transmit(s, mem.iovecs(iovsPtr, iovsLen), nwrittenOut, null, 0) : notSocket(fd);
    },
    // Version 1 of the ABI has no port_out.
    sock_recv_from:
      opts.shapes.sock_recv_from === 1
        ? (fd, iovs, iovsLen, addrPtr, riflags, nreadOut, roflagsOut) => {
            const s = sock(fd);
            return s ? receive(s, iovs, iovsLen, riflags, nreadOut, roflagsOut, { addrPtr, portOut: null }) : notSocket(fd);
          }
        : (fd, iovs, iovsLen, addrPtr, riflags, portOut, nreadOut, roflagsOut) => {
            const s = sock(fd);
            return s ? receive(s, iovs, iovsLen, riflags, nreadOut, roflagsOut, { addrPtr, portOut }) : notSocket(fd);
          },
    sock_send_to(fd, iovsPtr, iovsLen, addrPtr, port, _siflags, nwrittenOut) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      const iovs = mem.iovecs(iovsPtr, iovsLen);
      mem.check(nwrittenOut, 4, 'nwritten');
      const addr = readAddress(addrPtr);
      if (!addr || !validPort(port)) return Errno.INVAL;
      // On a stream socket the address is ignored, as Linux does for a connected socket.
      return transmit(s, iovs, nwrittenOut, s.stream ? null : addr, port);
    },
    sock_shutdown(fd, how) {
      const s = sock(fd);
      if (!s) return notSocket(fd);
      if (how < 1 || how > 3) return Errno.INVAL;
      const [err] = ch.call(Ops.shutdown, { fd: s.id, how });
      if (!err && how & 1) s.ring?.ring.recvDiscard();
      if (!err && how & 2 && s.stream) s.shutWr = true;
      return err;
    },
    sock_getsockopt(fd, level, name, valPtr, lenPtr) {
      const s = sock(fd);
      return s ? getSocketOption(mem, ch, s, level, name, valPtr, lenPtr) : notSocket(fd);
    },
    sock_setsockopt(fd, level, name, valPtr, len) {
      const s = sock(fd);
      return s ? setSocketOption(mem, ch, s, level, name, valPtr, len) : notSocket(fd);
    },
    sock_getlocaladdr: addressOf(Ops.localAddress, opts.shapes.sock_getlocaladdr === 1),
    sock_getpeeraddr: addressOf(Ops.peerAddress, opts.shapes.sock_getpeeraddr === 1),
    sock_getaddrinfo(nodePtr, nodeLen, svcPtr, svcLen, hintsPtr, resPtr, max, resLenOut) {
      const nl = nodeLen >>> 0;
      const sl = svcLen >>> 0;
      if (nl > 4096 || sl > 4096) return Errno.INVAL;
      const node = nl === 0 || nodePtr === 0 ? null : mem.string(nodePtr, nl);
      const service = sl === 0 || svcPtr === 0 ? null : mem.string(svcPtr, sl);
      const hints = readHints(mem, hintsPtr);
      mem.check(resPtr, 4, 'res');
      mem.check(resLenOut, 4, 'res_len');
      const [err, got] = ch.call(Ops.getaddrinfo, { query: { node, service, hints } });
      if (err) return err;
      const count = writeAddrinfoChain(mem, resPtr, max, got.answer.results, hints.flags, got.answer.canon);
      if (count < 0) return Errno.INVAL;
      mem.setU32(resLenOut, count);
      return 0;
    },

    proc_exit(code) {
      ch.sync(); // the event loop has taken every posted request before the guest goes
      return wasi.proc_exit!(code);
    },
  };

  return imports; // guarded by the caller with everything else (host-call.ts)
}
