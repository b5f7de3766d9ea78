// The guest's pool of socket rings (sockets/guest/rings.ts), against a scripted event loop: closed
// sockets give their rings back up to RING_POOL_MAX, past that a dropped ring's id goes to the
// event loop (so neither side keeps it), a pooled ring whose last connection is still closing
// (QUARANTINED in its header) waits its turn, and RING is posted, never waited for.
import { describe, expect, test } from '@jest/globals';
import type { GuestChannel } from '../src/channel/channel.ts';
import type { GuestMemory } from '../src/abi/guest-memory.ts';
import { Errno } from '../src/errno.ts';
import { GuestRings, RING_POOL_MAX } from '../src/sockets/guest/rings.ts';
import { H } from '../src/sockets/ring.ts';
import type { GuestSocket } from '../src/sockets/guest/socket-table.ts';

interface RingRequest {
  fd: number;
  ringId: number;
  isNew: boolean;
}

/** GuestRings over a channel that records the RING requests posted (and fails a wait on one). */
function rings() {
  const requests: RingRequest[] = [];
  const posted: number[] = [];
  const channel = {
    sync: () => {},
    post: (_op: unknown, r: RingRequest) => void requests.push(r),
    call: () => {
      throw new Error('RING waited for a reply');
    },
  } as unknown as GuestChannel;
  const port = { postMessage: (m: unknown) => void posted.push((m as { id: number }).id) };
  return { pool: new GuestRings({} as GuestMemory, channel, port), requests, posted };
}

const socket = (id: number): GuestSocket => ({ id, stream: true, nonblock: false, recvTimeoutMs: -1, sendTimeoutMs: -1, ring: null, dataRecvs: 1, connected: true, shutWr: false, local: null, peer: null });

describe('the guest ring pool', () => {
  test(`keeps ${RING_POOL_MAX} rings of closed sockets; drops the rest and names them`, () => {
    const { pool, posted } = rings();
    const sockets = Array.from({ length: RING_POOL_MAX + 6 }, (_, i) => socket(10 + i));
    for (const s of sockets) expect(pool.attach(s)).toBe(0);
    expect(posted).toHaveLength(RING_POOL_MAX + 6);
    const dropped = sockets.map((s) => pool.release(s));
    expect(dropped.slice(0, RING_POOL_MAX).every((id) => id === 0)).toBe(true);
    expect(dropped.slice(RING_POOL_MAX)).toEqual(posted.slice(RING_POOL_MAX));
    expect(sockets.every((s) => s.ring === null)).toBe(true);
  });

  test('new sockets take pooled rings before making any', () => {
    const { pool, posted, requests } = rings();
    const first = [socket(3), socket(4)];
    first.forEach((s) => pool.attach(s));
    first.forEach((s) => pool.release(s));
    const again = [socket(5), socket(6)];
    again.forEach((s) => pool.attach(s));
    expect(posted).toHaveLength(2);
    expect(requests.slice(2).map((r) => r.isNew)).toEqual([false, false]);
    expect(again.map((s) => s.ring?.id).sort()).toEqual(posted.sort());
  });

  test('a pooled ring whose connection is still closing goes back; the next one serves; once out of quarantine it serves again', () => {
    const { pool, requests } = rings();
    const [a, b] = [socket(3), socket(4)];
    pool.attach(a);
    pool.attach(b);
    const busy = a.ring!;
    pool.release(a);
    pool.release(b);
    Atomics.store(busy.ring.hdr, H.QUARANTINED, 1); // as the event loop does when the close leaves it in use
    const c = socket(5);
    expect(pool.attach(c)).toBe(0);
    expect(c.ring?.id).not.toBe(busy.id);
    const d = socket(6);
    expect(pool.attach(d)).toBe(0);
    expect(d.ring?.id).not.toBe(busy.id); // a new ring rather than the quarantined one
    Atomics.store(busy.ring.hdr, H.QUARANTINED, 0); // its connection closed
    const e = socket(7);
    pool.attach(e);
    expect(e.ring?.id).toBe(busy.id);
    expect(requests.map((r) => r.fd)).toEqual([3, 4, 5, 6, 7]);
  });

  test('RING is posted once per socket; a datagram socket gets no ring', () => {
    const { pool, requests } = rings();
    const s = socket(3);
    expect(pool.attach(s)).toBe(0);
    expect(pool.attach(s)).toBe(0);
    expect(requests).toEqual([{ fd: 3, ringId: s.ring!.id, isNew: true }]);
    expect(pool.attach({ ...socket(4), stream: false })).toBe(Errno.INVAL);
  });
});
