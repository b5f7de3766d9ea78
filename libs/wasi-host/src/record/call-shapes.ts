// Which guest memory each import reads and writes, from the ABI alone (preview1 and the WasmEdge
// socket extension), not from how this host implements the call: the recorder keeps the bytes
// there, replay writes them back. `writes` is asked after the call, so it may size a span by what
// the call answered (fd_read's nread). The recorder's verifyWrites option compares the whole
// memory around every call and fails on a byte changed outside these spans (the tests run it).
import { ADDRINFO_SIZE, SOCKADDR_SIZE } from '../abi/addrinfo.ts';
import type { GuestMemory } from '../abi/guest-memory.ts';
import type { SpanList } from './spans.ts';

export interface SpanContext {
  /** The run's argv and environ as NUL-terminated strings (args_get, environ_get write them). */
  argv: Uint8Array[];
  environ: Uint8Array[];
}

/** A call's arguments, as the guest passed them (i64 ones are bigints, never read as spans). */
export type CallArgs = readonly number[];

/** Each function adds the spans to `out`, in the order the log keeps them; one that throws (a
 * pointer leading outside memory) keeps none. */
export interface CallShape {
  reads?(a: CallArgs, m: GuestMemory, out: SpanList): void;
  writes?(a: CallArgs, m: GuestMemory, out: SpanList, ctx: SpanContext): void;
}

const SUBSCRIPTION_SIZE = 48;
const EVENT_SIZE = 32;

/** The buffers of an iovec array, up to `limit` bytes in all (what a read filled); every buffer
 * must lie in memory, as the call checks. */
function iovecs(m: GuestMemory, ptr: number, count: number, out: SpanList, limit = Infinity): void {
  const n = count >>> 0;
  m.check(ptr, n * 8, 'iovec array');
  const view = m.dataView();
  let left = limit;
  for (let i = 0; i < n; i++) {
    const at = (ptr >>> 0) + i * 8;
    const buf = view.getUint32(at, true);
    const len = view.getUint32(at + 4, true);
    m.check(buf, len, 'iovec buffer');
    if (left <= 0) continue;
    const k = Math.min(len, left);
    out.add(buf, k);
    left -= k;
  }
}

/** A WasmEdge address: { u32 buf, u32 buf_len } and the buffer. */
function address(m: GuestMemory, ptr: number, out: SpanList): void {
  const buf = m.u32(ptr);
  const len = m.u32(ptr + 4);
  out.add(ptr, 8);
  out.add(buf, len);
}
const addressBuffer = (m: GuestMemory, ptr: number, out: SpanList): void => out.add(m.u32(ptr), m.u32(ptr + 4));
const strings = (values: Uint8Array[]) => values.reduce((n, v) => n + v.length, 0);

const at = (i: number, len: number) => (a: CallArgs, _m: GuestMemory, out: SpanList): void => out.add(a[i]!, len);
const two = (i: number, j: number, len: number) => (a: CallArgs, _m: GuestMemory, out: SpanList): void => {
  out.add(a[i]!, len);
  out.add(a[j]!, len);
};
/** A path or other buffer passed as (ptr, len) at arguments i and i + 1. */
const buffer = (i: number) => (a: CallArgs, _m: GuestMemory, out: SpanList): void => out.add(a[i]!, a[i + 1]!);
const buffers = (i: number, j: number) => (a: CallArgs, _m: GuestMemory, out: SpanList): void => {
  out.add(a[i]!, a[i + 1]!);
  out.add(a[j]!, a[j + 1]!);
};

