// A socket's own address and its peer's, as getsockname/getpeername answer them.
import { ipAddress, type GuestAddress } from '../../abi/addr.ts';
import type { Endpoint, SocketEnds } from '../../channel/ops.ts';
import type { HostSocket } from './host-socket.ts';

/** Whether the socket may bind or connect to `addr`. An IPv6 socket may talk to IPv4 peers only
 * through mapped addresses; plain IPv4 is accepted too. */
export function familyMatches(s: HostSocket, addr: GuestAddress): boolean {
  if (addr.kind === 'unix') return s.family === 'unix';
  if (s.family === 'unix') return false;
  return s.family === addr.family || s.family === 6;
}

/** The connected peer, or null. */
export function peerOf(s: HostSocket): Endpoint | null {
  if (s.stream) {
    const c = s.conn;
    if (!c || s.state !== 'connected') return null;
    if (s.family === 'unix') return { address: { kind: 'unix', path: '' }, port: 0 };
    if (!c.remoteAddress) return null;
    return { address: ipAddress(c.remoteAddress), port: c.remotePort ?? 0 };
  }
  if (!s.udp || !s.udpConnected) return null;
  try {
    const r = s.udp.remoteAddress();
    return { address: ipAddress(r.address), port: r.port };
  } catch {
    return null;
  }
}

/** The socket's own address: the connection's local end, else what it is bound to, else the
 * wildcard of its family. */
export function localOf(s: HostSocket): Endpoint {
  if (s.family === 'unix') {
    const path = s.bound && 'guest' in s.bound ? s.bound.guest : '';
    return { address: { kind: 'unix', path }, port: 0 };
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
  address ??= s.family === 4 ? '0.0.0.0' : '::';
  // Report an IPv4 socket's address as IPv4 even if Node shows it mapped.
  if (s.family === 4 && address.toLowerCase().startsWith('::ffff:') && ipAddress(address).family === 6) address = address.slice(7);
  return { address: ipAddress(address), port };
}

/** Both ends of a connected stream socket, for the reply of its connect or accept. */
export function endsOf(s: HostSocket): SocketEnds | null {
  const peer = s.stream ? peerOf(s) : null;
  return peer ? { local: localOf(s), peer } : null;
}
