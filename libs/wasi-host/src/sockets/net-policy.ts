// The network policy the host enforces for connect, bind, send_to and name lookup.
//   all       no restriction
//   loopback  only loopback addresses (127.0.0.0/8, ::1, ::ffff:127.x) and AF_UNIX; a bind to the
//             wildcard address (0.0.0.0 / ::) is narrowed to the loopback address of its family,
//             so servers that bind '' still work without being reachable from outside
//   none      no IP or AF_UNIX networking at all
//   { allow } only the listed hosts (names or IP addresses), each on any port or on one: a name
//             may be looked up, and the guest may then reach the addresses that lookup answered;
//             an address may be reached as it is. Binding follows the same list (a wildcard bind
//             goes to the loopback address of its family when that is listed). No AF_UNIX.
// Refusals answer EACCES (WASI errno 2, PermissionError in Python).
import { isIP } from 'node:net';

/** One entry of an allow-list: a host name (lower case) or an IP address, and a port or any. */
export interface NetRule {
  host: string;
  port?: number;
}

export type NetPolicy = 'all' | 'loopback' | 'none' | { allow: NetRule[] };
export const NET_POLICIES = ['all', 'loopback', 'none'] as const;

export class NetPolicyError extends Error {
  override readonly name = 'NetPolicyError';
}

export function isNetPolicy(v: unknown): v is NetPolicy {
  if (typeof v === 'string') return (NET_POLICIES as readonly string[]).includes(v);
  const allow = (v as { allow?: unknown } | null)?.allow;
  return Array.isArray(allow) && allow.every((r) => typeof (r as NetRule)?.host === 'string' && ((r as NetRule).port === undefined || Number.isInteger((r as NetRule).port)));
}

/** One rule from "HOST", "HOST:PORT", "[IPv6]" or "[IPv6]:PORT". */
function parseRule(text: string): NetRule {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = bracketed ? null : /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  const m = bracketed ?? plain;
  // A bare IPv6 address has colons of its own: it is one host with no port.
  if (!m && isIP(text) === 6) return { host: text.toLowerCase() };
  if (!m) throw new NetPolicyError(`"${text}" is not HOST, HOST:PORT or [IPv6]:PORT`);
  const host = m[1]!.toLowerCase();
  if (bracketed && isIP(host) !== 6) throw new NetPolicyError(`"${text}": only an IPv6 address goes in brackets`);
  if (!isIP(host) && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(host)) {
    throw new NetPolicyError(`"${m[1]}" is neither an IP address nor a host name`);
  }
  if (m[2] === undefined) return { host: host.replace(/\.$/, '') };
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new NetPolicyError(`"${text}": the port must be 1-65535`);
  return { host: host.replace(/\.$/, ''), port };
}

/** "all", "loopback", "none" or "allow:HOST[:PORT],..." (the CLI's --net). */
export function parseNetPolicy(text: string): NetPolicy {
  if ((NET_POLICIES as readonly string[]).includes(text)) return text as NetPolicy;
  if (!text.startsWith('allow:')) throw new NetPolicyError(`expected all, loopback, none or allow:HOST[:PORT],... (got "${text}")`);
  const items = text.slice('allow:'.length).split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new NetPolicyError('allow: names no host (e.g. allow:example.com:443,127.0.0.1:8000)');
  return { allow: items.map(parseRule) };
}

