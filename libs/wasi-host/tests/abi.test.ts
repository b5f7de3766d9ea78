import { describe, expect, test } from '@jest/globals';
import { bytesToIpv6, decodeAddress, encodeAddress, ipv6ToBytes } from '../src/abi/addr.ts';
import { readHints, sockaddrData, writeAddrinfoChain } from '../src/abi/addrinfo.ts';
import { Errno, eaiFromNode, errnoFromNode } from '../src/errno.ts';
import { GuestFault, GuestMemory } from '../src/abi/guest-memory.ts';
import { clockDeadline, decodeSubscriptions, encodeEvent } from '../src/poll-oneoff.ts';
import { describeNetPolicy, isLoopback, NetAccess, NetPolicyError, parseNetPolicy } from '../src/sockets/net-policy.ts';
import { checkModule } from '../src/wasm-imports.ts';
import { wat } from '../../../tools/testing/wat.ts';

function memory(pages = 1) {
  const m = new WebAssembly.Memory({ initial: pages });
  return { m, mem: new GuestMemory(() => m), dv: () => new DataView(m.buffer), u8: () => new Uint8Array(m.buffer) };
}

describe('address buffers', () => {
  test('4-byte buffer is a raw IPv4 address', () => {
    expect(decodeAddress(Uint8Array.from([127, 0, 0, 1]))).toEqual({ kind: 'ip', family: 4, address: '127.0.0.1' });
    expect(encodeAddress({ kind: 'ip', family: 4, address: '10.1.2.3' }, 4)).toEqual(Uint8Array.from([10, 1, 2, 3]));
  });
  test('16-byte buffer is a raw IPv6 address', () => {
    const lo = new Uint8Array(16);
    lo[15] = 1;
    expect(decodeAddress(lo)).toEqual({ kind: 'ip', family: 6, address: '::1' });
    expect(encodeAddress({ kind: 'ip', family: 6, address: '::1' }, 16)).toEqual(lo);
  });
  test('128-byte storage: u16 family then bytes at @2', () => {
    const enc = encodeAddress({ kind: 'ip', family: 4, address: '192.168.0.9' }, 128)!;
    expect(enc.length).toBe(128);
    expect([...enc.subarray(0, 6)]).toEqual([1, 0, 192, 168, 0, 9]);
    expect(decodeAddress(enc)).toEqual({ kind: 'ip', family: 4, address: '192.168.0.9' });
    const enc6 = encodeAddress({ kind: 'ip', family: 6, address: 'fe80::1:2' }, 128)!;
    expect(enc6[0]).toBe(2);
    expect([...enc6.subarray(2, 4)]).toEqual([0xfe, 0x80]);
    expect(decodeAddress(enc6)).toEqual({ kind: 'ip', family: 6, address: 'fe80::1:2' });
  });
  test('unix path in storage, NUL-terminated', () => {
    const enc = encodeAddress({ kind: 'unix', path: '/tmp/s' }, 128)!;
    expect(enc[0]).toBe(3);
    expect(Buffer.from(enc.subarray(2, 8)).toString()).toBe('/tmp/s');
    expect(enc[8]).toBe(0);
    expect(decodeAddress(enc)).toEqual({ kind: 'unix', path: '/tmp/s' });
    const unterminated = new Uint8Array(10).fill(65);
    unterminated[0] = 3;
    unterminated[1] = 0;
    expect(decodeAddress(unterminated)).toBeNull();
  });
  test('bad families and sizes are rejected', () => {
    expect(decodeAddress(new Uint8Array(3))).toBeNull();
    const bad = new Uint8Array(128);
    bad[0] = 9;
    expect(decodeAddress(bad)).toBeNull();
    expect(encodeAddress({ kind: 'ip', family: 6, address: '2001:db8::1' }, 4)).toBeNull();
    expect(encodeAddress({ kind: 'unix', path: 'x'.repeat(200) }, 128)).toBeNull();
  });
  test('IPv6 text round trips, including mapped IPv4', () => {
    for (const a of ['::', '::1', '2001:db8::8:800:200c:417a', 'fe80::', '1:2:3:4:5:6:7:8', '::ffff:127.0.0.1']) {
      const b = ipv6ToBytes(a);
      expect(b.length).toBe(16);
      expect(ipv6ToBytes(bytesToIpv6(b))).toEqual(b);
    }
    expect([...ipv6ToBytes('::ffff:127.0.0.1').subarray(10)]).toEqual([0xff, 0xff, 127, 0, 0, 1]);
  });
});

