// Which guest memory each import reads and writes, from the ABI alone (preview1 and the WasmEdge
// socket extension), not from how this host implements the call: the recorder keeps the bytes
// there, replay writes them back. `writes` is asked after the call, so it may size a span by what
// the call answered (fd_read's nread). The recorder's verifyWrites option compares the whole
// memory around every call and fails on a byte changed outside these spans (the tests run it).
import { ADDRINFO_SIZE, SOCKADDR_SIZE } from '../abi/addrinfo.ts';
import type { GuestMemory } from '../abi/guest-memory.ts';

/** [ptr, length] */
export type Span = [number, number];

export interface SpanContext {
  /** The run's argv and environ as NUL-terminated strings (args_get, environ_get write them). */
  argv: Uint8Array[];
  environ: Uint8Array[];
}

export interface CallShape {
  reads?(a: number[], m: GuestMemory): Span[];
  writes?(a: number[], m: GuestMemory, ctx: SpanContext): Span[];
}

const SUBSCRIPTION_SIZE = 48;
const EVENT_SIZE = 32;

/** Every buffer of an iovec array. */
function iovecs(m: GuestMemory, ptr: number, count: number): Span[] {
  return m.iovecs(ptr, count).map((v) => [v.ptr, v.len]);
}

/** The first `filled` bytes spread over an iovec array (what a read put there). */
function filled(m: GuestMemory, ptr: number, count: number, filledBytes: number): Span[] {
  const out: Span[] = [];
  let left = filledBytes;
  for (const v of m.iovecs(ptr, count)) {
    if (left <= 0) break;
    const n = Math.min(v.len, left);
    out.push([v.ptr, n]);
    left -= n;
  }
  return out;
}

/** A WasmEdge address: { u32 buf, u32 buf_len } and the buffer. */
const address = (m: GuestMemory, ptr: number): Span[] => [[ptr, 8], [m.u32(ptr), m.u32(ptr + 4)]];
const addressBuffer = (m: GuestMemory, ptr: number): Span => [m.u32(ptr), m.u32(ptr + 4)];
const strings = (values: Uint8Array[]) => values.reduce((n, v) => n + v.length, 0);

const at = (i: number, len: number) => (a: number[]): Span[] => [[a[i]!, len]];

