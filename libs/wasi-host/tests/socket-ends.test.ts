// A connected stream socket's addresses (sockets/guest/imports.ts, channel/ops.ts SocketEnds): its connect
// or accept brings both ends, so getsockname and getpeername answer without a request to the event
// loop (Python asks for both on every socket it makes from an fd: ssl.wrap_socket, accept,
// asyncio); a datagram socket, whose connect may be redone, asks every time; a non-blocking
// connect asks until the event loop has answered once. Against a scripted event loop.
import { describe, expect, test } from '@jest/globals';
import { decodeAddress, encodeAddress, type GuestAddress } from '../src/abi/addr.ts';
import { createChannelBuffers, HostChannel, RESULT_SLOTS, type GuestChannel } from '../src/channel/channel.ts';
import { decodeFields } from '../src/channel/codec.ts';
import { Errno } from '../src/errno.ts';
import { FdTable } from '../src/fd/fd-table.ts';
import { Ops, type Endpoint, type SocketEnds } from '../src/channel/ops.ts';
import { createSocketImports } from '../src/sockets/guest/imports.ts';

const LOCAL: Endpoint = { address: { kind: 'ip', family: 4, address: '127.0.0.1' }, port: 40000 };
const PEER: Endpoint = { address: { kind: 'ip', family: 4, address: '127.0.0.1' }, port: 443 };
const AF_INET4 = 1;
const SOCK_DGRAM = 1;
const SOCK_STREAM = 2;
// Guest memory layout of the calls below.
const FD_OUT = 16;
const ADDR = 32; // { buf, len } of the address argument/result
const ADDR_BUF = 64;
const PORT_OUT = 128;

/** The socket imports over a scripted event loop: `answers` gives each op's reply; every request
 * made (posted or called) is recorded by name. */
function guest(answers: { connect?: [number, { ends: SocketEnds | null }] } = {}) {
  const requests: string[] = [];
  const channel = {
    sync: () => {},
    ring: () => {},
    post: (op: { name: string }) => void requests.push(op.name),
    call: (op: { name: string }) => {
      requests.push(op.name);
      if (op === Ops.connect) return answers.connect ?? [0, { ends: { local: LOCAL, peer: PEER } }];
      if (op === Ops.localAddress) return [0, LOCAL];
      if (op === Ops.peerAddress) return [0, PEER];
      return [Errno.NOSYS, undefined];
    },
  } as unknown as GuestChannel;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const shapes = { sock_getlocaladdr: 2, sock_getpeeraddr: 2 } as const;
  const imports = createSocketImports({ memory: () => memory, channel, wasi: {}, fds: new FdTable(), shapes });
  const view = new DataView(memory.buffer);
  const call = (name: string, ...args: number[]) => imports[name]!(...args);

  /** A new socket's fd. */
  const open = (type: number): number => {
    expect(call('sock_open', AF_INET4, type, FD_OUT)).toBe(0);
    return view.getUint32(FD_OUT, true);
  };
  const connect = (fd: number): number => {
    const bytes = encodeAddress(PEER.address, 4)!;
    new Uint8Array(memory.buffer).set(bytes, ADDR_BUF);
    view.setUint32(ADDR, ADDR_BUF, true);
    view.setUint32(ADDR + 4, bytes.length, true);
    return call('sock_connect', fd, ADDR, PEER.port);
  };
  /** getsockname/getpeername: the address and port the guest reads, or an errno. */
  const nameOf = (fd: number, which: 'local' | 'peer'): { address: GuestAddress | null; port: number } | number => {
    view.setUint32(ADDR, ADDR_BUF, true);
    view.setUint32(ADDR + 4, 4, true);
    const err = call(which === 'local' ? 'sock_getlocaladdr' : 'sock_getpeeraddr', fd, ADDR, PORT_OUT);
    if (err) return err;
    return { address: decodeAddress(new Uint8Array(memory.buffer, ADDR_BUF, 4).slice()), port: view.getUint32(PORT_OUT, true) };
  };
  return { requests, open, connect, nameOf };
}

describe("a connected stream socket's addresses", () => {
  test('come with its connect: getsockname and getpeername make no request', () => {
    const g = guest();
    const fd = g.open(SOCK_STREAM);
    expect(g.connect(fd)).toBe(0);
    const before = g.requests.length;
    for (let i = 0; i < 3; i++) {
      expect(g.nameOf(fd, 'local')).toEqual(LOCAL);
      expect(g.nameOf(fd, 'peer')).toEqual(PEER);
    }
    expect(g.requests.slice(before)).toEqual([]);
  });

  test('a datagram socket asks the event loop every time (its connect may be redone)', () => {
    const g = guest({ connect: [0, { ends: null }] });
    const fd = g.open(SOCK_DGRAM);
    expect(g.connect(fd)).toBe(0);
    const before = g.requests.length;
    g.nameOf(fd, 'peer');
    g.nameOf(fd, 'peer');
    g.nameOf(fd, 'local');
    expect(g.requests.slice(before)).toEqual(['PEERADDR', 'PEERADDR', 'LOCALADDR']);
  });

  test('a non-blocking connect in progress asks until the event loop has named the peer', () => {
    const g = guest({ connect: [Errno.INPROGRESS, { ends: null }] });
    const fd = g.open(SOCK_STREAM);
    expect(g.connect(fd)).toBe(Errno.INPROGRESS);
    const before = g.requests.length;
    expect(g.nameOf(fd, 'local')).toEqual(LOCAL); // not yet known to be connected: asked
    expect(g.nameOf(fd, 'peer')).toEqual(PEER); // connected now: both ends are fixed
    expect(g.nameOf(fd, 'local')).toEqual(LOCAL);
    expect(g.nameOf(fd, 'peer')).toEqual(PEER);
    expect(g.nameOf(fd, 'local')).toEqual(LOCAL);
    expect(g.requests.slice(before)).toEqual(['LOCALADDR', 'PEERADDR', 'LOCALADDR']);
  });
});

describe('a status-only reply', () => {
  test('reads every result field as empty, whatever an earlier reply left (a nullable field as null)', () => {
    const bufs = createChannelBuffers();
    const host = new HostChannel(bufs, () => {});
    const ctl = new Int32Array(bufs.ctl);
    host.reply(Ops.connect, { ends: { local: LOCAL, peer: PEER } });
    expect(decodeFields(Ops.connect.reply, ctl, RESULT_SLOTS, host)).toEqual({ ends: { local: LOCAL, peer: PEER } });
    host.status(0);
    expect(decodeFields(Ops.connect.reply, ctl, RESULT_SLOTS, host)).toEqual({ ends: null });
  });
});
