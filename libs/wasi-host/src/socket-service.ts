// The event-loop side of the socket extension. It runs on the thread that called runWasi, owns
// every net/dgram/dns object and the per-socket state (receive queue, EOF, accept queue, connect
// state, SO_ERROR, addresses), answers ready or non-blocking requests at once and parks a blocking
// one until the socket is ready or its deadline passes. Only one request can be parked: the guest
// is single-threaded and blocked while it waits.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { AddressFamily, SockType, ipAddress, type GuestAddress } from './abi/addr.ts';
import { HostChannel, Op, type ChannelBuffers, type Request } from './channel.ts';
import { Errno, POLICY_REFUSED, errnoFromNode } from './errno.ts';
import { allowsPeer, allowsUnix, bindAddress, type NetPolicy } from './net-policy.ts';
import { resolveAddrinfo } from './name-lookup.ts';
import { newSocketOptions, readOption, writeOption, type SocketOptions } from './socket-options.ts';
import { H, REFILL_FREE, SocketRing } from './ring.ts';
import { RecvFlags, SockOpt, SOL_SOCKET, PollEvent, decodePollRequest, encodePollReply, type PollRequestEntry, type PollReplyEntry, type GetaddrinfoRequest, type GetaddrinfoReply } from './protocol.ts';

/** Receive queue size above which a TCP socket stops reading (kernel-like backpressure). */
const RECV_HIGH = 8 * 1024 * 1024;
const RECV_LOW = 2 * 1024 * 1024;
/** Unsent bytes Node may hold for a socket before blocking sends wait and non-blocking ones EAGAIN. */
const SEND_HIGH = 4 * 1024 * 1024;
/** A connection we dialled reads straight into its ring when this much is free there; up to
 * DIRECT_MAX bytes per read. */
const DIRECT_MIN = 16 * 1024;
const DIRECT_MAX = 256 * 1024;
const SCRATCH_SIZE = 64 * 1024;
/** Queued datagrams beyond this are dropped, as a kernel drops them. */
const DGRAM_QUEUE_MAX = 4 * 1024 * 1024;

type State = 'idle' | 'connecting' | 'connected' | 'listening';

interface Datagram {
  data: Buffer;
  address: string;
  family: 4 | 6;
  port: number;
}

class HostSocket {
  state: State = 'idle';
  /** For AF_UNIX: the host path, and the guest's own path (what getsockname answers). */
  bound: { address: string; port: number } | { path: string; guest: string } | null = null;
  conn: net.Socket | null = null;
  server: net.Server | null = null;
  udp: dgram.Socket | null = null;
  udpBound = false;
  udpConnected = false;
  recvQueue: Buffer[] = [];
  recvBytes = 0;
  paused = false;
  eof = false;
  readErr = 0;
  soError = 0;
  shutRd = false;
  shutWr = false;
  accepts: net.Socket[] = [];
  dgrams: Datagram[] = [];
  dgramBytes = 0;
  opts: SocketOptions = newSocketOptions();
  /** The shared rings of a stream socket, once the guest attached them (see ring.ts). */
  ring: SocketRing | null = null;
  ringId = 0;
  /** Where a read lands when it cannot go straight into the ring (connections we dialled). */
  scratch: Buffer | null = null;
  /** Reads with net.connect's `onread` (directRead): paused while the ring has too little room. */
  direct = false;
  constructor(
    readonly fd: number,
    readonly family: 4 | 6 | 'unix',
    readonly stream: boolean,
  ) {}
}

export interface SocketServiceOptions {
  net: NetPolicy;
  /** The host path of an AF_UNIX socket's guest path (through the guest's mounts, see
   * fs/unix-paths.ts), or the errno that refuses it. `bind` names a path to create. */
  unixPath: (guestPath: string, bind: boolean) => string | number;
  /** Where the guest posts new socket rings ({ id, sab }) before its RING request. */
  ringPort?: MessagePort;
  /** Serves Op.READLINE (tty/readline-service.ts); without it that op fails with NOSYS. */
  readline?: { serve(req: Request, channel: HostChannel): void };
}

interface Parked {
  check: () => boolean;
  timer: NodeJS.Timeout | null;
}

export class SocketService {
  private readonly sockets = new Map<number, HostSocket>();
  private readonly channel: HostChannel;
  private parked: Parked | null = null;
  /** Rings by id (the guest reuses rings of closed sockets). */
  private readonly rings = new Map<number, SocketRing>();
  private readonly ringSockets = new Set<HostSocket>();
  /** Rings a closing connection may still read into (until its handle closes): not reusable. */
  private readonly quarantined = new Set<number>();

  constructor(
    bufs: ChannelBuffers,
    private readonly options: SocketServiceOptions,
  ) {
    this.channel = new HostChannel(bufs, (req) => this.dispatch(req), () => this.serviceRings());
  }

  start(): void {
    this.channel.start();
  }

