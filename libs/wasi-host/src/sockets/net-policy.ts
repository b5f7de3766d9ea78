// The network policy the host enforces for connect, bind, send_to and name lookup.
//   all       no restriction
//   loopback  only loopback addresses (127.0.0.0/8, ::1, ::ffff:127.x) and AF_UNIX; a bind to the
//             wildcard address (0.0.0.0 / ::) is narrowed to the loopback address of its family,
//             so servers that bind '' still work without being reachable from outside
//   none      no IP or AF_UNIX networking at all
// Refusals answer EACCES (WASI errno 2, PermissionError in Python).
import { isIP } from 'node:net';

export type NetPolicy = 'all' | 'loopback' | 'none';
export const NET_POLICIES: readonly NetPolicy[] = ['all', 'loopback', 'none'];

export function isNetPolicy(v: string): v is NetPolicy {
  return (NET_POLICIES as readonly string[]).includes(v);
}

export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/%.*$/, '');
  if (isIP(a) === 4) return a.startsWith('127.');
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a) ?? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped !== null && mapped[1]!.startsWith('127.');
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '0:0:0:0:0:0:0:0';
}

/** May the guest talk to (connect / send to) this IP address? */
export function allowsPeer(policy: NetPolicy, address: string): boolean {
  if (policy === 'all') return true;
  if (policy === 'none') return false;
  // Linux treats a connect to the wildcard address as a connect to the local host.
  return isLoopback(address) || isWildcard(address);
}

/**
 * Where a bind to `address` actually goes under the policy, or null when refused.
 */
export function bindAddress(policy: NetPolicy, address: string, family: 4 | 6): string | null {
  if (policy === 'all') return address;
  if (policy === 'none') return null;
  if (isWildcard(address)) return family === 4 ? '127.0.0.1' : '::1';
  return isLoopback(address) ? address : null;
}

export function allowsUnix(policy: NetPolicy): boolean {
  return policy !== 'none';
}

/** May name lookups run at all (their results are then filtered by allowsPeer)? */
export function allowsLookup(policy: NetPolicy): boolean {
  return policy !== 'none';
}
