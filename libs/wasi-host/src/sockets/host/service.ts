// The event-loop side of the socket extension. It runs on the thread that called runWasi and owns
// every net/dgram/dns object; requests from the guest thread arrive on the channel (one per guest
// thread of a wasi-threads guest: serve()) and go to the part that serves them: stream.ts (TCP,
// AF_UNIX), datagram.ts (UDP), ring-pump.ts (the shared rings of connections), readiness.ts (POLL),
// name-lookup.ts. Ready or non-blocking requests are answered at once, blocking ones parked
// (context.ts).
import { AddressFamily, SockType } from '../../abi/addr.ts';
import type { OpCodec, Shape, ValueOf } from '../../channel/codec.ts';
import { HostChannel, type ChannelBuffers, type Request } from '../../channel/channel.ts';
import { Errno, POLICY_REFUSED, errnoFromNode } from '../../errno.ts';
import { Ops, type GetaddrinfoReply, type GetaddrinfoRequest } from '../../channel/ops.ts';
import { SockOpt, SOL_SOCKET } from '../constants.ts';
import { resolveAddrinfo } from '../name-lookup.ts';
import { readOption, writeOption } from '../options.ts';
import { familyMatches, localOf, peerOf } from './addresses.ts';
import { ServiceContext, type Served, type SocketServiceOptions } from './context.ts';
import { DatagramSockets } from './datagram.ts';
import { HostSocket } from './host-socket.ts';
import { readyEntries } from './readiness.ts';
import { RingPump } from './ring-pump.ts';
import { StreamSockets } from './stream.ts';

export type { SocketServiceOptions } from './context.ts';

type Handler = (req: Request) => void;

export class SocketService {
  private readonly ctx: ServiceContext;
  private readonly pump: RingPump;
  private readonly streams: StreamSockets;
  private readonly datagrams: DatagramSockets;
  private readonly handlers = new Map<number, Handler>();
  /** Every channel's doorbell: the guest wrote into a socket ring. */
  private readonly doorbell = (): void => this.pump.serviceDoorbell();

  /** `bufs`: the main guest thread's channel. */
  constructor(bufs: ChannelBuffers, options: SocketServiceOptions) {
    const channel = new HostChannel(bufs, (req) => this.dispatch(main, req), this.doorbell);
    this.ctx = new ServiceContext(channel, options);
    const main = this.ctx.channels[0]!;
    this.pump = new RingPump(this.ctx);
    this.streams = new StreamSockets(this.ctx, this.pump);
    this.datagrams = new DatagramSockets(this.ctx);
    this.route();
  }

  start(): void {
    this.ctx.channels[0]!.channel.start();
  }

  /**
   * Serves one more guest thread (a wasi-threads guest's spawned thread) on its own channel, into
   * the same sockets: a blocking call parked for one thread holds back no other thread's calls.
   * Returns what stops serving it (its thread has ended; the sockets it opened stay).
   */
  serve(bufs: ChannelBuffers): () => void {
    const channel = new HostChannel(bufs, (req) => this.dispatch(served, req), this.doorbell);
    const served = this.ctx.add(channel);
    channel.start();
    return () => {
      channel.stop();
      this.ctx.remove(served);
    };
  }

  /** Stops serving and destroys every socket (the guest has exited). */
  close(): void {
    for (const { channel } of this.ctx.channels) channel.stop();
    this.pump.serviceDoorbell();
    this.ctx.unpark();
    for (const s of this.ctx.sockets.values()) this.destroy(s);
    this.ctx.sockets.clear();
  }

  /** The guest was interrupted: a blocking accept, recv or poll it waits in returns EINTR, and a
   * recv waiting on a ring wakes to see the interrupt. */
  interrupt(): void {
    this.ctx.interrupt();
    this.pump.wakeSleepers();
  }

  get openSockets(): number {
    return this.ctx.sockets.size;
  }

  private on<Q extends Shape>(op: OpCodec<Q>, handle: (q: ValueOf<Q>) => void): void {
    this.handlers.set(op.code, (req) => handle(req.read(op)));
  }