/** How a policy reads in messages: "loopback", "allow:example.com:443,...". */
export function describeNetPolicy(policy: NetPolicy): string {
  if (typeof policy === 'string') return policy;
  return 'allow:' + policy.allow.map((r) => (isIP(r.host) === 6 ? `[${r.host}]` : r.host) + (r.port ? `:${r.port}` : '')).join(',');
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

/** The same address whatever its spelling: lower case, IPv4-mapped IPv6 as IPv4, no zone. */
function canonical(address: string): string {
  const a = address.toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped ? mapped[1]! : a;
}

/**
 * What one guest may do on the network: its policy, and for an allow-list the addresses its
 * lookups of listed names answered (kept by the event loop that serves the guest's sockets and
 * lookups, so a connect to such an address is allowed).
 */
export class NetAccess {
  /** canonical address → ports allowed (undefined: any). */
  private readonly learned = new Map<string, Set<number> | undefined>();

  readonly policy: NetPolicy;

  constructor(policy: NetPolicy) {
    this.policy = policy;}

  private rulesFor(host: string): NetRule[] {
    const p = this.policy;
    return typeof p === 'string' ? [] : p.allow.filter((r) => r.host === host || (isIP(r.host) && canonical(r.host) === host));
  }

  private portAllowed(address: string, port: number): boolean {
    const a = canonical(address);
    const rules = this.rulesFor(a);
    if (rules.some((r) => r.port === undefined || r.port === port)) return true;
    if (!this.learned.has(a)) return false;
    const ports = this.learned.get(a);
    return ports === undefined || ports.has(port);
  }

  /** May the guest talk to (connect / send to) this IP address and port? */
  allowsPeer(address: string, port: number): boolean {
    const p = this.policy;
    if (p === 'all') return true;
    if (p === 'none') return false;
    // Linux treats a connect to the wildcard address as a connect to the local host.
    if (p === 'loopback') return isLoopback(address) || isWildcard(address);
    if (isWildcard(address)) return this.portAllowed('127.0.0.1', port) || this.portAllowed('::1', port);
    return this.portAllowed(address, port);
  }

  /** May the guest reach this address on some port (a name lookup's answers are filtered so)? */
  allowsAddress(address: string): boolean {
    const p = this.policy;
    if (p === 'all') return true;
    if (p === 'none') return false;
    if (p === 'loopback') return isLoopback(address) || isWildcard(address);
    const a = canonical(address);
    return this.rulesFor(a).length > 0 || this.learned.has(a);
  }

  /** Where a bind to `address` (port 0: any) actually goes under the policy, or null when refused. */
  bindAddress(address: string, family: 4 | 6, port = 0): string | null {
    const p = this.policy;
    if (p === 'all') return address;
    if (p === 'none') return null;
    const narrowed = isWildcard(address) ? (family === 4 ? '127.0.0.1' : '::1') : address;
    if (p === 'loopback') return isLoopback(narrowed) ? narrowed : null;
    const rules = this.rulesFor(canonical(narrowed));
    return rules.some((r) => r.port === undefined || port === 0 || r.port === port) ? narrowed : null;
  }

  allowsUnix(): boolean {
    return this.policy === 'all' || this.policy === 'loopback';
  }

  /** May `name` be looked up at all (its results are then filtered by allowsPeer)? null: a passive
   * lookup (no name). */
  allowsLookup(name: string | null): boolean {
    const p = this.policy;
    if (p === 'none') return false;
    if (typeof p === 'string' || name === null) return true;
    const n = name.toLowerCase().replace(/\.$/, '');
    return isIP(n) !== 0 || p.allow.some((r) => r.host === n);
  }

  /** The addresses a lookup of `name` answered: reachable from now on, on the name's ports. */
  learn(name: string, addresses: readonly string[]): void {
    const p = this.policy;
    if (typeof p === 'string') return;
    const n = name.toLowerCase().replace(/\.$/, '');
    const rules = p.allow.filter((r) => r.host === n);
    if (!rules.length) return;
    const anyPort = rules.some((r) => r.port === undefined);
    for (const address of addresses) {
      const a = canonical(address);
      if (anyPort) this.learned.set(a, undefined);
      else {
        const had = this.learned.has(a) ? this.learned.get(a) : new Set<number>();
        if (had === undefined) continue;
        for (const r of rules) had.add(r.port!);
        this.learned.set(a, had);
      }
    }
  }
}