describe('getaddrinfo encoding', () => {
  test('sockaddr data as WasmEdge writes it', () => {
    expect([...sockaddrData(4, '127.0.0.1', 8080)]).toEqual([0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const d6 = sockaddrData(6, '::1', 443);
    expect(d6.length).toBe(26);
    expect([...d6.subarray(0, 6)]).toEqual([1, 0xbb, 0, 0, 0, 0]); // port BE, flowinfo 0
    expect(d6[21]).toBe(1); // address at data+6
    expect([...d6.subarray(22)]).toEqual([0, 0, 0, 0]); // scope id
  });
  test('fills the preallocated chain in place and stops at max / next=0', () => {
    const { mem, dv, u8 } = memory();
    const entries = [1000, 1100, 1200];
    entries.forEach((e, i) => {
      const sa = 2000 + i * 100;
      dv().setUint32(e + 12, sa, true);
      dv().setUint32(sa + 4, 26, true);
      dv().setUint32(sa + 8, 3000 + i * 100, true);
      dv().setUint32(e + 16, 4000, true);
      dv().setUint32(e + 20, 16, true);
      dv().setUint32(e + 24, entries[i + 1] ?? 0, true);
    });
    dv().setUint32(500, 1000, true);
    const results = [
      { family: 4 as const, address: '127.0.0.1', port: 80, socktype: 2, protocol: 1 },
      { family: 6 as const, address: '::1', port: 80, socktype: 1, protocol: 2 },
      { family: 4 as const, address: '10.0.0.1', port: 80, socktype: 2, protocol: 1 },
      { family: 4 as const, address: '10.0.0.2', port: 80, socktype: 2, protocol: 1 },
    ];
    expect(writeAddrinfoChain(mem, 500, 10, results, 2, 'localhost')).toBe(3); // chain has 3 entries
    expect(u8()[1002]).toBe(1); // family INET4
    expect(u8()[1003]).toBe(2); // STREAM
    expect(u8()[1004]).toBe(1); // TCP
    expect(dv().getUint32(1008, true)).toBe(16); // addrlen = native sockaddr_in size
    expect(u8()[2000]).toBe(1);
    expect(dv().getUint32(2004, true)).toBe(14);
    expect([...u8().subarray(3000, 3006)]).toEqual([0, 80, 127, 0, 0, 1]);
    expect(u8()[1102]).toBe(2);
    expect(dv().getUint32(2104, true)).toBe(26);
    expect(u8()[3100 + 21]).toBe(1);
    expect(Buffer.from(u8().subarray(4000, 4010)).toString()).toBe('localhost\0');
    expect(writeAddrinfoChain(mem, 500, 1, results, 0, null)).toBe(1);
  });
  test('too-small data buffer is EINVAL (-1), bad pointers fault', () => {
    const { mem, dv } = memory();
    dv().setUint32(500, 1000, true);
    dv().setUint32(1012, 2000, true);
    dv().setUint32(2004, 8, true);
    expect(writeAddrinfoChain(mem, 500, 1, [{ family: 4, address: '1.2.3.4', port: 1, socktype: 2, protocol: 1 }], 0, null)).toBe(-1);
    dv().setUint32(500, 0xfffffff0, true);
    expect(() => writeAddrinfoChain(mem, 500, 1, [{ family: 4, address: '1.2.3.4', port: 1, socktype: 2, protocol: 1 }], 0, null)).toThrow(GuestFault);
  });
  test('hints are read from the 28-byte struct', () => {
    const { mem, dv, u8 } = memory();
    dv().setUint16(100, 3, true);
    u8()[102] = 2;
    u8()[103] = 1;
    u8()[104] = 2;
    expect(readHints(mem, 100)).toEqual({ flags: 3, family: 2, socktype: 1, protocol: 2 });
    expect(readHints(mem, 0)).toEqual({ flags: 0, family: 0, socktype: 0, protocol: 0 });
  });
});

describe('poll_oneoff structs', () => {
  test('decodes clock and fd subscriptions', () => {
    const { mem, dv, u8 } = memory();
    dv().setBigUint64(0, 7n, true);
    u8()[8] = 0;
    dv().setUint32(16, 1, true);
    dv().setBigUint64(24, 123456789n, true);
    dv().setBigUint64(32, 1000n, true);
    dv().setUint16(40, 1, true);
    dv().setBigUint64(48, 8n, true);
    u8()[56] = 1;
    dv().setUint32(64, 300, true);
    dv().setBigUint64(96, 9n, true);
    u8()[104] = 2;
    dv().setUint32(112, 4, true);
    expect(decodeSubscriptions(mem, 0, 3)).toEqual([
      { userdata: 7n, tag: 0, clockId: 1, timeout: 123456789n, precision: 1000n, flags: 1 },
      { userdata: 8n, tag: 1, fd: 300 },
      { userdata: 9n, tag: 2, fd: 4 },
    ]);
    expect(() => decodeSubscriptions(mem, 65536 - 40, 1)).toThrow(GuestFault);
  });
  test('encodes 32-byte events', () => {
    const { mem, dv, u8 } = memory();
    u8().fill(0xaa, 0, 64);
    encodeEvent(mem, 0, { userdata: 0x1122334455n, error: 15, type: 1, nbytes: 42n, flags: 1 });
    expect(dv().getBigUint64(0, true)).toBe(0x1122334455n);
    expect(dv().getUint16(8, true)).toBe(15);
    expect(u8()[10]).toBe(1);
    expect(dv().getBigUint64(16, true)).toBe(42n);
    expect(dv().getUint16(24, true)).toBe(1);
    expect(u8()[31]).toBe(0);
    expect(u8()[32]).toBe(0xaa);
  });
  test('clock deadlines for all four kinds', () => {
    const mono = 1_000_000_000n;
    const real = 1_700_000_000_000_000_000n;
    expect(clockDeadline({ clockId: 1, timeout: 5n, flags: 0 }, mono, real)).toBe(mono + 5n);
    expect(clockDeadline({ clockId: 0, timeout: 5n, flags: 0 }, mono, real)).toBe(mono + 5n);
    expect(clockDeadline({ clockId: 1, timeout: 2_000_000_000n, flags: 1 }, mono, real)).toBe(2_000_000_000n);
    expect(clockDeadline({ clockId: 0, timeout: real + 300n, flags: 1 }, mono, real)).toBe(mono + 300n);
    expect(clockDeadline({ clockId: 0, timeout: real - 300n, flags: 1 }, mono, real)).toBe(mono - 300n);
  });
});

describe('errno mapping', () => {
  test('Node codes map to WASI errnos', () => {
    expect(errnoFromNode({ code: 'ECONNREFUSED' })).toBe(14);
    expect(errnoFromNode({ code: 'ECONNRESET' })).toBe(15);
    expect(errnoFromNode({ code: 'EADDRINUSE' })).toBe(3);
    expect(errnoFromNode({ code: 'EPIPE' })).toBe(64);
    expect(errnoFromNode({ code: 'ETIMEDOUT' })).toBe(73);
    expect(errnoFromNode({ code: 'ENETUNREACH' })).toBe(40);
    expect(errnoFromNode({ code: 'EWHATEVER' })).toBe(Errno.IO);
    expect(errnoFromNode(null)).toBe(Errno.IO);
  });
  test('lookup failures map to WasmEdge EAI codes', () => {
    expect(eaiFromNode({ code: 'ENOTFOUND' })).toBe(84);
    expect(eaiFromNode({ code: 'EAI_AGAIN' })).toBe(78);
    expect(eaiFromNode({ code: 'EBADFAMILY' })).toBe(81);
    expect(eaiFromNode({})).toBe(80);
  });
});

describe('network policy', () => {
  test('loopback allows only loopback peers and narrows wildcard binds', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.8.9.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    const [loopback, all, none] = [new NetAccess('loopback'), new NetAccess('all'), new NetAccess('none')];
    expect(loopback.allowsPeer('8.8.8.8', 53)).toBe(false);
    expect(all.allowsPeer('8.8.8.8', 53)).toBe(true);
    expect(none.allowsPeer('127.0.0.1', 80)).toBe(false);
    expect(loopback.bindAddress('0.0.0.0', 4)).toBe('127.0.0.1');
    expect(loopback.bindAddress('::', 6)).toBe('::1');
    expect(loopback.bindAddress('192.168.1.1', 4)).toBeNull();
    expect(all.bindAddress('0.0.0.0', 4)).toBe('0.0.0.0');
    expect(none.bindAddress('127.0.0.1', 4)).toBeNull();
  });

  test('an allow-list (--net allow:...): parsed, printed back, enforced per address and port', () => {
    const policy = parseNetPolicy('allow:Example.com:443,127.0.0.1:8000,[::1],10.0.0.1');
    expect(policy).toEqual({ allow: [{ host: 'example.com', port: 443 }, { host: '127.0.0.1', port: 8000 }, { host: '::1' }, { host: '10.0.0.1' }] });
    expect(describeNetPolicy(policy)).toBe('allow:example.com:443,127.0.0.1:8000,[::1],10.0.0.1');
    const access = new NetAccess(policy);
    expect(access.allowsPeer('127.0.0.1', 8000)).toBe(true);
    expect(access.allowsPeer('127.0.0.1', 22)).toBe(false);
    expect(access.allowsPeer('::ffff:127.0.0.1', 8000)).toBe(true);
    expect(access.allowsPeer('10.0.0.1', 5432)).toBe(true);
    expect(access.allowsPeer('10.0.0.2', 5432)).toBe(false);
    // A bind: to a listed address and port; the wildcard narrowed to a listed loopback address.
    expect(access.bindAddress('0.0.0.0', 4, 8000)).toBe('127.0.0.1');
    expect(access.bindAddress('0.0.0.0', 4, 9000)).toBeNull();
    expect(access.bindAddress('::', 6, 9000)).toBe('::1');
    expect(access.allowsUnix()).toBe(false);
    expect(access.allowsLookup('EXAMPLE.com')).toBe(true);
    expect(access.allowsLookup('example.org')).toBe(false);
    for (const bad of ['allow:', 'allow:host:0', 'allow:host:99999', 'allow:[example.com]', 'allow:bad_name!', 'some']) {
      expect(() => parseNetPolicy(bad)).toThrow(NetPolicyError);
    }
  });
});

describe('module check', () => {
  test('reads V1/V2 shapes from import arity and lists missing imports', async () => {
    const bytes = await wat(`(module
      (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "sock_recv_from" (func (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "sock_getlocaladdr" (func (param i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "sock_getpeeraddr" (func (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")))`);
    const c = checkModule(bytes);
    expect(c).toMatchObject({ ok: true, missing: [] });
    expect(c.shapes).toEqual({ sock_accept: 1, sock_recv_from: 2, sock_getlocaladdr: 2, sock_getpeeraddr: 1 });
    const bad = await wat(`(module
      (import "env" "foo" (func))
      (import "wasi_snapshot_preview1" "sock_frobnicate" (func))
      (import "wasi_snapshot_preview1" "sock_open" (func (param i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")))`);
    const b = checkModule(bad);
    expect(b.ok).toBe(false);
    expect(b.missing).toEqual(['env.foo', 'wasi_snapshot_preview1.sock_frobnicate', 'wasi_snapshot_preview1.sock_open (unsupported signature: 1 params)']);
    expect(checkModule(Buffer.from('not wasm at all')).error).toMatch(/not a WebAssembly module/);
    expect(checkModule(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99])).error).toMatch(/invalid/);
  });
});

