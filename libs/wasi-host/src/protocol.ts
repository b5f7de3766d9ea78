// Constants and message shapes shared by the guest side and the event-loop side of the channel.
import type { AddrinfoHints, AddrinfoResult } from './abi/addrinfo.ts';

/** riflags */
export const RecvFlags = { PEEK: 1, WAITALL: 2 } as const;
/** roflags */
export const RecvOutFlags = { TRUNCATED: 1 } as const;

/** WasmEdge's SOL_SOCKET is 0; wasi-go adds level 6 (TCP) with TCP_NODELAY = 15. */
export const SOL_SOCKET = 0;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 15;
/** IPPROTO_IPV6 / IPV6_V6ONLY, as Linux numbers them (the socket library passes them through). */
export const IPPROTO_IPV6 = 41;
export const IPV6_V6ONLY = 26;
export const SockOpt = {
  REUSEADDR: 0, TYPE: 1, ERROR: 2, DONTROUTE: 3, BROADCAST: 4, SNDBUF: 5, RCVBUF: 6, KEEPALIVE: 7,
  OOBINLINE: 8, LINGER: 9, RCVLOWAT: 10, RCVTIMEO: 11, SNDTIMEO: 12, ACCEPTCONN: 13, BINDTODEVICE: 14,
} as const;

export const PollEvent = { READ: 1, WRITE: 2 } as const;
/** [fd, PollEvent] */
export type PollRequestEntry = [number, number];
/** [index into the request, PollEvent, errno, nbytes, rwflags (1 = HANGUP)] */
export type PollReplyEntry = [number, number, number, number, number];

// POLL travels as int32 records in the channel's data buffer (4 MiB: 524,288 requests), not as
// JSON in meta (64 KiB), which a server polling 10,000 sockets overflowed.
const POLL_REQUEST_INTS = 2;
const POLL_REPLY_INTS = 5;

/** Writes the entries into `dest`; returns their count. RangeError if they do not fit. */
export function encodePollRequest(entries: readonly PollRequestEntry[], dest: Int32Array): number {
  if (entries.length * POLL_REQUEST_INTS > dest.length) throw new RangeError(`${entries.length} poll entries do not fit the channel`);
  entries.forEach(([fd, event], i) => {
    dest[i * POLL_REQUEST_INTS] = fd;
    dest[i * POLL_REQUEST_INTS + 1] = event;
  });
  return entries.length;
}

export function decodePollRequest(src: Int32Array, count: number): PollRequestEntry[] {
  const n = Math.max(0, Math.min(count, Math.floor(src.length / POLL_REQUEST_INTS)));
  return Array.from({ length: n }, (_, i): PollRequestEntry => [src[i * POLL_REQUEST_INTS]!, src[i * POLL_REQUEST_INTS + 1]!]);
}

/** Writes the ready entries into `dest`; returns their count (never more than the requests). */
export function encodePollReply(ready: readonly PollReplyEntry[], dest: Int32Array): number {
  const n = Math.min(ready.length, Math.floor(dest.length / POLL_REPLY_INTS));
  for (let i = 0; i < n; i++) for (let k = 0; k < POLL_REPLY_INTS; k++) dest[i * POLL_REPLY_INTS + k] = ready[i]![k]!;
  return n;
}

export function decodePollReply(src: Int32Array, count: number): PollReplyEntry[] {
  const n = Math.max(0, Math.min(count, Math.floor(src.length / POLL_REPLY_INTS)));
  return Array.from({ length: n }, (_, i): PollReplyEntry => {
    const at = i * POLL_REPLY_INTS;
    return [src[at]!, src[at + 1]!, src[at + 2]!, src[at + 3]!, src[at + 4]!];
  });
}

export interface GetaddrinfoRequest {
  node: string | null;
  service: string | null;
  hints: AddrinfoHints;
}
export interface GetaddrinfoReply {
  results: AddrinfoResult[];
  canon: string | null;
}

// Argument layouts of the channel ops (see Op in channel.ts); "json@k" means argument k holds the
// length of a JSON value in meta.
//   OPEN      fd, af, type
//   BIND      fd, port, json@2 address
//   CONNECT   fd, port, nonblock, timeoutMs, json@4 address
//   LISTEN    fd, backlog
//   ACCEPT    fd, newFd, nonblock, timeoutMs
//   RECV      fd, max, riflags, nonblock, timeoutMs          → [n, roflags, port, json peer|null]
//   RECVFROM  fd, max, riflags, nonblock, timeoutMs          → [n, roflags, port, json address]
//   SEND      fd, len, nonblock, timeoutMs                   → [n]
//   SENDTO    fd, len, port, nonblock, timeoutMs, json@5     → [n]
//   SHUTDOWN  fd, how
//   GETOPT    fd, level, name                                → [value, value2]
//   SETOPT    fd, level, name, value, value2
//   LOCALADDR fd                                             → [port, json address]
//   PEERADDR  fd                                             → [port, json address]
//   GETADDRINFO json@0 GetaddrinfoRequest                     → [json GetaddrinfoReply]
//   CLOSE     fd, id of a ring the guest dropped (0: none)
//   POLL      timeoutMs (-1 = none), n: n PollRequestEntry in data → [m: m PollReplyEntry in data]
//             (encodePollRequest / encodePollReply)
//   RING      fd, ringId, isNew (the SharedArrayBuffer was posted on the ring port) → AGAIN while
//             the ring's previous connection is still closing
//   SENDWAIT  fd, nonblock, timeoutMs: flushes the send ring, waits until it has room
//   READLINE  len: a line-editor request in data → [reply length in data] (tty/readline-device.ts);
//             served by the ReadlineService, parked while the user edits
// With a ring (stream sockets, ring.ts), RECV waits until the ring holds `max` bytes (or what there
// is at EOF/error/timeout) and answers [bytes in the ring], 0 = EOF; the guest reads the ring.
// Posted requests (GuestChannel.post: OPEN with valid arguments, SETOPT TCP_NODELAY, CLOSE) are
// not waited for; sends into a send ring return at once and a dead connection shows as EPIPE at
// the next send, as with a kernel's send buffer.