  /** Stops serving and destroys every socket (the guest has exited). */
  close(): void {
    this.channel.stop();
    this.serviceRings();
    if (this.parked?.timer) clearTimeout(this.parked.timer);
    this.parked = null;
    for (const s of this.sockets.values()) this.destroy(s);
    this.sockets.clear();
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private reply(errno: number, results: number[] = [], json?: unknown): void {
    this.channel.reply(errno, results, json);
  }

  /**
   * Answers now if `attempt` returns true; otherwise parks until a socket event makes it succeed
   * or `timeoutMs` (-1 = none) passes, when `onTimeout` answers.
   */
  private park(attempt: () => boolean, timeoutMs: number, onTimeout: () => void): void {
    if (attempt()) return;
    const parked: Parked = { check: attempt, timer: null };
    if (timeoutMs >= 0) {
      parked.timer = setTimeout(() => {
        if (this.parked !== parked) return;
        this.parked = null;
        onTimeout();
      }, timeoutMs);
    }
    this.parked = parked;
  }

  /** Called after any socket event: retries the parked request. */
  private wake = (): void => {
    const p = this.parked;
    if (!p) return;
    let done: boolean;
    try {
      done = p.check();
    } catch (e) {
      done = true;
      this.parked = null;
      if (p.timer) clearTimeout(p.timer);
      this.reply(errnoFromNode(e));
      return;
    }
    if (done && this.parked === p) {
      this.parked = null;
      if (p.timer) clearTimeout(p.timer);
    }
  };

  private dispatch(req: Request): void {
    // Sends the guest put in its rings precede this request.
    this.serviceRings();
    try {
      this.handle(req);
    } catch (e) {
      // Node throws synchronously for bad arguments (ports, addresses): an errno, never a crash.
      this.reply(errnoFromNode(e) === Errno.IO ? Errno.INVAL : errnoFromNode(e));
    }
  }

  private handle(req: Request): void {
    const a = (i: number) => req.arg(i);
    switch (req.op) {
      case Op.OPEN:
        return this.open(a(0), a(1), a(2));
      case Op.POLL:
        return this.poll(decodePollRequest(this.channel.dataInts, a(1)), a(0));
      case Op.GETADDRINFO:
        return this.getaddrinfo(req.json<GetaddrinfoRequest>(0));
      case Op.RING:
        return this.attachRing(a(0), a(1), a(2) !== 0);
      case Op.READLINE:
        return this.options.readline ? this.options.readline.serve(req, this.channel) : this.reply(Errno.NOSYS);
    }
    const s = this.sockets.get(a(0));
    if (!s) return this.reply(Errno.BADF);
    switch (req.op) {
      case Op.BIND:
        return this.bind(s, req.json<GuestAddress>(2), a(1));
      case Op.CONNECT:
        return this.connect(s, req.json<GuestAddress>(4), a(1), a(2) !== 0, a(3));
      case Op.LISTEN:
        return this.listen(s, a(1));
      case Op.ACCEPT:
        return this.accept(s, a(1), a(2) !== 0, a(3));
      case Op.RECV:
        if (s.ring) return this.recvRing(s, a(1), a(3) !== 0, a(4));
        return this.recv(s, a(1), a(2), a(3) !== 0, a(4), false);
      case Op.SENDWAIT:
        return this.sendWait(s, a(1) !== 0, a(2));
      case Op.RECVFROM:
        return this.recv(s, a(1), a(2), a(3) !== 0, a(4), true);
      case Op.SEND:
        return this.send(s, a(1), null, 0, a(2) !== 0, a(3));
      case Op.SENDTO:
        return this.send(s, a(1), req.json<GuestAddress>(5), a(2), a(3) !== 0, a(4));
      case Op.SHUTDOWN:
        return this.shutdown(s, a(1));
      case Op.GETOPT:
        return this.getopt(s, a(1), a(2));
      case Op.SETOPT:
        return this.setopt(s, a(1), a(2), a(3), a(4));
      case Op.LOCALADDR:
        return this.localAddr(s);
      case Op.PEERADDR:
        return this.peerAddr(s);
      case Op.CLOSE:
        this.destroy(s);
        this.sockets.delete(s.fd);
        // The guest dropped the socket's ring (its pool was full): forget it here as well.
        if (a(1)) this.rings.delete(a(1));
        return this.reply(0);
      default:
        return this.reply(Errno.NOSYS);
    }
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  private open(fd: number, af: number, type: number): void {
    if (this.sockets.has(fd)) return this.reply(Errno.BADF);
    const family = af === AddressFamily.INET4 ? 4 : af === AddressFamily.INET6 ? 6 : af === AddressFamily.UNIX ? 'unix' : null;
    if (family === null) return this.reply(Errno.AFNOSUPPORT);
    const stream = type === SockType.STREAM || type === SockType.ANY;
    if (!stream && type !== SockType.DGRAM) return this.reply(Errno.INVAL);
    if (family === 'unix' && !stream) return this.reply(Errno.NOTSUP); // Node has no AF_UNIX datagrams
    this.sockets.set(fd, new HostSocket(fd, family, stream));
    this.reply(0);
  }

  private destroy(s: HostSocket): void {
    if (s.ring && s.conn && s.scratch !== null) {
      // A dialled connection may hold a view of the ring for its next read until its handle
      // closes: the guest must not hand that ring to another socket before.
      const id = s.ringId;
      this.quarantined.add(id);
      s.conn.once('close', () => this.quarantined.delete(id));
    }
    if (s.ring) {
      this.flushSend(s, true);
      Atomics.store(s.ring.hdr, H.RLIVE, 0);
      this.ringNews(s.ring);
      this.ringSockets.delete(s);
      s.ring = null;
    }
    if (s.conn) {
      const c = s.conn;
      c.removeAllListeners('data');
      c.on('error', () => {});
      c.resume();
      // Flush what the guest already sent, then close (close(2) on a socket with queued data).
      c.destroySoon();
    }
    if (s.server) s.server.close();
    for (const c of s.accepts) c.destroy();
    if (s.udp) {
      try {
        s.udp.close();
      } catch {
        // already closed
      }
    }
    s.conn = null;
    s.server = null;
    s.udp = null;
    s.accepts = [];
  }

  // ---- addresses -----------------------------------------------------------------------------

  private familyMatches(s: HostSocket, addr: GuestAddress): boolean {
    if (addr.kind === 'unix') return s.family === 'unix';
    if (s.family === 'unix') return false;
    // An IPv6 socket may talk to IPv4 peers only through mapped addresses; accept plain IPv4 too.
    return s.family === addr.family || s.family === 6;
  }

  // ---- bind / listen / accept ----------------------------------------------------------------

  private bind(s: HostSocket, addr: GuestAddress, port: number): void {
    if (s.bound || s.state !== 'idle') return this.reply(Errno.INVAL);
    if (!this.familyMatches(s, addr)) return this.reply(Errno.AFNOSUPPORT);
    if (addr.kind === 'unix') {
      if (!allowsUnix(this.options.net)) return this.reply(POLICY_REFUSED);
      const hostPath = this.options.unixPath(addr.path, true);
      if (typeof hostPath === 'number') return this.reply(hostPath);
      s.bound = { path: hostPath, guest: addr.path };
      return this.reply(0);
    }
    const address = bindAddress(this.options.net, addr.address, addr.family);
    if (address === null) return this.reply(POLICY_REFUSED);
    if (!s.stream) {
      this.ensureUdp(s);
      const udp = s.udp!;
      let result: number | null = null;
      const onError = (e: Error) => {
        result = errnoFromNode(e);
        this.wake();
      };
      udp.once('error', onError);
      udp.bind({ address, port, exclusive: true }, () => {
        udp.off('error', onError);
        s.udpBound = true;
        s.bound = { address: udp.address().address, port: udp.address().port };
        this.applyUdpOptions(s);
        result = 0;
        this.wake();
      });
      return this.park(() => {
        if (result === null) return false;
        this.reply(result);
        return true;
      }, -1, () => {});
    }
    // Node cannot bind a TCP socket without listening. Probe the address with a short-lived
    // listener so bind reports EADDRINUSE/EADDRNOTAVAIL and learns the ephemeral port; listen()
    // or connect() then uses the recorded address.
    const probe = net.createServer();
    let result: number | null = null;
    probe.once('error', (e) => {
      result = errnoFromNode(e);
      this.wake();
    });
    probe.listen({ host: address, port, exclusive: true, ipv6Only: s.family === 6 && s.opts.v6only }, () => {
      const info = probe.address() as net.AddressInfo;
      s.bound = { address: info.address, port: info.port };
      probe.close(() => {
        result = 0;
        this.wake();
      });
    });
    this.park(() => {
      if (result === null) return false;
      this.reply(result);
      return true;
    }, -1, () => {});
  }

  private listen(s: HostSocket, backlog: number): void {
    if (!s.stream) return this.reply(Errno.NOTSUP);
    if (s.state === 'listening') return this.reply(0);
    if (s.state !== 'idle') return this.reply(Errno.INVAL);
    let bound = s.bound;
    if (!bound) {
      if (s.family === 'unix') return this.reply(Errno.INVAL);
      const address = bindAddress(this.options.net, s.family === 4 ? '0.0.0.0' : '::', s.family);
      if (address === null) return this.reply(POLICY_REFUSED);
      bound = { address, port: 0 };
    }
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false });
    let result: number | null = null;
    server.once('error', (e) => {
      result = errnoFromNode(e);
      this.wake();
    });
    server.on('connection', (c) => {
      this.attachConn(s, c);
      s.accepts.push(c);
      this.wake();
    });
    const bl = backlog > 0 ? Math.min(backlog, 4096) : 128;
    const onListening = () => {
      server.removeAllListeners('error');
      server.on('error', () => {});
      s.server = server;
      s.state = 'listening';
      if ('address' in bound!) {
        const info = server.address() as net.AddressInfo;
        s.bound = { address: info.address, port: info.port };
      }
      result = 0;
      this.wake();
    };
    if ('path' in bound) {
      // listen() creates the socket file: resolve the guest path again, since the guest may have
      // replaced a directory on the way with a symlink to outside since bind().
      const hostPath = this.options.unixPath(bound.guest, true);
      if (typeof hostPath === 'number') return this.reply(hostPath);
      server.listen({ path: hostPath, backlog: bl }, onListening);
    }
    else server.listen({ host: bound.address, port: bound.port, backlog: bl, ipv6Only: s.family === 6 && s.opts.v6only }, onListening);
    this.park(() => {
      if (result === null) return false;
      this.reply(result);
      return true;
    }, -1, () => {});
  }

