// getaddrinfo result encoding. The guest preallocates the chain: 28-byte addrinfo entries
// `{u16 flags @0, u8 family @2, u8 socktype @3, u8 protocol @4, u32 addrlen @8, u32 addr* @12,
// u32 canonname* @16, u32 canonname_len @20, u32 next* @24}` whose addr* points at a sockaddr
// `{u8 family @0, u32 data_len @4, u32 data* @8}`; the host fills them in place.
import type { GuestMemory } from './guest-memory.ts';
import { AddressFamily, ipv4ToBytes, ipv6ToBytes } from './addr.ts';

export const ADDRINFO_SIZE = 28;
export const SOCKADDR_SIZE = 12;
export const AiFlags = { PASSIVE: 1, CANONNAME: 2, NUMERICHOST: 4, NUMERICSERV: 8, V4MAPPED: 16, ALL: 32, ADDRCONFIG: 64 } as const;
export const Protocol = { IP: 0, TCP: 1, UDP: 2 } as const;

export interface AddrinfoHints {
  flags: number;
  family: number;
  socktype: number;
  protocol: number;
}

export interface AddrinfoResult {
  family: 4 | 6;
  address: string;
  port: number;
  socktype: number;
  protocol: number;
}

export function readHints(mem: GuestMemory, ptr: number): AddrinfoHints {
  if (ptr === 0) return { flags: 0, family: 0, socktype: 0, protocol: 0 };
  mem.check(ptr, ADDRINFO_SIZE, 'hints');
  return { flags: mem.u16(ptr), family: mem.u8At(ptr + 2), socktype: mem.u8At(ptr + 3), protocol: mem.u8At(ptr + 4) };
}

/**
 * The sockaddr `data` bytes exactly as WasmEdge writes them: the native sockaddr from `sin_port`
 * on. IPv4: port (BE) + address + 8 zero bytes = 14; IPv6: port (BE) + flowinfo + address +
 * scope_id = 26.
 */
export function sockaddrData(family: 4 | 6, address: string, port: number): Uint8Array {
  if (family === 4) {
    const out = new Uint8Array(14);
    out[0] = (port >> 8) & 0xff;
    out[1] = port & 0xff;
    out.set(ipv4ToBytes(address), 2);
    return out;
  }
  const out = new Uint8Array(26);
  out[0] = (port >> 8) & 0xff;
  out[1] = port & 0xff;
  out.set(ipv6ToBytes(address), 6);
  return out;
}

/**
 * Fills the guest's preallocated chain starting at the entry whose address is stored at `resPtr`.
 * Returns how many entries were written, or -1 when a sockaddr data buffer is too small (EINVAL).
 * Bad pointers throw GuestFault (EFAULT).
 */
export function writeAddrinfoChain(
  mem: GuestMemory,
  resPtr: number,
  max: number,
  results: AddrinfoResult[],
  flags: number,
  canonName: string | null,
): number {
  let entry = mem.u32(resPtr);
  let count = 0;
  const limit = Math.min(max >>> 0, results.length);
  while (count < limit && entry !== 0) {
    const r = results[count]!;
    mem.check(entry, ADDRINFO_SIZE, 'addrinfo');
    const sa = mem.u32(entry + 12);
    mem.check(sa, SOCKADDR_SIZE, 'sockaddr');
    const data = sockaddrData(r.family, r.address, r.port);
    const dataPtr = mem.u32(sa + 8);
    const dataCap = mem.u32(sa + 4);
    if (dataCap < data.length) return -1;
    mem.write(dataPtr, data);
    mem.setU8(sa, r.family === 4 ? AddressFamily.INET4 : AddressFamily.INET6);
    mem.setU32(sa + 4, data.length);
    mem.setU16(entry, flags & 0xffff);
    mem.setU8(entry + 2, r.family === 4 ? AddressFamily.INET4 : AddressFamily.INET6);
    mem.setU8(entry + 3, r.socktype);
    mem.setU8(entry + 4, r.protocol);
    mem.setU32(entry + 8, data.length + 2); // native sockaddr_in / sockaddr_in6 size
    const cnPtr = mem.u32(entry + 16);
    const cnLen = mem.u32(entry + 20);
    if (count === 0 && canonName !== null && cnPtr !== 0 && cnLen > 0) {
      const name = Buffer.from(canonName, 'utf8').subarray(0, cnLen - 1);
      mem.write(cnPtr, name);
      mem.setU8(cnPtr + name.length, 0);
    }
    count++;
    entry = mem.u32(entry + 24);
  }
  return count;
}
