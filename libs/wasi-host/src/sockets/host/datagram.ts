// Datagram sockets (UDP) on dgram.Socket. Node creates the dgram socket lazily: at bind, or at the
// first connect or send, which bind it to the wildcard address first as a kernel does.
import * as dgram from 'node:dgram';
import type { GuestAddress } from '../../abi/addr.ts';
import { Errno, errnoFromNode } from '../../errno.ts';
import { Ops } from '../../channel/ops.ts';
import { RecvFlags, RecvOutFlags } from '../constants.ts';
import { hostPort, type ServiceContext } from './context.ts';
import type { HostSocket } from './host-socket.ts';

/** Queued datagrams beyond this are dropped, as a kernel drops them. */
const DGRAM_QUEUE_MAX = 4 * 1024 * 1024;
/** The largest UDP payload over IPv4. */
const UDP_MAX_PAYLOAD = 65507;

export class DatagramSockets {
  private readonly ctx: ServiceContext;

  constructor(ctx: ServiceContext) {
    this.ctx = ctx;}

  bind(s: HostSocket, addr: GuestAddress, port: number): void {
    const ctx = this.ctx;
    if (addr.kind !== 'ip') return ctx.status(Errno.AFNOSUPPORT);
    const address = ctx.net.bindAddress(addr.address, addr.family, port);
    if (address === null) return ctx.refuse(`bind to ${hostPort(addr.address, port)}`);
    this.bindTo(s, address, port, true, ctx.pending());
  }

  connect(s: HostSocket, addr: GuestAddress, port: number): void {
    const ctx = this.ctx;
    if (addr.kind !== 'ip') return ctx.status(Errno.AFNOSUPPORT);
    if (!ctx.net.allowsPeer(addr.address, port)) return ctx.refuse(`connect to ${hostPort(addr.address, port)}`);
    this.whenBound(s, () => {
      const udp = s.udp!;
      if (s.udpConnected) {
        udp.disconnect();
        s.udpConnected = false;
      }
      const done = ctx.pending();
      const onError = (e: Error) => done(errnoFromNode(e));
      udp.once('error', onError);
      udp.connect(port, addr.address, () => {
        udp.off('error', onError);
        s.udpConnected = true;
        done(0);
      });
    });
  }

  /** SEND/SENDTO: one datagram; `to` is null on a connected socket. */
  send(s: HostSocket, payload: Buffer, to: GuestAddress | null, port: number): void {
    const ctx = this.ctx;
    if (to && to.kind !== 'ip') return ctx.status(Errno.AFNOSUPPORT);
    if (!to && !s.udpConnected) return ctx.status(Errno.NOTCONN);
    if (to && s.udpConnected) return ctx.status(Errno.ISCONN);
    if (to && !ctx.net.allowsPeer(to.address, port)) return ctx.refuse(`send to ${hostPort(to.address, port)}`);
    if (payload.length > UDP_MAX_PAYLOAD) return ctx.status(Errno.MSGSIZE);
    this.whenBound(s, () => {
      const udp = s.udp!;
      const cb = (e: Error | null) => {
        // A failure shows as SO_ERROR, as an ICMP error does on Linux.
        if (e) s.soError = errnoFromNode(e);
        if (--s.udpSending === 0 && s.udpCloseAfterSends) closeQuietly(udp);
      };
      if (to) udp.send(payload, port, to.address, cb);
      else udp.send(payload, cb);
      // Counted once Node took it (a send that throws never calls back); its callback is async.
      s.udpSending++;
      ctx.reply(to ? Ops.sendTo : Ops.send, { n: payload.length });
    });
  }

  /** RECV/RECVFROM: the next datagram, truncated to `max` bytes. */
  recv(s: HostSocket, max: number, riflags: number, o: { nonblock: boolean; timeoutMs: number }, from: boolean): void {
    const ctx = this.ctx;
    const peek = (riflags & RecvFlags.PEEK) !== 0;
    const data = ctx.channel.data;
    const attempt = () => {
      const d = s.dgrams[0];
      if (!d) return false;
      if (!peek) {
        s.dgrams.shift();
        s.dgramBytes -= d.data.length;
      }
      const n = Math.min(max, d.data.length);
      d.data.copy(data, 0, 0, n);
      const roflags = n < d.data.length ? RecvOutFlags.TRUNCATED : 0;
      if (from) ctx.reply(Ops.recvFrom, { n, roflags, port: d.port, address: { kind: 'ip', family: d.family, address: d.address } });
      else ctx.reply(Ops.recv, { n, roflags });
      return true;
    };
    ctx.wait(attempt, o, () => ctx.status(Errno.AGAIN), true);
  }

  shutdown(s: HostSocket): void {
    this.ctx.status(s.udpConnected ? 0 : Errno.NOTCONN);
  }

  /**
   * Closes the socket's dgram socket (the guest closed the socket). Node sends a datagram to an
   * address only after looking the address up, which completes on a later tick even for an IP
   * address, and drops it if the socket was closed meanwhile; a kernel sends what sendto accepted.
   * So a close waits for the sends in flight: a thread that sends and at once closes its socket
   * (and exits) would otherwise lose its datagram now and then.
   */
  close(s: HostSocket): void {
    const udp = s.udp;
    if (!udp) return;
    s.udp = null;
    udp.removeAllListeners('message'); // the guest can no longer receive on it
    if (s.udpSending > 0) s.udpCloseAfterSends = true;
    else closeQuietly(udp);
  }

  /** Applies the options a kernel applies to a bound UDP socket (best effort: it clamps these). */
  applyOptions(s: HostSocket): void {
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

  private ensureUdp(s: HostSocket): dgram.Socket {
    if (s.udp) return s.udp;
    const udp = dgram.createSocket({
      type: s.family === 6 ? 'udp6' : 'udp4',
      reuseAddr: s.opts.reuseaddr,
      ipv6Only: s.family === 6 && s.opts.v6only,
    });
    udp.on('message', (msg, rinfo) => {
      if (s.dgramBytes + msg.length > DGRAM_QUEUE_MAX) return;
      s.dgrams.push({ data: msg, address: rinfo.address, family: rinfo.family === 'IPv6' ? 6 : 4, port: rinfo.port });
      s.dgramBytes += msg.length;
      this.ctx.wake();
    });
    udp.on('error', (e) => {
      s.soError = errnoFromNode(e);
      this.ctx.wake();
    });
    s.udp = udp;
    return udp;
  }

  private bindTo(s: HostSocket, address: string, port: number, exclusive: boolean, done: (errno: number) => void): void {
    const udp = this.ensureUdp(s);
    const onError = (e: Error) => done(errnoFromNode(e));
    udp.once('error', onError);
    udp.bind({ address, port, exclusive }, () => {
      udp.off('error', onError);
      s.udpBound = true;
      s.bound = { address: udp.address().address, port: udp.address().port };
      this.applyOptions(s);
      done(0);
    });
  }

  /** Runs `then` once the socket is bound: at once, or after binding it to the wildcard address
   * (narrowed by policy). `then` answers the request. */
  private whenBound(s: HostSocket, then: () => void): void {
    const ctx = this.ctx;
    if (s.udpBound) return then();
    const address = ctx.net.bindAddress(s.family === 6 ? '::' : '0.0.0.0', s.family === 6 ? 6 : 4);
    if (address === null) return ctx.refuse("bind a UDP port");
    this.bindTo(s, address, 0, false, ctx.parkUntil((errno: number) => (errno ? ctx.status(errno) : then())));
  }
}

function closeQuietly(udp: dgram.Socket): void {
  try {
    udp.close();
  } catch {
    // already closed
  }
}