  /** A handler of requests on one socket: EBADF when the guest's fd is not one. */
  private onSocket<Q extends Shape & { fd: unknown }>(op: OpCodec<Q>, handle: (s: HostSocket, q: ValueOf<Q>) => void): void {
    this.handlers.set(op.code, (req) => {
      const q = req.read(op);
      const s = this.ctx.sockets.get(q.fd as number);
      if (s) handle(s, q);
      else this.ctx.status(Errno.BADF);
    });
  }

  private route(): void {
    const { ctx, streams, datagrams, pump } = this;
    this.on(Ops.open, (q) => this.open(q.fd, q.af, q.type));
    this.on(Ops.ring, (q) => pump.attach(q.fd, q.ringId, q.isNew));
    this.on(Ops.poll, (q) => this.poll(q.entries, q.timeoutMs));
    this.on(Ops.getaddrinfo, (q) => this.getaddrinfo(q.query));
    this.handlers.set(Ops.readline.code, (req) => (ctx.options.readline ? ctx.options.readline.serve(req, ctx.channel) : ctx.status(Errno.NOSYS)));
    this.onSocket(Ops.close, (s, q) => {
      this.destroy(s);
      ctx.sockets.delete(s.fd);
      if (q.droppedRing) pump.forget(q.droppedRing);
      ctx.status(0);
    });
    this.onSocket(Ops.bind, (s, q) => {
      if (s.bound || s.state !== 'idle') return ctx.status(Errno.INVAL);
      if (!familyMatches(s, q.address)) return ctx.status(Errno.AFNOSUPPORT);
      if (s.stream) streams.bind(s, q.address, q.port);
      else datagrams.bind(s, q.address, q.port);
    });
    this.onSocket(Ops.connect, (s, q) => {
      if (!familyMatches(s, q.address)) return ctx.status(Errno.AFNOSUPPORT);
      if (s.stream) streams.connect(s, q.address, q.port, q);
      else datagrams.connect(s, q.address, q.port);
    });
    this.onSocket(Ops.listen, (s, q) => (s.stream ? streams.listen(s, q.backlog) : ctx.status(Errno.NOTSUP)));
    this.onSocket(Ops.accept, (s, q) => streams.accept(s, q.newFd, q));
    this.onSocket(Ops.recv, (s, q) => {
      if (s.ring) pump.recv(s, q.max, q);
      else if (s.stream) streams.recv(s, q.max, q.riflags, q, false);
      else datagrams.recv(s, q.max, q.riflags, q, false);
    });
    this.onSocket(Ops.recvFrom, (s, q) => (s.stream ? streams.recv(s, q.max, q.riflags, q, true) : datagrams.recv(s, q.max, q.riflags, q, true)));
    this.onSocket(Ops.send, (s, q) => {
      const payload = this.payload(q.len);
      if (s.stream) streams.send(s, payload, q);
      else datagrams.send(s, payload, null, 0);
    });
    this.onSocket(Ops.sendTo, (s, q) => {
      const payload = this.payload(q.len);
      // On a stream socket the address is ignored, as Linux does for a connected socket.
      if (s.stream) streams.send(s, payload, q);
      else datagrams.send(s, payload, q.to, q.port);
    });
    this.onSocket(Ops.sendWait, (s, q) => pump.sendWait(s, q));
    this.onSocket(Ops.shutdown, (s, q) => (s.stream ? streams.shutdown(s, q.how) : datagrams.shutdown(s)));
    this.onSocket(Ops.getOption, (s, q) => this.getOption(s, q.level, q.name));
    this.onSocket(Ops.setOption, (s, q) => this.setOption(s, q.level, q.name, q.value, q.value2));
    this.onSocket(Ops.localAddress, (s) => ctx.reply(Ops.localAddress, localOf(s)));
    this.onSocket(Ops.peerAddress, (s) => {
      const peer = peerOf(s);
      if (peer) ctx.reply(Ops.peerAddress, peer);
      else ctx.status(Errno.NOTCONN);
    });
  }

