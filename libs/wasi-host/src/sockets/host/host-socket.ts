// What the event loop knows about one guest socket: the Node objects behind it and the state a
// kernel would keep (receive queue, EOF, accept queue, SO_ERROR, addresses, options).
import type * as dgram from 'node:dgram';
import type * as net from 'node:net';
import { newSocketOptions, type SocketOptions } from '../options.ts';
import type { SocketRing } from '../ring.ts';

export type StreamState = 'idle' | 'connecting' | 'connected' | 'listening';

export interface Datagram {
  data: Buffer;
  address: string;
  family: 4 | 6;
  port: number;
}

export type BoundAddress = { address: string; port: number } | { guest: string };

export class HostSocket {
  state: StreamState = 'idle';
  /** For AF_UNIX: the guest's own path (what getsockname answers; resolved again at listen). */
  bound: BoundAddress | null = null;
  conn: net.Socket | null = null;
  server: net.Server | null = null;
  udp: dgram.Socket | null = null;
  udpBound = false;
  udpConnected = false;
  /** Datagrams handed to Node whose send callback has not come yet (datagram.ts, close). */
  udpSending = 0;
  /** The guest closed the socket while sends were in flight: the last one closes `udp`. */
  udpCloseAfterSends = false;
  recvQueue: Buffer[] = [];
  recvBytes = 0;
  paused = false;
  eof = false;
  readErr = 0;
  soError = 0;
  shutRd = false;
  shutWr = false;
  accepts: net.Socket[] = [];
  dgrams: Datagram[] = [];
  dgramBytes = 0;
  opts: SocketOptions = newSocketOptions();
  /** The shared rings of a stream socket, once the guest attached them (see ring.ts). */
  ring: SocketRing | null = null;
  ringId = 0;
  /** Where a read lands when it cannot go straight into the ring (connections we dialled). */
  scratch: Buffer | null = null;
  /** Reads with net.connect's `onread` (ring-pump.ts, directRead): paused while the ring has too
   * little room. */
  direct = false;
  readonly fd: number;
  readonly family: 4 | 6 | 'unix';
  readonly stream: boolean;

  constructor(
    fd: number,
    family: 4 | 6 | 'unix',
    stream: boolean,
  ) {
    this.fd = fd;
    this.family = family;
    this.stream = stream;}

  /** The pending error (SO_ERROR), cleared: reading it, as getsockopt does, consumes it. */
  takeError(): number {
    const e = this.soError;
    this.soError = 0;
    return e;
  }

  /** A connect that failed and whose error nobody has read yet: Linux reports it to the next
   * recv or send (LuaSocket learns how a non-blocking connect went from a 0-byte recv; CPython
   * asks SO_ERROR). */
  get failedConnect(): boolean {
    return this.state === 'idle' && this.soError !== 0 && !this.conn;
  }
}
