// Every request the guest thread makes of the event loop (the socket extension's, and the line
// editor's), described once for both ends of the channel (codec.ts). Bytes a request or reply carries travel in the data buffer; `len`
// and `n` fields count them.
//
// With a ring (stream sockets, ring.ts), RECV waits until the ring holds `max` bytes (or what there
// is at EOF/error/timeout) and answers n = the bytes in the ring, 0 = EOF; the guest reads the
// ring. Posted requests (GuestChannel.post: OPEN with valid arguments, SETOPT TCP_NODELAY, CLOSE)
// are not waited for; sends into a send ring return at once and a dead connection shows as EPIPE
// at the next send, as with a kernel's send buffer.
import type { GuestAddress } from '../abi/addr.ts';
import type { AddrinfoHints, AddrinfoResult } from '../abi/addrinfo.ts';
import { defineOp, flag, int, json, nullableJson, records } from './codec.ts';

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

/** An address and port as sock_getlocaladdr/sock_getpeeraddr report them. */
export interface Endpoint {
  address: GuestAddress;
  port: number;
}

/** A connected stream socket's own address and its peer's, fixed while the connection lives: a
 * connect or accept that succeeds hands them to the guest, which then answers getsockname and
 * getpeername itself (Python asks for both on every socket it makes from an fd: ssl, accept,
 * asyncio). null for a datagram socket, whose connect may be redone. */
export interface SocketEnds {
  local: Endpoint;
  peer: Endpoint;
}

/** timeoutMs: -1 = none (block until ready). nonblock: answer AGAIN/INPROGRESS instead of waiting. */
const wait = { nonblock: flag, timeoutMs: int };
const address = json<GuestAddress>();

export const Ops = {
  open: defineOp(1, 'OPEN', { fd: int, af: int, type: int }, {}),
  bind: defineOp(2, 'BIND', { fd: int, address, port: int }, {}),
  connect: defineOp(3, 'CONNECT', { fd: int, address, port: int, ...wait }, { ends: nullableJson<SocketEnds>() }),
  listen: defineOp(4, 'LISTEN', { fd: int, backlog: int }, {}),
  /** newFd: the guest's number for the accepted socket, reserved in its fd table. */
  accept: defineOp(5, 'ACCEPT', { fd: int, newFd: int, ...wait }, { ends: nullableJson<SocketEnds>() }),
  /** Without a ring: n bytes in data. With one: see above. */
  recv: defineOp(6, 'RECV', { fd: int, max: int, riflags: int, ...wait }, { n: int, roflags: int }),
  send: defineOp(7, 'SEND', { fd: int, len: int, ...wait }, { n: int }),
  /** The sender's address (the peer's on a stream socket; null when there is none). */
  recvFrom: defineOp(8, 'RECVFROM', { fd: int, max: int, riflags: int, ...wait }, { n: int, roflags: int, port: int, address: json<GuestAddress | null>() }),
  sendTo: defineOp(9, 'SENDTO', { fd: int, len: int, to: address, port: int, ...wait }, { n: int }),
  shutdown: defineOp(10, 'SHUTDOWN', { fd: int, how: int }, {}),
  /** value2: the second int of a two-int option (SO_LINGER). */
  getOption: defineOp(11, 'GETOPT', { fd: int, level: int, name: int }, { value: int, value2: int }),
  setOption: defineOp(12, 'SETOPT', { fd: int, level: int, name: int, value: int, value2: int }, {}),
  localAddress: defineOp(13, 'LOCALADDR', { fd: int }, { address, port: int }),
  peerAddress: defineOp(14, 'PEERADDR', { fd: int }, { address, port: int }),
  getaddrinfo: defineOp(15, 'GETADDRINFO', { query: json<GetaddrinfoRequest>() }, { answer: json<GetaddrinfoReply>() }),
  /** droppedRing: the id of the socket's ring when the guest did not pool it (0: none), so the
   * event loop forgets it as well. */
  close: defineOp(16, 'CLOSE', { fd: int, droppedRing: int }, {}),
  poll: defineOp(17, 'POLL', { timeoutMs: int, entries: records(encodePollRequest, decodePollRequest) }, { ready: records(encodePollReply, decodePollReply) }),
  /** Attaches a SocketRing to a stream socket; a new one was posted on the ring port first.
   * AGAIN while the ring's previous connection is still closing. */
  ring: defineOp(18, 'RING', { fd: int, ringId: int, isNew: flag }, {}),
  /** Flushes the send ring and waits until it has room. */
  sendWait: defineOp(19, 'SENDWAIT', { fd: int, ...wait }, {}),
  /** A line-editor request of `len` bytes in data → a reply of `len` bytes in data
   * (tty/readline-device.ts); parked while the user edits. */
  readline: defineOp(20, 'READLINE', { len: int }, { len: int }),
} as const;
