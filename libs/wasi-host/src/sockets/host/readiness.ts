// POLL: which of the guest's sockets are ready to read or write, as poll(2) reports them.
import { Errno } from '../../errno.ts';
import { PollEvent, type PollReplyEntry, type PollRequestEntry } from '../../channel/ops.ts';
import type { HostSocket } from './host-socket.ts';
import { SEND_HIGH, type RingPump } from './ring-pump.ts';

/** rwflags of a reply entry */
const HANGUP = 1;

/** [errno, nbytes, rwflags] when `s` is ready for `event`, else null. */
export function readiness(s: HostSocket | undefined, event: number, pump: RingPump): [number, number, number] | null {
  if (!s) return [Errno.BADF, 0, 0];
  if (event === PollEvent.READ) {
    if (!s.stream) {
      const d = s.dgrams[0];
      return d ? [0, d.data.length, 0] : null;
    }
    if (s.state === 'listening') return s.accepts.length ? [0, s.accepts.length, 0] : null;
    pump.refill(s);
    const held = s.recvBytes + (s.ring ? s.ring.recvAvailable() : 0);
    if (held > 0) return [0, held, s.eof ? HANGUP : 0];
    if (s.eof || s.readErr || s.shutRd) return [0, 0, HANGUP];
    if (s.state === 'idle') return [0, 0, HANGUP]; // unconnected: POLLHUP as on Linux
    return null;
  }
  if (!s.stream) return [0, 0, 0];
  if (s.state === 'listening' || s.state === 'connecting') return null;
  if (s.state === 'connected' && s.conn && !s.shutWr && !s.readErr) {
    pump.flushSend(s);
    if (s.conn.writableLength >= SEND_HIGH) return null;
    if (s.ring && s.ring.sendFree() === 0) return null;
  }
  // Ready to write, or a finished non-blocking connect (SO_ERROR says how it went).
  return [0, 0, 0];
}

/** The ready entries of a POLL request, by their index in it. */
export function readyEntries(entries: readonly PollRequestEntry[], sockets: ReadonlyMap<number, HostSocket>, pump: RingPump): PollReplyEntry[] {
  const ready: PollReplyEntry[] = [];
  entries.forEach(([fd, event], i) => {
    const r = readiness(sockets.get(fd), event, pump);
    if (r) ready.push([i, event, r[0], r[1], r[2]]);
  });
  return ready;
}