  /** Buffers a connection's incoming bytes and records EOF/errors in the socket `s` of `c`. */
  private attachConn(owner: HostSocket | null, c: net.Socket, target?: HostSocket, direct = false): void {
    // For accepted connections the HostSocket is created at accept(); until then the queue lives
    // on a placeholder stored on the net.Socket itself.
    const holder = target ?? new HostSocket(-1, owner?.family ?? 4, true);
    (c as net.Socket & { __pywasi?: HostSocket }).__pywasi = holder;
    holder.conn = c;
    holder.state = 'connected';
    if (!direct) c.on('data', (chunk: Buffer) => {
      const h = (c as net.Socket & { __pywasi?: HostSocket }).__pywasi!;
      if (h.shutRd) return;
      h.recvQueue.push(chunk);
      h.recvBytes += chunk.length;
      if (h.ring) this.refill(h);
      if (h.recvBytes > RECV_HIGH && !h.paused) {
        h.paused = true;
        c.pause();
      }
      this.wake();
    });
    c.on('end', () => {
      const h = (c as net.Socket & { __pywasi?: HostSocket }).__pywasi!;
      h.eof = true;
      this.ringLive(h);
      this.wake();
    });
    c.on('error', (e) => {
      const h = (c as net.Socket & { __pywasi?: HostSocket }).__pywasi!;
      const errno = errnoFromNode(e);
      if (h.state === 'connecting') {
        h.state = 'idle';
        h.conn = null;
        h.soError = errno;
      } else {
        h.readErr = errno;
        h.soError = errno;
        // Sends from now on fail (the next one the guest makes reports it).
        if (h.ring) {
          h.ring.sendDiscard();
          Atomics.store(h.ring.hdr, H.SERR, Errno.PIPE);
        }
      }
      this.ringLive(h);
      this.wake();
    });
    c.on('close', () => {
      const h = (c as net.Socket & { __pywasi?: HostSocket }).__pywasi!;
      if (h.state === 'connected') h.eof = true;
      this.ringLive(h);
      this.wake();
    });
    c.on('drain', () => {
      this.flushSend((c as net.Socket & { __pywasi?: HostSocket }).__pywasi!);
      this.wake();
    });
  }

