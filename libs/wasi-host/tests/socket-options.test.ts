// The socket options record (sockets/options.ts): what setsockopt stores and getsockopt reports,
// with Linux's answers, and which live effect the service must apply.
import { describe, expect, test } from '@jest/globals';
import { Errno } from '../src/errno.ts';
import { IPPROTO_IPV6, IPPROTO_TCP, IPV6_V6ONLY, SockOpt, SOL_SOCKET, TCP_NODELAY } from '../src/sockets/constants.ts';
import { newSocketOptions, readOption, writeOption } from '../src/sockets/options.ts';

const fresh = { family: 4 as const, bound: false };

describe('socket options', () => {
  test('flags read back as 0/1 and name the effect to apply', () => {
    const o = newSocketOptions();
    expect(readOption(o, IPPROTO_TCP, TCP_NODELAY, 4)).toEqual([0]);
    expect(writeOption(o, IPPROTO_TCP, TCP_NODELAY, 7, 0, fresh)).toEqual({ errno: 0, effect: 'nodelay' });
    expect(readOption(o, IPPROTO_TCP, TCP_NODELAY, 4)).toEqual([1]);
    expect(writeOption(o, SOL_SOCKET, SockOpt.KEEPALIVE, 1, 0, fresh)).toEqual({ errno: 0, effect: 'keepalive' });
    expect(writeOption(o, SOL_SOCKET, SockOpt.REUSEADDR, 1, 0, fresh)).toEqual({ errno: 0, effect: null });
    expect([SockOpt.KEEPALIVE, SockOpt.REUSEADDR, SockOpt.BROADCAST].map((n) => readOption(o, SOL_SOCKET, n, 4))).toEqual([[1], [1], [0]]);
  });

  test('buffer sizes: the kernel default until set, then doubled (at least 2048), as Linux', () => {
    const o = newSocketOptions();
    expect(readOption(o, SOL_SOCKET, SockOpt.RCVBUF, 4)).toEqual([131072]);
    expect(writeOption(o, SOL_SOCKET, SockOpt.RCVBUF, 4096, 0, fresh)).toEqual({ errno: 0, effect: 'udp' });
    expect(readOption(o, SOL_SOCKET, SockOpt.RCVBUF, 4)).toEqual([8192]);
    writeOption(o, SOL_SOCKET, SockOpt.SNDBUF, 10, 0, fresh);
    expect(readOption(o, SOL_SOCKET, SockOpt.SNDBUF, 4)).toEqual([2048]);
    expect(writeOption(o, SOL_SOCKET, SockOpt.SNDBUF, -1, 0, fresh).errno).toBe(Errno.INVAL);
  });

  test('linger keeps both values; rcvlowat is at least 1', () => {
    const o = newSocketOptions();
    writeOption(o, SOL_SOCKET, SockOpt.LINGER, 1, 5, fresh);
    expect(readOption(o, SOL_SOCKET, SockOpt.LINGER, 4)).toEqual([1, 5]);
    writeOption(o, SOL_SOCKET, SockOpt.RCVLOWAT, 0, 0, fresh);
    expect(readOption(o, SOL_SOCKET, SockOpt.RCVLOWAT, 4)).toEqual([1]);
  });

  test('IPV6_V6ONLY: IPv6 sockets only, and only before bind or listen', () => {
    const o = newSocketOptions();
    expect(writeOption(o, IPPROTO_IPV6, IPV6_V6ONLY, 1, 0, fresh).errno).toBe(Errno.NOPROTOOPT);
    expect(writeOption(o, IPPROTO_IPV6, IPV6_V6ONLY, 1, 0, { family: 6, bound: true }).errno).toBe(Errno.INVAL);
    expect(writeOption(o, IPPROTO_IPV6, IPV6_V6ONLY, 1, 0, { family: 6, bound: false }).errno).toBe(0);
    expect(readOption(o, IPPROTO_IPV6, IPV6_V6ONLY, 6)).toEqual([1]);
    expect(readOption(o, IPPROTO_IPV6, IPV6_V6ONLY, 4)).toBe(Errno.NOPROTOOPT);
  });

  test('unknown, read-only and unsupported options', () => {
    const o = newSocketOptions();
    expect(readOption(o, 4242, 1, 4)).toBe(Errno.NOPROTOOPT);
    expect(readOption(o, SOL_SOCKET, 12345, 4)).toBe(Errno.NOPROTOOPT);
    expect(writeOption(o, SOL_SOCKET, SockOpt.TYPE, 1, 0, fresh).errno).toBe(Errno.NOPROTOOPT);
    expect(writeOption(o, SOL_SOCKET, SockOpt.BINDTODEVICE, 1, 0, fresh).errno).toBe(Errno.NOTSUP);
    expect(writeOption(o, IPPROTO_TCP, 99, 1, 0, fresh).errno).toBe(Errno.NOPROTOOPT);
  });
});
