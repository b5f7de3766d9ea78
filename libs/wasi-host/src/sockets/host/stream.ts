// Stream sockets (TCP and AF_UNIX) on net.Socket / net.Server: bind, listen, accept, connect, and
// the receive queue and sends of connections without a ring (ring-pump.ts has those with one).
import * as net from 'node:net';
import type { GuestAddress } from '../../abi/addr.ts';
import { Errno, errnoFromNode } from '../../errno.ts';
import { Ops } from '../../channel/ops.ts';
import { RecvFlags } from '../constants.ts';
import { endsOf, peerOf } from './addresses.ts';
import { hostPort, type ServiceContext } from './context.ts';
import { HostSocket } from './host-socket.ts';
import { RECV_HIGH, RECV_LOW, SEND_HIGH, type RingPump } from './ring-pump.ts';

type Wait = { nonblock: boolean; timeoutMs: number };

export class StreamSockets {
  /** The HostSocket a connection's events go to: for an accepted connection, a placeholder until
   * the guest accepts it, then the guest's socket. */
  private readonly owners = new WeakMap<net.Socket, HostSocket>();

  private readonly ctx: ServiceContext;
  private readonly pump: RingPump;

  constructor(
    ctx: ServiceContext,
    pump: RingPump,
  ) {
    this.ctx = ctx;
    this.pump = pump;}

  bind(s: HostSocket, addr: GuestAddress, port: number): void {
    const ctx = this.ctx;
    if (addr.kind === 'unix') {
      if (!ctx.net.allowsUnix()) return ctx.refuse(`bind to the AF_UNIX path ${addr.path}`);
      // Checked now; listen() resolves the path again when it creates the socket file.
      const refused = ctx.options.unixPath(addr.path, true, () => {});
      if (refused) return ctx.status(refused);
      s.bound = { guest: addr.path };
      return ctx.status(0);
    }
    const address = ctx.net.bindAddress(addr.address, addr.family, port);
    if (address === null) return ctx.refuse(`bind to ${hostPort(addr.address, port)}`);
    // Node cannot bind a TCP socket without listening. Probe the address with a short-lived
    // listener so bind reports EADDRINUSE/EADDRNOTAVAIL and learns the ephemeral port; listen()
    // or connect() then uses the recorded address.
    const done = ctx.pending();
    const probe = net.createServer();
    probe.once('error', (e) => done(errnoFromNode(e)));
    probe.listen({ host: address, port, exclusive: true, ipv6Only: s.family === 6 && s.opts.v6only }, () => {
      const info = probe.address() as net.AddressInfo;
      s.bound = { address: info.address, port: info.port };
      probe.close(() => done(0));
    });
  }