  private accept(s: HostSocket, newFd: number, nonblock: boolean, timeoutMs: number): void {
    if (s.state !== 'listening') return this.reply(Errno.INVAL);
    if (this.sockets.has(newFd)) return this.reply(Errno.BADF);
    const attempt = () => {
      if (s.state !== 'listening') {
        this.reply(Errno.BADF);
        return true;
      }
      const c = s.accepts.shift();
      if (!c) return false;
      const holder = (c as net.Socket & { __pywasi?: HostSocket }).__pywasi!;
      const ns = new HostSocket(newFd, s.family, true);
      Object.assign(ns, {
        conn: c, state: 'connected', recvQueue: holder.recvQueue, recvBytes: holder.recvBytes,
        paused: holder.paused, eof: holder.eof, readErr: holder.readErr, soError: holder.soError,
      });
      (c as net.Socket & { __pywasi?: HostSocket }).__pywasi = ns;
      if (s.opts.nodelay) c.setNoDelay(true);
      this.sockets.set(newFd, ns);
      this.reply(0);
      return true;
    };
    if (nonblock) {
      if (!attempt()) this.reply(Errno.AGAIN);
      return;
    }
    this.park(attempt, timeoutMs, () => this.reply(Errno.AGAIN));
  }

  // ---- connect --------------------------------------------------------------------------------

  private connect(s: HostSocket, addr: GuestAddress, port: number, nonblock: boolean, timeoutMs: number): void {
    if (!this.familyMatches(s, addr)) return this.reply(Errno.AFNOSUPPORT);
    if (!s.stream) return this.connectUdp(s, addr, port);
    if (s.state === 'connected') return this.reply(Errno.ISCONN);
    if (s.state === 'listening') return this.reply(Errno.INVAL);
    if (s.state === 'connecting') {
      if (nonblock) return this.reply(Errno.ALREADY);
      return this.waitConnect(s, timeoutMs);
    }
    let c: net.Socket;
    if (addr.kind === 'unix') {
      if (!allowsUnix(this.options.net)) return this.reply(POLICY_REFUSED);
      const hostPath = this.options.unixPath(addr.path, false);
      if (typeof hostPath === 'number') return this.reply(hostPath);
      c = net.connect({ path: hostPath, allowHalfOpen: true, onread: this.directRead(s) });
    } else {
      if (!allowsPeer(this.options.net, addr.address)) return this.reply(POLICY_REFUSED);
      const local = s.bound && 'address' in s.bound ? s.bound : null;
      c = net.connect({
        host: addr.address,
        port,
        family: addr.family,
        allowHalfOpen: true,
        onread: this.directRead(s),
        noDelay: s.opts.nodelay,
        keepAlive: s.opts.keepalive,
        ...(local ? { localAddress: local.address, localPort: local.port } : {}),
      });
    }
    s.soError = 0;
    this.attachConn(null, c, s, true);
    s.state = 'connecting';
    c.once('connect', () => {
      if (s.conn === c) {
        s.state = 'connected';
        this.ringLive(s);
      }
      this.wake();
    });
    if (nonblock) return this.reply(Errno.INPROGRESS);
    this.waitConnect(s, timeoutMs);
  }

  private waitConnect(s: HostSocket, timeoutMs: number): void {
    this.park(
      () => {
        if (s.state === 'connecting') return false;
        if (s.state === 'connected') this.reply(0);
        else {
          const err = s.soError || Errno.CONNREFUSED;
          s.soError = 0;
          this.reply(err);
        }
        return true;
      },
      timeoutMs,
      () => this.reply(Errno.INPROGRESS),
    );
  }

  // ---- UDP ------------------------------------------------------------------------------------