export const CALL_SHAPES: Readonly<Record<string, CallShape>> = {
  args_sizes_get: { writes: (a) => [[a[0]!, 4], [a[1]!, 4]] },
  environ_sizes_get: { writes: (a) => [[a[0]!, 4], [a[1]!, 4]] },
  args_get: { writes: (a, _m, c) => [[a[0]!, 4 * c.argv.length], [a[1]!, strings(c.argv)]] },
  environ_get: { writes: (a, _m, c) => [[a[0]!, 4 * c.environ.length], [a[1]!, strings(c.environ)]] },
  clock_res_get: { writes: at(1, 8) },
  clock_time_get: { writes: at(2, 8) },
  fd_fdstat_get: { writes: at(1, 24) },
  fd_filestat_get: { writes: at(1, 64) },
  fd_prestat_get: { writes: at(1, 8) },
  fd_prestat_dir_name: { writes: (a) => [[a[1]!, a[2]! >>> 0]] },
  fd_read: { writes: (a, m) => [...filled(m, a[1]!, a[2]!, m.u32(a[3]!)), [a[3]!, 4]] },
  fd_pread: { writes: (a, m) => [...filled(m, a[1]!, a[2]!, m.u32(a[4]!)), [a[4]!, 4]] },
  fd_write: { reads: (a, m) => iovecs(m, a[1]!, a[2]!), writes: at(3, 4) },
  fd_pwrite: { reads: (a, m) => iovecs(m, a[1]!, a[2]!), writes: at(4, 4) },
  fd_readdir: { writes: (a, m) => [[a[1]!, Math.min(a[2]! >>> 0, m.u32(a[4]!))], [a[4]!, 4]] },
  fd_seek: { writes: at(3, 8) },
  fd_tell: { writes: at(1, 8) },
  path_create_directory: { reads: (a) => [[a[1]!, a[2]!]] },
  path_filestat_get: { reads: (a) => [[a[2]!, a[3]!]], writes: at(4, 64) },
  path_filestat_set_times: { reads: (a) => [[a[2]!, a[3]!]] },
  path_link: { reads: (a) => [[a[2]!, a[3]!], [a[5]!, a[6]!]] },
  path_open: { reads: (a) => [[a[2]!, a[3]!]], writes: at(8, 4) },
  path_readlink: { reads: (a) => [[a[1]!, a[2]!]], writes: (a, m) => [[a[3]!, Math.min(a[4]! >>> 0, m.u32(a[5]!))], [a[5]!, 4]] },
  path_remove_directory: { reads: (a) => [[a[1]!, a[2]!]] },
  path_rename: { reads: (a) => [[a[1]!, a[2]!], [a[4]!, a[5]!]] },
  path_symlink: { reads: (a) => [[a[0]!, a[1]!], [a[3]!, a[4]!]] },
  path_unlink_file: { reads: (a) => [[a[1]!, a[2]!]] },
  poll_oneoff: { reads: (a) => [[a[0]!, SUBSCRIPTION_SIZE * (a[2]! >>> 0)]], writes: (a, m) => [[a[1]!, EVENT_SIZE * m.u32(a[3]!)], [a[3]!, 4]] },
  random_get: { writes: (a) => [[a[0]!, a[1]! >>> 0]] },

  sock_open: { writes: at(2, 4) },
  sock_bind: { reads: (a, m) => address(m, a[1]!) },
  sock_connect: { reads: (a, m) => address(m, a[1]!) },
  sock_accept: { writes: (a) => [[a[a.length - 1]!, 4]] },
  sock_recv: { writes: (a, m) => [...filled(m, a[1]!, a[2]!, m.u32(a[4]!)), [a[4]!, 4], [a[5]!, 2]] },
  sock_send: { reads: (a, m) => iovecs(m, a[1]!, a[2]!), writes: at(4, 4) },
  // Version 1: (fd, iovs, n, addr, riflags, nread, roflags); version 2 adds port_out after riflags.
  sock_recv_from: {
    reads: (a) => [[a[3]!, 8]],
    writes: (a, m) => {
      const v2 = a.length === 8;
      const nread = a[v2 ? 6 : 5]!;
      return [...filled(m, a[1]!, a[2]!, m.u32(nread)), [nread, 4], [a[v2 ? 7 : 6]!, 2], addressBuffer(m, a[3]!), ...(v2 ? [[a[5]!, 4] as Span] : [])];
    },
  },
  sock_send_to: { reads: (a, m) => [...iovecs(m, a[1]!, a[2]!), ...address(m, a[3]!)], writes: at(6, 4) },
  sock_getsockopt: { reads: (a) => [[a[4]!, 4]], writes: (a, m) => [[a[3]!, m.u32(a[4]!)], [a[4]!, 4]] },
  sock_setsockopt: { reads: (a) => [[a[3]!, a[4]!]] },
  // Version 1: (fd, addr, type_out, port_out); version 2: (fd, addr, port_out).
  sock_getlocaladdr: { reads: (a) => [[a[1]!, 8]], writes: (a, m) => [addressBuffer(m, a[1]!), ...a.slice(2).map((p): Span => [p, 4])] },
  sock_getpeeraddr: { reads: (a) => [[a[1]!, 8]], writes: (a, m) => [addressBuffer(m, a[1]!), ...a.slice(2).map((p): Span => [p, 4])] },
  // (node, node_len, service, service_len, hints, res, max_res_len, res_len): the answers fill the
  // guest's preallocated chain of addrinfo entries, each with a sockaddr and its data buffer.
  sock_getaddrinfo: {
    reads: (a) => [[a[0]!, a[1]!], [a[2]!, a[3]!], ...(a[4] ? [[a[4], ADDRINFO_SIZE] as Span] : []), [a[5]!, 4]],
    writes: (a, m) => {
      const out: Span[] = [[a[7]!, 4]];
      let entry = m.u32(a[5]!);
      for (let i = 0; i < m.u32(a[7]!) && entry !== 0; i++) {
        const sa = m.u32(entry + 12);
        out.push([entry, ADDRINFO_SIZE], [sa, SOCKADDR_SIZE], [m.u32(sa + 8), m.u32(sa + 4)]);
        if (i === 0 && m.u32(entry + 16) !== 0) out.push([m.u32(entry + 16), m.u32(entry + 20)]);
        entry = m.u32(entry + 24);
      }
      return out;
    },
  },
};
