// sock_getaddrinfo's answers (sockets/name-lookup.ts), without a guest: hints, services, numeric hosts,
// the host's resolver for "localhost", and the network policy on every address.
import { describe, expect, test } from '@jest/globals';
import { AddressFamily, SockType } from '../src/abi/addr.ts';
import { AiFlags } from '../src/abi/addrinfo.ts';
import { Errno, POLICY_REFUSED } from '../src/errno.ts';
import { resolveAddrinfo } from '../src/sockets/name-lookup.ts';
import { NetAccess } from '../src/sockets/net-policy.ts';
import type { GetaddrinfoReply, GetaddrinfoRequest } from '../src/channel/ops.ts';

const ask = (node: string | null, service: string | null, hints: Partial<GetaddrinfoRequest['hints']> = {}): GetaddrinfoRequest => ({
  node,
  service,
  hints: { flags: 0, family: AddressFamily.UNSPEC, socktype: 0, protocol: 0, ...hints } as GetaddrinfoRequest['hints'],
});

describe('resolveAddrinfo', () => {
  test('a numeric host and a service name: one answer per socket type, no lookup', async () => {
    const reply = (await resolveAddrinfo(ask('127.0.0.1', 'http'), new NetAccess('loopback'))) as GetaddrinfoReply;
    expect(reply.results.map((r) => [r.address, r.port, r.socktype])).toEqual([
      ['127.0.0.1', 80, SockType.STREAM],
      ['127.0.0.1', 80, SockType.DGRAM],
    ]);
    expect(reply.canon).toBeNull(); // only with AI_CANONNAME
  });

  test('no host: loopback to connect, the wildcard to bind (AI_PASSIVE)', async () => {
    const connect = (await resolveAddrinfo(ask(null, '8080', { socktype: SockType.STREAM }), new NetAccess('loopback'))) as GetaddrinfoReply;
    expect(connect.results.map((r) => r.address)).toEqual(['127.0.0.1', '::1']);
    const bind = (await resolveAddrinfo(ask(null, '8080', { flags: AiFlags.PASSIVE, socktype: SockType.STREAM }), new NetAccess('loopback'))) as GetaddrinfoReply;
    expect(bind.results.map((r) => r.address)).toEqual(['0.0.0.0', '::']);
  });

  test('"localhost" through the host resolver, with its canonical name', async () => {
    const reply = (await resolveAddrinfo(ask('localhost', '443', { flags: AiFlags.CANONNAME, family: AddressFamily.INET4, socktype: SockType.STREAM }), new NetAccess('loopback'))) as GetaddrinfoReply;
    expect(reply.results.map((r) => [r.address, r.port])).toEqual([['127.0.0.1', 443]]);
    expect(reply.canon).toBe('localhost');
  });

  test('the errors getaddrinfo(3) gives', async () => {
    expect(await resolveAddrinfo(ask(null, null), new NetAccess('all'))).toBe(Errno.AINONAME);
    expect(await resolveAddrinfo(ask('127.0.0.1', 'no-such-service'), new NetAccess('all'))).toBe(Errno.AISERVICE);
    expect(await resolveAddrinfo(ask('127.0.0.1', '70000'), new NetAccess('all'))).toBe(Errno.AISERVICE);
    expect(await resolveAddrinfo(ask('127.0.0.1', 'http', { flags: AiFlags.NUMERICSERV }), new NetAccess('all'))).toBe(Errno.AINONAME);
    expect(await resolveAddrinfo(ask('example.invalid', '80', { flags: AiFlags.NUMERICHOST }), new NetAccess('all'))).toBe(Errno.AINONAME);
    expect(await resolveAddrinfo(ask('::1', '80', { family: AddressFamily.INET4 }), new NetAccess('all'))).toBe(Errno.AIADDRFAMILY);
    expect(await resolveAddrinfo(ask('127.0.0.1', '80', { flags: 0x1000 }), new NetAccess('all'))).toBe(Errno.AIBADFLAG);
  });

  test('the network policy: no lookups under none, no remote addresses under loopback', async () => {
    expect(await resolveAddrinfo(ask('127.0.0.1', '80'), new NetAccess('none'))).toBe(POLICY_REFUSED);
    expect(await resolveAddrinfo(ask('192.0.2.7', '80'), new NetAccess('loopback'))).toBe(POLICY_REFUSED);
    const all = (await resolveAddrinfo(ask('192.0.2.7', '80', { socktype: SockType.DGRAM }), new NetAccess('all'))) as GetaddrinfoReply;
    expect(all.results.map((r) => r.address)).toEqual(['192.0.2.7']);
  });

  test('an allow-list: only listed names are looked up, and their answers become reachable', async () => {
    const access = new NetAccess({ allow: [{ host: 'localhost', port: 8000 }, { host: '192.0.2.7' }] });
    expect(await resolveAddrinfo(ask('example.invalid', '80'), access)).toBe(POLICY_REFUSED);
    expect(access.allowsPeer('127.0.0.1', 8000)).toBe(false); // not looked up yet
    const reply = (await resolveAddrinfo(ask('localhost', '8000', { family: AddressFamily.INET4, socktype: SockType.STREAM }), access)) as GetaddrinfoReply;
    expect(reply.results.map((r) => r.address)).toEqual(['127.0.0.1']);
    expect(access.allowsPeer('127.0.0.1', 8000)).toBe(true);
    expect(access.allowsPeer('127.0.0.1', 8001)).toBe(false);
    const literal = (await resolveAddrinfo(ask('192.0.2.7', '443', { socktype: SockType.STREAM }), access)) as GetaddrinfoReply;
    expect(literal.results.map((r) => r.address)).toEqual(['192.0.2.7']);
    expect(await resolveAddrinfo(ask('192.0.2.8', '443'), access)).toBe(POLICY_REFUSED);
  });
});