  private ensureUdp(s: HostSocket): void {
    if (s.udp) return;
    const udp = dgram.createSocket({
      type: s.family === 6 ? 'udp6' : 'udp4',
      reuseAddr: s.opts.reuseaddr,
      ipv6Only: s.family === 6 && s.opts.v6only,
    });
    udp.on('message', (msg, rinfo) => {
      if (s.dgramBytes + msg.length > DGRAM_QUEUE_MAX) return;
      s.dgrams.push({ data: msg, address: rinfo.address, family: rinfo.family === 'IPv6' ? 6 : 4, port: rinfo.port });
      s.dgramBytes += msg.length;
      this.wake();
    });
    udp.on('error', (e) => {
      s.soError = errnoFromNode(e);
      this.wake();
    });
    s.udp = udp;
  }

  private applyUdpOptions(s: HostSocket): void {
    const udp = s.udp;
    if (!udp || !s.udpBound) return;
    try {
      if (s.opts.broadcast) udp.setBroadcast(true);
      if (s.opts.rcvbuf) udp.setRecvBufferSize(s.opts.rcvbuf);
      if (s.opts.sndbuf) udp.setSendBufferSize(s.opts.sndbuf);
    } catch {
      // best effort, as the kernel clamps these too
    }
  }

  /** Binds an unbound UDP socket to the wildcard (narrowed by policy), then runs `then`. */
  private withUdpBound(s: HostSocket, then: () => void): void {
    this.ensureUdp(s);
    if (s.udpBound) return then();
    const address = bindAddress(this.options.net, s.family === 6 ? '::' : '0.0.0.0', s.family === 6 ? 6 : 4);
    if (address === null) return this.reply(POLICY_REFUSED);
    const udp = s.udp!;
    let state: 'wait' | 'ok' | number = 'wait';
    const onError = (e: Error) => {
      state = errnoFromNode(e);
      this.wake();
    };
    udp.once('error', onError);
    udp.bind({ address, port: 0 }, () => {
      udp.off('error', onError);
      s.udpBound = true;
      s.bound = { address: udp.address().address, port: udp.address().port };
      this.applyUdpOptions(s);
      state = 'ok';
      this.wake();
    });
    this.park(() => {
      if (state === 'wait') return false;
      if (state === 'ok') {
        // `then` replies (possibly by parking again, which replaces this parked entry).
        this.parked = null;
        then();
      } else this.reply(state);
      return true;
    }, -1, () => {});
  }

  private connectUdp(s: HostSocket, addr: GuestAddress, port: number): void {
    if (addr.kind !== 'ip') return this.reply(Errno.AFNOSUPPORT);
    if (!allowsPeer(this.options.net, addr.address)) return this.reply(POLICY_REFUSED);
    this.withUdpBound(s, () => {
      const udp = s.udp!;
      if (s.udpConnected) {
        udp.disconnect();
        s.udpConnected = false;
      }
      let state: 'wait' | number = 'wait';
      const onError = (e: Error) => {
        state = errnoFromNode(e);
        this.wake();
      };
      udp.once('error', onError);
      udp.connect(port, addr.address, () => {
        udp.off('error', onError);
        s.udpConnected = true;
        state = 0;
        this.wake();
      });
      this.park(() => {
        if (state === 'wait') return false;
        this.reply(state);
        return true;
      }, -1, () => {});
    });
  }

  // ---- socket rings ---------------------------------------------------------------------------

