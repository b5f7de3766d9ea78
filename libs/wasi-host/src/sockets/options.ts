// Socket options as a typed record per socket, with what getsockopt/setsockopt answer for them as
// Linux does (sizes doubled on set, defaults reported). The options that depend on a socket's
// state (SO_TYPE, SO_ERROR, SO_ACCEPTCONN) and the effects on live Node sockets stay with the
// socket service, which `writeOption` tells what to re-apply.
import { Errno } from '../errno.ts';
import { IPPROTO_IPV6, IPPROTO_TCP, IPV6_V6ONLY, SockOpt, SOL_SOCKET, TCP_NODELAY } from './constants.ts';

export interface SocketOptions {
  reuseaddr: boolean;
  keepalive: boolean;
  broadcast: boolean;
  dontroute: boolean;
  oobinline: boolean;
  nodelay: boolean;
  /** IPV6_V6ONLY; applied when the socket binds or listens. */
  v6only: boolean;
  /** Set sizes (already doubled, as Linux reports them); null reports the kernel's default. */
  sndbuf: number | null;
  rcvbuf: number | null;
  rcvlowat: number;
  linger: { on: boolean; seconds: number };
}

export function newSocketOptions(): SocketOptions {
  return { reuseaddr: false, keepalive: false, broadcast: false, dontroute: false, oobinline: false, nodelay: false, v6only: false, sndbuf: null, rcvbuf: null, rcvlowat: 1, linger: { on: false, seconds: 0 } };
}

/** Linux's defaults on loopback, reported until the guest sets a size. */
const DEFAULT_SNDBUF = 212992;
const DEFAULT_RCVBUF = 131072;

const bit = (b: boolean) => (b ? 1 : 0);

/** getsockopt of an option the record holds: its values, or an errno. */
export function readOption(o: SocketOptions, level: number, name: number, family: 4 | 6 | 'unix'): number[] | number {
  if (level === IPPROTO_IPV6) return family === 6 && name === IPV6_V6ONLY ? [bit(o.v6only)] : Errno.NOPROTOOPT;
  if (level === IPPROTO_TCP) return name === TCP_NODELAY ? [bit(o.nodelay)] : Errno.NOPROTOOPT;
  if (level !== SOL_SOCKET) return Errno.NOPROTOOPT;
  switch (name) {
    case SockOpt.REUSEADDR: return [bit(o.reuseaddr)];
    case SockOpt.KEEPALIVE: return [bit(o.keepalive)];
    case SockOpt.BROADCAST: return [bit(o.broadcast)];
    case SockOpt.DONTROUTE: return [bit(o.dontroute)];
    case SockOpt.OOBINLINE: return [bit(o.oobinline)];
    case SockOpt.SNDBUF: return [o.sndbuf ?? DEFAULT_SNDBUF];
    case SockOpt.RCVBUF: return [o.rcvbuf ?? DEFAULT_RCVBUF];
    case SockOpt.RCVLOWAT: return [o.rcvlowat];
    case SockOpt.LINGER: return [bit(o.linger.on), o.linger.seconds];
    default: return Errno.NOPROTOOPT;
  }
}

/** What a live socket must be told after a write: TCP_NODELAY, SO_KEEPALIVE, or the UDP socket's
 * broadcast and buffer sizes. */
export type OptionEffect = 'nodelay' | 'keepalive' | 'udp' | null;

/**
 * setsockopt into the record. `bound`: the socket has bound or listened (too late for
 * IPV6_V6ONLY, as on Linux). Returns the errno (0 = set) and the effect to apply.
 */
export function writeOption(o: SocketOptions, level: number, name: number, value: number, value2: number, socket: { family: 4 | 6 | 'unix'; bound: boolean }): { errno: number; effect: OptionEffect } {
  const on = value !== 0;
  const done = (effect: OptionEffect = null) => ({ errno: 0, effect });
  const fail = (errno: number) => ({ errno, effect: null });
  if (level === IPPROTO_IPV6) {
    if (socket.family !== 6 || name !== IPV6_V6ONLY) return fail(Errno.NOPROTOOPT);
    if (socket.bound) return fail(Errno.INVAL);
    o.v6only = on;
    return done();
  }
  if (level === IPPROTO_TCP) {
    if (name !== TCP_NODELAY) return fail(Errno.NOPROTOOPT);
    o.nodelay = on;
    return done('nodelay');
  }
  if (level !== SOL_SOCKET) return fail(Errno.NOPROTOOPT);
  switch (name) {
    case SockOpt.REUSEADDR:
      o.reuseaddr = on;
      return done();
    case SockOpt.KEEPALIVE:
      o.keepalive = on;
      return done('keepalive');
    case SockOpt.BROADCAST:
      o.broadcast = on;
      return done('udp');
    case SockOpt.DONTROUTE:
      o.dontroute = on;
      return done();
    case SockOpt.OOBINLINE:
      o.oobinline = on;
      return done();
    case SockOpt.SNDBUF:
    case SockOpt.RCVBUF: {
      if (value < 0) return fail(Errno.INVAL);
      const size = Math.max(value * 2, 2048); // Linux doubles the requested size and reports that
      if (name === SockOpt.SNDBUF) o.sndbuf = size;
      else o.rcvbuf = size;
      return done('udp');
    }
    case SockOpt.RCVLOWAT:
      o.rcvlowat = Math.max(1, value);
      return done();
    case SockOpt.LINGER:
      o.linger = { on, seconds: value2 };
      return done();
    case SockOpt.BINDTODEVICE:
      return fail(Errno.NOTSUP);
    default: // SO_TYPE, SO_ERROR, SO_ACCEPTCONN are read-only; anything else is unknown
      return fail(Errno.NOPROTOOPT);
  }
}
