// A UDP socket closed right after a send (sockets/host/datagram.ts, close): the datagram still
// goes out, as a kernel sends what sendto accepted. Node sends to an address only after a lookup
// that completes on a later tick, so a close served in the same turn of the event loop (a guest
// thread that sends, closes its socket and exits) dropped it. The datagram part of the event loop
// is driven here directly; the receiver is a plain Node socket.
import { afterEach, describe, expect, test } from '@jest/globals';
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import { createChannelBuffers, HostChannel } from '../src/channel/channel.ts';
import { ServiceContext } from '../src/sockets/host/context.ts';
import { DatagramSockets } from '../src/sockets/host/datagram.ts';
import { HostSocket } from '../src/sockets/host/host-socket.ts';

const receivers: dgram.Socket[] = [];
afterEach(() => {
  for (const r of receivers.splice(0)) r.close();
});

/** A Node UDP socket on loopback that collects what it receives. */
async function receiver(type: 'udp4' | 'udp6', host: string): Promise<{ port: number; got: string[]; arrived: (text: string) => Promise<void> }> {
  const sock = dgram.createSocket(type);
  receivers.push(sock);
  const got: string[] = [];
  sock.on('message', (msg) => got.push(msg.toString()));
  sock.bind(0, host);
  await once(sock, 'listening');
  /** Resolves once `text` has arrived. */
  const arrived = async (text: string) => {
    while (!got.includes(text)) await once(sock, 'message');
  };
  return { port: sock.address().port, got, arrived };
}

/** The event loop's datagram part, answering on a channel no guest reads. */
function datagramService() {
  const channel = new HostChannel(createChannelBuffers(), () => {});
  const ctx = new ServiceContext(channel, { net: 'loopback', unixPath: () => 0 });
  return { ctx, datagrams: new DatagramSockets(ctx) };
}

/** Binds `s` and resolves once the bind has completed (its parked answer is given). */
async function bound(ctx: ServiceContext, datagrams: DatagramSockets, s: HostSocket, host: string): Promise<void> {
  datagrams.bind(s, { kind: 'ip', family: s.family === 6 ? 6 : 4, address: host }, 0);
  while (!s.udpBound) await new Promise((r) => setImmediate(r));
  expect(ctx.channels[0]!.parked).toBeNull();
}

describe('UDP close after send', () => {
  test.each([
    ['IPv4', 'udp4', '127.0.0.1', 4],
    ['IPv6', 'udp6', '::1', 6],
  ] as const)('%s: every datagram sent just before its socket closed arrives', async (_name, type, host, family) => {
    const { port, got, arrived } = await receiver(type, host);
    const { ctx, datagrams } = datagramService();
    const rounds = 20;
    for (let i = 0; i < rounds; i++) {
      const s = new HostSocket(100 + i, family, false);
      await bound(ctx, datagrams, s, host);
      datagrams.send(s, Buffer.from(`datagram ${i}`), { kind: 'ip', family, address: host }, port);
      datagrams.close(s);
      expect(s.udp).toBeNull();
    }
    // A last datagram from a socket left open: loopback delivers in the order sent, so when it
    // has arrived every datagram sent before it has too.
    const last = new HostSocket(99, family, false);
    await bound(ctx, datagrams, last, host);
    datagrams.send(last, Buffer.from('last'), { kind: 'ip', family, address: host }, port);
    await arrived('last');
    datagrams.close(last);
    expect(got.filter((d) => d !== 'last').sort()).toEqual(Array.from({ length: rounds }, (_, i) => `datagram ${i}`).sort());
  });

  test('a socket with no send in flight closes at once', async () => {
    const { ctx, datagrams } = datagramService();
    const s = new HostSocket(7, 4, false);
    await bound(ctx, datagrams, s, '127.0.0.1');
    const udp = s.udp!;
    const closed = once(udp, 'close');
    datagrams.close(s);
    await closed;
    expect(s.udpCloseAfterSends).toBe(false);
  });
});
