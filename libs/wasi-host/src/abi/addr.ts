// Address encoding of the WasmEdge socket ABI.
//
// A guest address travels as `{u32 buf, u32 buf_len}` pointing at either the raw 4-byte in_addr,
// the raw 16-byte in6_addr, or a 128-byte storage `{u16 family @0; bytes @2}` (family 1 INET4,
// 2 INET6, 3 UNIX with a NUL-terminated path). Ports always travel separately in host order.
import { isIPv4, isIPv6 } from 'node:net';

export const AddressFamily = { UNSPEC: 0, INET4: 1, INET6: 2, UNIX: 3 } as const;
export const SockType = { ANY: 0, DGRAM: 1, STREAM: 2 } as const;
export const ADDR_STORAGE_SIZE = 128;

export type IpAddress = { kind: 'ip'; family: 4 | 6; address: string };
export type UnixAddress = { kind: 'unix'; path: string };
export type GuestAddress = IpAddress | UnixAddress;

export function ipv4ToBytes(ip: string): Uint8Array {
  const parts = ip.split('.').map((p) => Number(p));
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
    throw new RangeError(`bad IPv4 address ${ip}`);
  }
  return Uint8Array.from(parts);
}

export function bytesToIpv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

export function ipv6ToBytes(ip: string): Uint8Array {
  let s = ip;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!isIPv6(s)) throw new RangeError(`bad IPv6 address ${ip}`);
  const out = new Uint8Array(16);
  // An embedded dotted quad (::ffff:1.2.3.4) becomes the last two groups.
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    const v4 = ipv4ToBytes(s.slice(lastColon + 1));
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const parseGroups = (t: string): number[] => (t === '' ? [] : t.split(':').map((g) => parseInt(g, 16)));
  let groups: number[];
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl));
    const rest = parseGroups(s.slice(dbl + 2));
    groups = [...head, ...new Array<number>(Math.max(0, 8 - head.length - rest.length)).fill(0), ...rest];
  } else {
    groups = parseGroups(s);
  }
  if (groups.length !== 8) throw new RangeError(`bad IPv6 address ${ip}`);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

export function bytesToIpv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[i * 2]! << 8) | b[i * 2 + 1]!);
  // RFC 5952: compress the longest run (≥2) of zero groups.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Decodes the bytes an address buffer points at (4, 16 or storage form); null means EINVAL. */
export function decodeAddress(buf: Uint8Array): GuestAddress | null {
  if (buf.length === 4) return { kind: 'ip', family: 4, address: bytesToIpv4(buf) };
  if (buf.length === 16) return { kind: 'ip', family: 6, address: bytesToIpv6(buf) };
  if (buf.length < 6) return null;
  const family = buf[0]! | (buf[1]! << 8);
  if (family === AddressFamily.INET4) return { kind: 'ip', family: 4, address: bytesToIpv4(buf.subarray(2, 6)) };
  if (family === AddressFamily.INET6) {
    if (buf.length < 18) return null;
    return { kind: 'ip', family: 6, address: bytesToIpv6(buf.subarray(2, 18)) };
  }
  if (family === AddressFamily.UNIX) {
    const raw = buf.subarray(2);
    const nul = raw.indexOf(0);
    if (nul < 0) return null; // must be NUL-terminated inside the buffer
    if (nul === 0) return null; // abstract / unnamed addresses are not supported
    return { kind: 'unix', path: Buffer.from(raw.buffer, raw.byteOffset, nul).toString('utf8') };
  }
  return null;
}

/**
 * Encodes an address into a buffer of `bufLen` bytes: raw 4/16 bytes when the buffer has exactly
 * that size (the V1 shape), else the storage form. Returns null when it does not fit.
 */
export function encodeAddress(addr: GuestAddress, bufLen: number): Uint8Array | null {
  if (addr.kind === 'ip') {
    const raw = addr.family === 4 ? ipv4ToBytes(addr.address) : ipv6ToBytes(addr.address);
    if (bufLen === raw.length) return raw;
    if (bufLen === 4 || bufLen === 16) {
      // V1 buffer of the other family: an IPv4-mapped IPv6 address fits a 4-byte buffer.
      if (bufLen === 4 && raw.length === 16 && isV4Mapped(raw)) return raw.slice(12);
      if (bufLen === 16 && raw.length === 4) return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...raw]);
      return null;
    }
    if (bufLen < 2 + raw.length) return null;
    const out = new Uint8Array(bufLen);
    out[0] = addr.family === 4 ? AddressFamily.INET4 : AddressFamily.INET6;
    out.set(raw, 2);
    return out;
  }
  const path = Buffer.from(addr.path, 'utf8');
  if (bufLen < 2 + path.length + 1) return null;
  const out = new Uint8Array(bufLen);
  out[0] = AddressFamily.UNIX;
  out.set(path, 2);
  return out;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Address family code (1/2/3) of an address. */
export function familyCode(addr: GuestAddress): number {
  return addr.kind === 'unix' ? AddressFamily.UNIX : addr.family === 4 ? AddressFamily.INET4 : AddressFamily.INET6;
}

/** Parses an IP string as Node reports it into a GuestAddress. */
export function ipAddress(address: string): IpAddress {
  return { kind: 'ip', family: isIPv4(address) ? 4 : 6, address };
}