  /** net.connect's `onread` for a connection we dial: the kernel copies straight into the
   * socket's receive ring when it has room and nothing is queued before it; otherwise into a
   * scratch buffer whose bytes are queued (and moved to the ring by refill). */
  private directRead(s: HostSocket): net.OnReadOpts {
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
          this.ringNews(s.ring);
        } else {
          s.recvQueue.push(Buffer.from(buf.subarray(0, n)));
          s.recvBytes += n;
          if (s.ring) this.refill(s);
        }
        this.wake();
        // The ring is (nearly) full: stop reading until the guest has made room (the kernel
        // buffers meanwhile), rather than copy through scratch and the queue.
        if (!s.paused && (s.recvBytes > RECV_HIGH || (s.ring && s.ring.recvFree() < DIRECT_MIN))) {
          s.paused = true;
          if (s.ring) this.publishQueued(s);
          return false;
        }
        return true;
      },
    };
  }

  private attachRing(fd: number, id: number, isNew: boolean): void {
    // Take the posted ring first, whatever happens next, so the port never holds a stale one.
    if (isNew) {
      const m = this.options.ringPort ? receiveMessageOnPort(this.options.ringPort) : undefined;
      const msg = m?.message as { id: number; sab: SharedArrayBuffer } | undefined;
      if (!msg || msg.id !== id) return this.reply(Errno.IO);
      this.rings.set(id, new SocketRing(msg.sab));
    }
    const ring = this.rings.get(id);
    const s = this.sockets.get(fd);
    if (!ring) return this.reply(Errno.INVAL);
    if (!s) return this.reply(Errno.BADF);
    if (!s.stream || s.ring) return this.reply(Errno.INVAL);
    if (this.quarantined.has(id)) return this.reply(Errno.AGAIN);
    s.ring = ring;
    s.ringId = id;
    this.ringSockets.add(s);
    if (s.readErr) Atomics.store(ring.hdr, H.SERR, Errno.PIPE);
    this.ringLive(s);
    this.refill(s);
    this.reply(0);
  }

  /** Moves queued received bytes into the socket's ring while it has room. */
  private refill(s: HostSocket): void {
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
    this.publishQueued(s);
    if (moved) this.ringNews(ring);
  }

  /** Wakes a guest waiting on the ring (new bytes or a new RLIVE). */
  private ringNews(ring: SocketRing): void {
    Atomics.add(ring.hdr, H.RSEQ, 1);
    if (Atomics.load(ring.hdr, H.RSLEEP)) Atomics.notify(ring.hdr, H.RSEQ);
  }

  /** Publishes whether the connection can still deliver bytes (see H.RLIVE). */
  private ringLive(s: HostSocket): void {
    const ring = s.ring;
    if (!ring) return;
    const live = s.conn !== null && s.state === 'connected' && !s.eof && !s.readErr && !s.shutRd ? 1 : 0;
    if (Atomics.load(ring.hdr, H.RLIVE) === live) return;
    Atomics.store(ring.hdr, H.RLIVE, live);
    this.ringNews(ring);
  }

  /** Tells the guest whether the event loop holds more than the ring: queued bytes, or 1 while a
   * dialled connection is paused for room. */
  private publishQueued(s: HostSocket): void {
    const held = s.recvBytes > 0 ? s.recvBytes : s.paused && s.direct && s.conn ? 1 : 0;
    Atomics.store(s.ring!.hdr, H.RQUEUED, held);
  }

  /** Writes what the guest put in the send ring to the connection (unless Node already holds
   * SEND_HIGH unsent bytes and `force` is false: 'drain' calls again). */
  private flushSend(s: HostSocket, force = false): void {
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

  /** The doorbell: sends waiting in rings, refills the guest asked for. */
  private serviceRings(): void {
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

  /** RECV on a socket with a ring: waits until the ring holds at least `min` bytes (fewer at
   * EOF/error), then answers [bytes in the ring]; 0 bytes = EOF. The guest reads the ring. */
  private recvRing(s: HostSocket, min: number, nonblock: boolean, timeoutMs: number): void {
    const ring = s.ring!;
    if (s.state === 'listening' || (s.state === 'idle' && !s.readErr && !s.conn && !s.eof)) return this.reply(Errno.NOTCONN);
    const want = Math.max(1, min);
    const attempt = () => {
      this.refill(s);
      const avail = ring.recvAvailable();
      // Enough, or all there will be for now (the ring is full, or the stream ended).
      if (avail > 0 && (avail >= want || s.recvBytes > 0 || s.eof || s.readErr || s.shutRd || !s.conn)) {
        this.reply(0, [avail]);
        return true;
      }
      if (avail === 0 && s.readErr) {
        const e = s.readErr;
        s.readErr = 0;
        this.reply(e);
        return true;
      }
      if (avail === 0 && (s.eof || s.shutRd)) {
        this.reply(0, [0]);
        return true;
      }
      return false;
    };
    const partial = () => {
      const avail = ring.recvAvailable();
      if (avail > 0) this.reply(0, [avail]);
      else this.reply(Errno.AGAIN);
    };
    if (nonblock) {
      if (!attempt()) partial();
      return;
    }
    this.park(attempt, timeoutMs, partial);
  }

  private sendWait(s: HostSocket, nonblock: boolean, timeoutMs: number): void {
    const ring = s.ring;
    if (!ring) return this.reply(Errno.INVAL);
    const attempt = () => {
      this.flushSend(s);
      const e = Atomics.load(ring.hdr, H.SERR);
      if (e) {
        this.reply(e);
        return true;
      }
      if (ring.sendFree() > 0) {
        this.reply(0);
        return true;
      }
      return false;
    };
    if (nonblock) {
      if (!attempt()) this.reply(Errno.AGAIN);
      return;
    }
    this.park(attempt, timeoutMs, () => this.reply(Errno.AGAIN));
  }

  // ---- data -----------------------------------------------------------------------------------

  private recv(s: HostSocket, max: number, flags: number, nonblock: boolean, timeoutMs: number, from: boolean): void {
    const peek = (flags & RecvFlags.PEEK) !== 0;
    const waitAll = (flags & RecvFlags.WAITALL) !== 0 && !peek;
    const data = this.channel.data;
    if (!s.stream) {
      const attempt = () => {
        const d = s.dgrams[0];
        if (!d) return false;
        if (!peek) {
          s.dgrams.shift();
          s.dgramBytes -= d.data.length;
        }
        const n = Math.min(max, d.data.length);
        d.data.copy(data, 0, 0, n);
        const roflags = n < d.data.length ? 1 : 0;
        this.reply(0, [n, roflags, d.port], { kind: 'ip', family: d.family, address: d.address } satisfies GuestAddress);
        return true;
      };
      if (s.state === 'idle' && !s.udpBound && !s.udp) {
        // Never bound: nothing can ever arrive (Linux would block forever).
        if (nonblock) return this.reply(Errno.AGAIN);
      }
      if (nonblock) {
        if (!attempt()) this.reply(Errno.AGAIN);
        return;
      }
      return this.park(attempt, timeoutMs, () => this.reply(Errno.AGAIN));
    }
    if (s.state === 'listening' || (s.state === 'idle' && !s.readErr && !s.conn)) return this.reply(Errno.NOTCONN);
    const peer = from ? this.peerOf(s) : null;
    const finish = (n: number) => {
      if (peer) this.reply(0, [n, 0, peer.port], peer.addr);
      else this.reply(0, [n, 0, 0], null);
    };
    const attempt = () => {
      if (s.recvBytes > 0 && (!waitAll || s.recvBytes >= max || s.eof || s.readErr)) {
        finish(this.takeBytes(s, max, peek));
        return true;
      }
      if (max === 0 && !s.readErr) {
        finish(0);
        return true;
      }
      if (s.readErr) {
        const e = s.readErr;
        s.readErr = 0;
        this.reply(e);
        return true;
      }
      if (s.eof || s.shutRd) {
        finish(0);
        return true;
      }
      if (s.state === 'connecting' && nonblock) return false;
      return false;
    };
    if (nonblock) {
      if (!attempt()) {
        if (s.recvBytes > 0) finish(this.takeBytes(s, max, peek)); // MSG_WAITALL on a non-blocking socket
        else this.reply(Errno.AGAIN);
      }
      return;
    }
    this.park(attempt, timeoutMs, () => {
      if (s.recvBytes > 0) finish(this.takeBytes(s, max, peek));
      else this.reply(Errno.AGAIN);
    });
  }

  /** Copies up to `max` queued bytes into the data buffer (consuming them unless `peek`). */
  private takeBytes(s: HostSocket, max: number, peek: boolean): number {
    const data = this.channel.data;
    let n = 0;
    let i = 0;
    while (n < max && i < s.recvQueue.length) {
      const chunk = s.recvQueue[i]!;
      const k = Math.min(chunk.length, max - n);
      chunk.copy(data, n, 0, k);
      n += k;
      if (peek) {
        i++;
        continue;
      }
      if (k === chunk.length) s.recvQueue.shift();
      else {
        s.recvQueue[0] = chunk.subarray(k);
        break;
      }
    }
    if (!peek) {
      s.recvBytes -= n;
      if (s.paused && s.recvBytes < RECV_LOW && s.conn) {
        s.paused = false;
        s.conn.resume();
      }
    }
    return n;
  }

  private send(s: HostSocket, len: number, to: GuestAddress | null, port: number, nonblock: boolean, timeoutMs: number): void {
    // Copy out of the shared buffer now: Node keeps the Buffer until the bytes are on the wire.
    const payload = Buffer.from(this.channel.data.subarray(0, len));
    if (!s.stream) return this.sendUdp(s, payload, to, port);
    if (s.state === 'listening') return this.reply(Errno.NOTCONN);
    if (s.shutWr) return this.reply(Errno.PIPE);
    if (s.readErr && s.readErr !== Errno.CONNRESET) return this.reply(s.readErr);
    const c = s.conn;
    if (s.state === 'connecting') {
      if (nonblock) return this.reply(Errno.AGAIN);
      return this.park(() => {
        if (s.state === 'connecting') return false;
        this.parked = null;
        this.send2(s, payload, nonblock, timeoutMs);
        return true;
      }, timeoutMs, () => this.reply(Errno.AGAIN));
    }
    if (!c || c.destroyed || s.state !== 'connected') return this.reply(s.readErr ? Errno.PIPE : Errno.NOTCONN);
    this.send2(s, payload, nonblock, timeoutMs);
  }

  private send2(s: HostSocket, payload: Buffer, nonblock: boolean, timeoutMs: number): void {
    const c = s.conn;
    if (!c || c.destroyed || c.writableEnded) return this.reply(Errno.PIPE);
    if (s.readErr) return this.reply(Errno.PIPE);
    if (c.writableLength >= SEND_HIGH) {
      if (nonblock) return this.reply(Errno.AGAIN);
      return this.park(() => {
        if (!s.conn || s.conn.destroyed || s.readErr) {
          this.reply(Errno.PIPE);
          return true;
        }
        if (s.conn.writableLength >= SEND_HIGH) return false;
        s.conn.write(payload);
        this.reply(0, [payload.length]);
        return true;
      }, timeoutMs, () => this.reply(Errno.AGAIN));
    }
    c.write(payload);
    this.reply(0, [payload.length]);
  }

  private sendUdp(s: HostSocket, payload: Buffer, to: GuestAddress | null, port: number): void {
    if (to && to.kind !== 'ip') return this.reply(Errno.AFNOSUPPORT);
    if (!to && !s.udpConnected) return this.reply(Errno.NOTCONN);
    if (to && s.udpConnected) return this.reply(Errno.ISCONN);
    if (to && !allowsPeer(this.options.net, to.address)) return this.reply(POLICY_REFUSED);
    if (payload.length > 65507) return this.reply(Errno.MSGSIZE);
    this.withUdpBound(s, () => {
      const udp = s.udp!;
      const cb = (e: Error | null) => {
        if (e) s.soError = errnoFromNode(e);
      };
      if (to) udp.send(payload, port, to.address, cb);
      else udp.send(payload, cb);
      this.reply(0, [payload.length]);
    });
  }

  private shutdown(s: HostSocket, how: number): void {
    if (!s.stream) return this.reply(s.udpConnected ? 0 : Errno.NOTCONN);
    if (s.state !== 'connected' || !s.conn) return this.reply(Errno.NOTCONN);
    if (how & 1) {
      s.shutRd = true;
      s.recvQueue = [];
      s.recvBytes = 0;
      this.ringLive(s);
    }
    if (how & 2 && !s.shutWr) {
      s.shutWr = true;
      s.conn.end();
    }
    this.wake();
    this.reply(0);
  }

  // ---- poll -----------------------------------------------------------------------------------

  private readiness(entry: PollRequestEntry): PollReplyEntry | null {
    const [fd, events] = entry;
    const s = this.sockets.get(fd);
    if (!s) return [fd, events, Errno.BADF, 0, 0];
    if (events === PollEvent.READ) {
      if (!s.stream) {
        const d = s.dgrams[0];
        return d ? [fd, events, 0, d.data.length, 0] : null;
      }
      if (s.state === 'listening') return s.accepts.length ? [fd, events, 0, s.accepts.length, 0] : null;
      this.refill(s);
      const held = s.recvBytes + (s.ring ? s.ring.recvAvailable() : 0);
      if (held > 0) return [fd, events, 0, held, s.eof ? 1 : 0];
      if (s.eof || s.readErr || s.shutRd) return [fd, events, 0, 0, 1];
      if (s.state === 'idle') return [fd, events, 0, 0, 1]; // unconnected: POLLHUP as on Linux
      return null;
    }
    if (!s.stream) return [fd, events, 0, 0, 0];
    if (s.state === 'listening' || s.state === 'connecting') return null;
    if (s.state === 'connected' && s.conn && !s.shutWr && !s.readErr) {
      this.flushSend(s);
      if (s.conn.writableLength >= SEND_HIGH) return null;
      if (s.ring && s.ring.sendFree() === 0) return null;
    }
    // Ready to write, or a finished non-blocking connect (SO_ERROR says how it went).
    return [fd, events, 0, 0, 0];
  }

  private poll(entries: PollRequestEntry[], timeoutMs: number): void {
    const attempt = () => {
      const ready: PollReplyEntry[] = [];
      entries.forEach((e, i) => {
        const r = this.readiness(e);
        if (r) ready.push([i, r[1], r[2], r[3], r[4]]);
      });
      if (!ready.length) return false;
      this.reply(0, [encodePollReply(ready, this.channel.dataInts)]);
      return true;
    };
    if (timeoutMs === 0) {
      if (!attempt()) this.reply(0, [0]);
      return;
    }
    this.park(attempt, timeoutMs, () => this.reply(0, [0]));
  }

  // ---- options (socket-options.ts) ------------------------------------------------------------

  private getopt(s: HostSocket, level: number, name: number): void {
    if (level === SOL_SOCKET) {
      // The options that tell the socket's state, not a setting.
      if (name === SockOpt.TYPE) return this.reply(0, [s.stream ? SockType.STREAM : SockType.DGRAM]);
      if (name === SockOpt.ACCEPTCONN) return this.reply(0, [s.state === 'listening' ? 1 : 0]);
      if (name === SockOpt.ERROR) {
        const e = s.soError;
        s.soError = 0;
        return this.reply(0, [e]);
      }
    }
    const values = readOption(s.opts, level, name, s.family);
    return typeof values === 'number' ? this.reply(values) : this.reply(0, values);
  }

  private setopt(s: HostSocket, level: number, name: number, value: number, value2: number): void {
    const { errno, effect } = writeOption(s.opts, level, name, value, value2, { family: s.family, bound: s.state !== 'idle' || s.bound !== null || s.udpBound });
    if (effect === 'nodelay') s.conn?.setNoDelay(s.opts.nodelay);
    else if (effect === 'keepalive') s.conn?.setKeepAlive(s.opts.keepalive);
    else if (effect === 'udp') this.applyUdpOptions(s);
    this.reply(errno);
  }

  // ---- addresses of a socket ------------------------------------------------------------------

  private peerOf(s: HostSocket): { addr: GuestAddress; port: number } | null {
    if (s.stream) {
      const c = s.conn;
      if (!c || s.state !== 'connected') return null;
      if (s.family === 'unix') return { addr: { kind: 'unix', path: '' }, port: 0 };
      if (!c.remoteAddress) return null;
      return { addr: ipAddress(c.remoteAddress), port: c.remotePort ?? 0 };
    }
    if (!s.udp || !s.udpConnected) return null;
    try {
      const r = s.udp.remoteAddress();
      return { addr: ipAddress(r.address), port: r.port };
    } catch {
      return null;
    }
  }

  private localAddr(s: HostSocket): void {
    if (s.family === 'unix') {
      const p = s.bound && 'path' in s.bound ? s.bound.guest : '';
      return this.reply(0, [0], { kind: 'unix', path: p } satisfies GuestAddress);
    }
    let address: string | undefined;
    let port = 0;
    if (s.conn && s.state === 'connected' && s.conn.localAddress) {
      address = s.conn.localAddress;
      port = s.conn.localPort ?? 0;
    } else if (s.bound && 'address' in s.bound) {
      address = s.bound.address;
      port = s.bound.port;
    }
    if (!address) address = s.family === 4 ? '0.0.0.0' : '::';
    const a = ipAddress(address);
    // Report an IPv4 socket's address as IPv4 even if Node shows it mapped.
    if (s.family === 4 && a.family === 6 && address.toLowerCase().startsWith('::ffff:')) {
      return this.reply(0, [port], ipAddress(address.slice(7)));
    }
    return this.reply(0, [port], a);
  }

  private peerAddr(s: HostSocket): void {
    const p = this.peerOf(s);
    if (!p) return this.reply(Errno.NOTCONN);
    this.reply(0, [p.port], p.addr);
  }

  // ---- name lookup (name-lookup.ts) ----------------------------------------------------------

  private getaddrinfo(req: GetaddrinfoRequest): void {
    let answer: GetaddrinfoReply | number | null = null;
    void resolveAddrinfo(req, this.options.net).then((a) => {
      answer = a;
      this.wake();
    });
    this.park(() => {
      if (answer === null) return false;
      if (typeof answer === 'number') this.reply(answer);
      else this.reply(0, [], answer);
      return true;
    }, -1, () => {});
  }
}