  private dispatch(served: Served, req: Request): void {
    // Sends the guest put in its rings precede this request.
    this.pump.serviceDoorbell();
    const handle = this.handlers.get(req.code);
    this.ctx.serving(served, () => {
      if (!handle) return this.ctx.status(Errno.NOSYS);
      try {
        handle(req);
      } catch (e) {
        // Node throws synchronously for bad arguments (ports, addresses): an errno, never a crash.
        const errno = errnoFromNode(e);
        this.ctx.status(errno === Errno.IO ? Errno.INVAL : errno);
      }
    });
  }

  /** The bytes of a SEND, copied out of the shared buffer: Node keeps the Buffer until they are on
   * the wire. */
  private payload(len: number): Buffer {
    return Buffer.from(this.ctx.channel.data.subarray(0, len));
  }

  private open(fd: number, af: number, type: number): void {
    const ctx = this.ctx;
    if (ctx.sockets.has(fd)) return ctx.status(Errno.BADF);
    const family = af === AddressFamily.INET4 ? 4 : af === AddressFamily.INET6 ? 6 : af === AddressFamily.UNIX ? 'unix' : null;
    if (family === null) return ctx.status(Errno.AFNOSUPPORT);
    const stream = type === SockType.STREAM || type === SockType.ANY;
    if (!stream && type !== SockType.DGRAM) return ctx.status(Errno.INVAL);
    if (family === 'unix' && !stream) return ctx.status(Errno.NOTSUP); // Node has no AF_UNIX datagrams
    ctx.sockets.set(fd, new HostSocket(fd, family, stream));
    ctx.status(0);
  }

  private destroy(s: HostSocket): void {
    this.pump.detach(s);
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
    this.datagrams.close(s);
    s.conn = null;
    s.server = null;
    s.accepts = [];
  }

  private poll(entries: ValueOf<typeof Ops.poll.request>['entries'], timeoutMs: number): void {
    const ctx = this.ctx;
    const attempt = () => {
      const ready = readyEntries(entries, ctx.sockets, this.pump);
      if (!ready.length) return false;
      ctx.reply(Ops.poll, { ready });
      return true;
    };
    ctx.wait(attempt, { nonblock: timeoutMs === 0, timeoutMs }, () => ctx.reply(Ops.poll, { ready: [] }), true);
  }

  private getOption(s: HostSocket, level: number, name: number): void {
    const ctx = this.ctx;
    const answer = (value: number, value2 = 0) => ctx.reply(Ops.getOption, { value, value2 });
    if (level === SOL_SOCKET) {
      // The options that tell the socket's state, not a setting.
      if (name === SockOpt.TYPE) return answer(s.stream ? SockType.STREAM : SockType.DGRAM);
      if (name === SockOpt.ACCEPTCONN) return answer(s.state === 'listening' ? 1 : 0);
      if (name === SockOpt.ERROR) {
        const e = s.takeError();
        return answer(e);
      }
    }
    const values = readOption(s.opts, level, name, s.family);
    if (typeof values === 'number') ctx.status(values);
    else answer(values[0] ?? 0, values[1] ?? 0);
  }

  private setOption(s: HostSocket, level: number, name: number, value: number, value2: number): void {
    const { errno, effect } = writeOption(s.opts, level, name, value, value2, { family: s.family, bound: s.state !== 'idle' || s.bound !== null || s.udpBound });
    if (effect === 'nodelay') s.conn?.setNoDelay(s.opts.nodelay);
    else if (effect === 'keepalive') s.conn?.setKeepAlive(s.opts.keepalive);
    else if (effect === 'udp') this.datagrams.applyOptions(s);
    this.ctx.status(errno);
  }

  private getaddrinfo(query: GetaddrinfoRequest): void {
    const ctx = this.ctx;
    const done = ctx.parkUntil((answer: GetaddrinfoReply | number) => (typeof answer === 'number' ? ctx.status(answer) : ctx.reply(Ops.getaddrinfo, { answer })));
    void resolveAddrinfo(query, ctx.net).then((answer) => {
      if (answer === POLICY_REFUSED) ctx.options.onNetRefused?.(`look up ${query.node ?? '(no name)'}`);
      done(answer);
    });
  }
}