describe('guest memory views', () => {
  test('a grown memory is seen at once: the old buffer is detached, the views are made again', () => {
    const { m, mem } = memory(1);
    expect(mem.size).toBe(65536);
    expect(() => mem.check(65536, 4)).toThrow(GuestFault);
    m.grow(1);
    expect(mem.size).toBe(2 * 65536);
    mem.setU32(65536, 0xdeadbeef);
    expect(new DataView(m.buffer).getUint32(65536, true)).toBe(0xdeadbeef);
    expect(mem.wholeBytes().length).toBe(2 * 65536);
    m.grow(0); // detaches too, with nothing added
    mem.setU32(4, 7);
    expect(new DataView(m.buffer).getUint32(4, true)).toBe(7);
  });

  test('a shared memory, whose buffer never detaches, is asked for it each time', () => {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const mem = new GuestMemory(() => m);
    expect(mem.size).toBe(65536);
    m.grow(2);
    expect(mem.size).toBe(3 * 65536);
    mem.setU32(2 * 65536, 42);
    expect(new DataView(m.buffer).getUint32(2 * 65536, true)).toBe(42);
  });

  test('a shared memory grown since the views were made: scatter and gather reach the new pages', () => {
    // The iovecs were read and checked by another GuestMemory of the same memory (fd_read's, for
    // a socket's bytes), so this one's views are as old as its last call.
    const m = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const mem = new GuestMemory(() => m);
    expect(mem.size).toBe(65536);
    m.grow(1);
    const iovs = [{ ptr: 100, len: 2 }, { ptr: 65536 + 8, len: 3 }];
    expect(mem.scatter(iovs, Uint8Array.of(1, 2, 3, 4, 5))).toBe(5);
    expect([...new Uint8Array(m.buffer, 65536 + 8, 3)]).toEqual([3, 4, 5]);
    m.grow(1);
    new Uint8Array(m.buffer).set([6, 7, 8], 2 * 65536);
    const dest = new Uint8Array(5);
    expect(mem.gather([{ ptr: 100, len: 2 }, { ptr: 2 * 65536, len: 3 }], dest)).toBe(5);
    expect([...dest]).toEqual([1, 2, 6, 7, 8]);
    expect(() => mem.scatter([{ ptr: 4 * 65536 - 1, len: 2 }], Uint8Array.of(1, 2))).toThrow(GuestFault);
  });
});