  listen(s: HostSocket, backlog: number): void {
    const ctx = this.ctx;
    if (s.state === 'listening') return ctx.status(0);
    if (s.state !== 'idle') return ctx.status(Errno.INVAL);
    let bound = s.bound;
    if (!bound) {
      if (s.family === 'unix') return ctx.status(Errno.INVAL);
      const address = ctx.net.bindAddress(s.family === 4 ? '0.0.0.0' : '::', s.family);
      if (address === null) return ctx.refuse("listen on a port");
      bound = { address, port: 0 };
    }
    const ip = 'address' in bound ? bound : null;
    const unixPath = 'guest' in bound ? bound.guest : '';
    const done = ctx.pending();
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false });
    server.once('error', (e) => done(errnoFromNode(e)));
    server.on('connection', (c) => {
      this.attachConn(c, new HostSocket(-1, s.family, true));
      s.accepts.push(c);
      ctx.wake();
    });
    const listen = (where: net.ListenOptions) =>
      server.listen({ ...where, backlog: backlog > 0 ? Math.min(backlog, 4096) : 128 }, () => {
        server.removeAllListeners('error');
        server.on('error', () => {});
        s.server = server;
        s.state = 'listening';
        // An IP socket learns its port (an ephemeral one, if it asked for 0).
        if (ip) {
          const info = server.address() as net.AddressInfo;
          s.bound = { address: info.address, port: info.port };
        }
        done(0);
      });
    if (ip) listen({ host: ip.address, port: ip.port, ipv6Only: s.family === 6 && s.opts.v6only });
    else {
      // listen() creates the socket file: the guest path is resolved again (the guest may have
      // swapped a directory on the way since bind()), and the server binds during the resolution.
      const refused = ctx.options.unixPath(unixPath, true, (hostPath, keep) => {
        // libuv unlinks the socket file through this path when the server closes: its directory
        // stays held until then.
        const release = keep();
        server.once('close', release);
        server.once('error', release); // not listening after all (a later error listener replaces this one)
        listen({ path: hostPath });
      });
      if (refused) done(refused);
    }
  }

  accept(s: HostSocket, newFd: number, o: Wait): void {
    const ctx = this.ctx;
    if (s.state !== 'listening') return ctx.status(Errno.INVAL);
    if (ctx.sockets.has(newFd)) return ctx.status(Errno.BADF);
    const attempt = () => {
      if (s.state !== 'listening') {
        ctx.status(Errno.BADF);
        return true;
      }
      const c = s.accepts.shift();
      if (!c) return false;
      const holder = this.owners.get(c)!;
      const ns = new HostSocket(newFd, s.family, true);
      Object.assign(ns, {
        conn: c, state: 'connected', recvQueue: holder.recvQueue, recvBytes: holder.recvBytes,
        paused: holder.paused, eof: holder.eof, readErr: holder.readErr, soError: holder.soError,
      });
      this.owners.set(c, ns);
      if (s.opts.nodelay) c.setNoDelay(true);
      ctx.sockets.set(newFd, ns);
      ctx.reply(Ops.accept, { ends: endsOf(ns) });
      return true;
    };
    ctx.wait(attempt, o, () => ctx.status(Errno.AGAIN), true);
  }

  connect(s: HostSocket, addr: GuestAddress, port: number, o: Wait): void {
    const ctx = this.ctx;
    if (s.state === 'connected') return ctx.status(Errno.ISCONN);
    if (s.state === 'listening') return ctx.status(Errno.INVAL);
    if (s.state === 'connecting') {
      if (o.nonblock) return ctx.status(Errno.ALREADY);
      return this.waitConnect(s, o.timeoutMs);
    }
    let c: net.Socket;
    if (addr.kind === 'unix') {
      if (!ctx.net.allowsUnix()) return ctx.refuse(`connect to the AF_UNIX path ${addr.path}`);
      let made: net.Socket | undefined;
      const refused = ctx.options.unixPath(addr.path, false, (hostPath) => {
        made = net.connect({ path: hostPath, allowHalfOpen: true, onread: this.pump.directRead(s) });
      });
      if (refused || !made) return ctx.status(refused || Errno.IO);
      c = made;
    } else {
      if (!ctx.net.allowsPeer(addr.address, port)) return ctx.refuse(`connect to ${hostPort(addr.address, port)}`);
      const local = s.bound && 'address' in s.bound ? s.bound : null;
      c = net.connect({
        host: addr.address,
        port,
        family: addr.family,
        allowHalfOpen: true,
        onread: this.pump.directRead(s),
        noDelay: s.opts.nodelay,
        keepAlive: s.opts.keepalive,
        ...(local ? { localAddress: local.address, localPort: local.port } : {}),
      });
    }
    s.soError = 0;
    this.attachConn(c, s, true);
    s.state = 'connecting';
    c.once('connect', () => {
      if (s.conn === c) {
        s.state = 'connected';
        this.pump.publishLive(s);
      }
      ctx.wake();
    });
    if (o.nonblock) return ctx.status(Errno.INPROGRESS);
    this.waitConnect(s, o.timeoutMs);
  }

  private waitConnect(s: HostSocket, timeoutMs: number): void {
    const ctx = this.ctx;
    const attempt = () => {
      if (s.state === 'connecting') return false;
      if (s.state === 'connected') ctx.reply(Ops.connect, { ends: endsOf(s) });
      else {
        ctx.status(s.takeError() || Errno.CONNREFUSED);
      }
      return true;
    };
    ctx.wait(attempt, { timeoutMs }, () => ctx.status(Errno.INPROGRESS));
  }

  /** Buffers a connection's incoming bytes (unless it reads `direct`ly, ring-pump.ts) and records
   * EOF and errors in the socket that owns it. */
  private attachConn(c: net.Socket, owner: HostSocket, direct = false): void {
    const ctx = this.ctx;
    const pump = this.pump;
    this.owners.set(c, owner);
    owner.conn = c;
    owner.state = 'connected';
    if (!direct) c.on('data', (chunk: Buffer) => {
      const h = this.owners.get(c)!;
      if (h.shutRd) return;
      h.recvQueue.push(chunk);
      h.recvBytes += chunk.length;
      pump.refill(h);
      if (h.recvBytes > RECV_HIGH && !h.paused) {
        h.paused = true;
        c.pause();
      }
      ctx.wake();
    });
    c.on('end', () => {
      const h = this.owners.get(c)!;
      h.eof = true;
      pump.publishLive(h);
      ctx.wake();
    });
    c.on('error', (e) => {
      const h = this.owners.get(c)!;
      const errno = errnoFromNode(e);
      if (h.state === 'connecting') {
        h.state = 'idle';
        h.conn = null;
        h.soError = errno;
      } else {
        h.readErr = errno;
        h.soError = errno;
        pump.publishSendError(h);
      }
      pump.publishLive(h);
      ctx.wake();
    });
    c.on('close', () => {
      const h = this.owners.get(c)!;
      if (h.state === 'connected') h.eof = true;
      pump.publishLive(h);
      ctx.wake();
    });
    c.on('drain', () => {
      pump.flushSend(this.owners.get(c)!);
      ctx.wake();
    });
  }

  /** RECV/RECVFROM without a ring: bytes from the receive queue into the data buffer. */
  recv(s: HostSocket, max: number, riflags: number, o: Wait, from: boolean): void {
    const ctx = this.ctx;
    const peek = (riflags & RecvFlags.PEEK) !== 0;
    const waitAll = (riflags & RecvFlags.WAITALL) !== 0 && !peek;
    if (s.failedConnect) return ctx.status(s.takeError());
    if (s.state === 'listening' || (s.state === 'idle' && !s.readErr && !s.conn)) return ctx.status(Errno.NOTCONN);
    const peer = from ? peerOf(s) : null;
    const answer = (n: number) => {
      if (from) ctx.reply(Ops.recvFrom, { n, roflags: 0, port: peer?.port ?? 0, address: peer?.address ?? null });
      else ctx.reply(Ops.recv, { n, roflags: 0 });
    };
    const attempt = () => {
      if (s.recvBytes > 0 && (!waitAll || s.recvBytes >= max || s.eof || s.readErr)) {
        answer(this.take(s, max, peek));
        return true;
      }
      if (max === 0 && !s.readErr) {
        answer(0);
        return true;
      }
      if (s.readErr) {
        const e = s.readErr;
        s.readErr = 0;
        ctx.status(e);
        return true;
      }
      if (s.eof || s.shutRd) {
        answer(0);
        return true;
      }
      return false;
    };
    // Out of time (or non-blocking) with MSG_WAITALL: what there is.
    ctx.wait(attempt, o, () => {
      if (s.recvBytes > 0) answer(this.take(s, max, peek));
      else ctx.status(Errno.AGAIN);
    }, true);
  }

  /** Copies up to `max` queued bytes into the data buffer (consuming them unless `peek`). */
  private take(s: HostSocket, max: number, peek: boolean): number {
    const data = this.ctx.channel.data;
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

  /** SEND without a ring: `payload` (copied out of the data buffer) to the connection, waiting
   * for a connect in progress and while Node holds SEND_HIGH unsent bytes. */
  send(s: HostSocket, payload: Buffer, o: Wait): void {
    const ctx = this.ctx;
    if (s.state === 'listening') return ctx.status(Errno.NOTCONN);
    if (s.failedConnect) return ctx.status(s.takeError());
    if (s.shutWr) return ctx.status(Errno.PIPE);
    if (s.readErr && s.readErr !== Errno.CONNRESET) return ctx.status(s.readErr);
    if (s.state !== 'connecting' && (!s.conn || s.conn.destroyed || s.state !== 'connected')) return ctx.status(s.readErr ? Errno.PIPE : Errno.NOTCONN);
    const attempt = () => {
      if (s.state === 'connecting') return false;
      const c = s.conn;
      if (!c || c.destroyed || c.writableEnded || s.readErr) {
        ctx.status(Errno.PIPE);
        return true;
      }
      if (c.writableLength >= SEND_HIGH) return false;
      c.write(payload);
      ctx.reply(Ops.send, { n: payload.length });
      return true;
    };
    ctx.wait(attempt, o, () => ctx.status(Errno.AGAIN));
  }

  shutdown(s: HostSocket, how: number): void {
    const ctx = this.ctx;
    if (s.state !== 'connected' || !s.conn) return ctx.status(Errno.NOTCONN);
    if (how & 1) {
      s.shutRd = true;
      s.recvQueue = [];
      s.recvBytes = 0;
      this.pump.publishLive(s);
    }
    if (how & 2 && !s.shutWr) {
      s.shutWr = true;
      s.conn.end();
    }
    ctx.wake();
    ctx.status(0);
  }
}