export const CALL_SHAPES: Readonly<Record<string, CallShape>> = {
  args_sizes_get: { writes: two(0, 1, 4) },
  environ_sizes_get: { writes: two(0, 1, 4) },
  args_get: {
    writes: (a, _m, out, c) => {
      out.add(a[0]!, 4 * c.argv.length);
      out.add(a[1]!, strings(c.argv));
    },
  },
  environ_get: {
    writes: (a, _m, out, c) => {
      out.add(a[0]!, 4 * c.environ.length);
      out.add(a[1]!, strings(c.environ));
    },
  },
  clock_res_get: { writes: at(1, 8) },
  clock_time_get: { writes: at(2, 8) },
  fd_fdstat_get: { writes: at(1, 24) },
  fd_filestat_get: { writes: at(1, 64) },
  fd_prestat_get: { writes: at(1, 8) },
  fd_prestat_dir_name: { writes: buffer(1) },
  fd_read: {
    writes: (a, m, out) => {
      iovecs(m, a[1]!, a[2]!, out, m.u32(a[3]!));
      out.add(a[3]!, 4);
    },
  },
  fd_pread: {
    writes: (a, m, out) => {
      iovecs(m, a[1]!, a[2]!, out, m.u32(a[4]!));
      out.add(a[4]!, 4);
    },
  },
  fd_write: { reads: (a, m, out) => iovecs(m, a[1]!, a[2]!, out), writes: at(3, 4) },
  fd_pwrite: { reads: (a, m, out) => iovecs(m, a[1]!, a[2]!, out), writes: at(4, 4) },
  fd_readdir: {
    writes: (a, m, out) => {
      out.add(a[1]!, Math.min(a[2]! >>> 0, m.u32(a[4]!)));
      out.add(a[4]!, 4);
    },
  },
  fd_seek: { writes: at(3, 8) },
  fd_tell: { writes: at(1, 8) },
  path_create_directory: { reads: buffer(1) },
  path_filestat_get: { reads: buffer(2), writes: at(4, 64) },
  path_filestat_set_times: { reads: buffer(2) },
  path_link: { reads: buffers(2, 5) },
  path_open: { reads: buffer(2), writes: at(8, 4) },
  path_readlink: {
    reads: buffer(1),
    writes: (a, m, out) => {
      out.add(a[3]!, Math.min(a[4]! >>> 0, m.u32(a[5]!)));
      out.add(a[5]!, 4);
    },
  },
  path_remove_directory: { reads: buffer(1) },
  path_rename: { reads: buffers(1, 4) },
  path_symlink: { reads: buffers(0, 3) },
  path_unlink_file: { reads: buffer(1) },
  poll_oneoff: {
    reads: (a, _m, out) => out.add(a[0]!, SUBSCRIPTION_SIZE * (a[2]! >>> 0)),
    writes: (a, m, out) => {
      out.add(a[1]!, EVENT_SIZE * m.u32(a[3]!));
      out.add(a[3]!, 4);
    },
  },
  random_get: { writes: buffer(0) },

  sock_open: { writes: at(2, 4) },
  sock_bind: { reads: (a, m, out) => address(m, a[1]!, out) },
  sock_connect: { reads: (a, m, out) => address(m, a[1]!, out) },
  sock_accept: { writes: (a, _m, out) => out.add(a[a.length - 1]!, 4) },
  sock_recv: {
    writes: (a, m, out) => {
      iovecs(m, a[1]!, a[2]!, out, m.u32(a[4]!));
      out.add(a[4]!, 4);
      out.add(a[5]!, 2);
    },
  },
  sock_send: { reads: (a, m, out) => iovecs(m, a[1]!, a[2]!, out), writes: at(4, 4) },
  // Version 1: (fd, iovs, n, addr, riflags, nread, roflags); version 2 adds port_out after riflags.
  sock_recv_from: {
    reads: at(3, 8),
    writes: (a, m, out) => {
      const v2 = a.length === 8;
      const nread = a[v2 ? 6 : 5]!;
      iovecs(m, a[1]!, a[2]!, out, m.u32(nread));
      out.add(nread, 4);
      out.add(a[v2 ? 7 : 6]!, 2);
      addressBuffer(m, a[3]!, out);
      if (v2) out.add(a[5]!, 4);
    },
  },
  sock_send_to: {
    reads: (a, m, out) => {
      iovecs(m, a[1]!, a[2]!, out);
      address(m, a[3]!, out);
    },
    writes: at(6, 4),
  },
  sock_getsockopt: {
    reads: at(4, 4),
    writes: (a, m, out) => {
      out.add(a[3]!, m.u32(a[4]!));
      out.add(a[4]!, 4);
    },
  },
  sock_setsockopt: { reads: buffer(3) },
  // Version 1: (fd, addr, type_out, port_out); version 2: (fd, addr, port_out).
  sock_getlocaladdr: { reads: at(1, 8), writes: (a, m, out) => localOrPeer(a, m, out) },
  sock_getpeeraddr: { reads: at(1, 8), writes: (a, m, out) => localOrPeer(a, m, out) },
  // (node, node_len, service, service_len, hints, res, max_res_len, res_len): the answers fill the
  // guest's preallocated chain of addrinfo entries, each with a sockaddr and its data buffer.
  sock_getaddrinfo: {
    reads: (a, _m, out) => {
      out.add(a[0]!, a[1]!);
      out.add(a[2]!, a[3]!);
      if (a[4]) out.add(a[4], ADDRINFO_SIZE);
      out.add(a[5]!, 4);
    },
    writes: (a, m, out) => {
      out.add(a[7]!, 4);
      let entry = m.u32(a[5]!);
      for (let i = 0; i < m.u32(a[7]!) && entry !== 0; i++) {
        const sa = m.u32(entry + 12);
        const data = m.u32(sa + 8);
        const dataLen = m.u32(sa + 4);
        out.add(entry, ADDRINFO_SIZE);
        out.add(sa, SOCKADDR_SIZE);
        out.add(data, dataLen);
        if (i === 0 && m.u32(entry + 16) !== 0) out.add(m.u32(entry + 16), m.u32(entry + 20));
        entry = m.u32(entry + 24);
      }
    },
  },
};

function localOrPeer(a: CallArgs, m: GuestMemory, out: SpanList): void {
  addressBuffer(m, a[1]!, out);
  for (let i = 2; i < a.length; i++) out.add(a[i]!, 4);
}
