// Our poll_oneoff. uvwasi's computes ABSTIME deadlines against the realtime clock, so a
// MONOTONIC + ABSTIME subscription never fires (wasi-libc's clock_nanosleep(CLOCK_MONOTONIC,
// TIMER_ABSTIME), used by CPython's time.sleep, hangs). We handle all clock kinds here and ask each
// fd's descriptor how ready it is: ready now (files, stdin, a socket with bytes held on this side),
// or a question for the thread that knows (sockets: the event loop), asked once for all of them.
import type { GuestMemory } from './abi/guest-memory.ts';
import { Errno } from './errno.ts';
import type { PollReplyEntry, PollRequestEntry } from './channel/ops.ts';

export const SUBSCRIPTION_SIZE = 48;
export const EVENT_SIZE = 32;
export const EventType = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;
export const ClockId = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 } as const;
export const SUBCLOCK_ABSTIME = 1;
export const EVENTRW_HANGUP = 1;

/** A decoded subscription: clock fields for tag 0, fd for tags 1/2, nothing for unknown tags. */
export interface Subscription {
  userdata: bigint;
  tag: number;
  fd?: number;
  clockId?: number;
  timeout?: bigint;
  precision?: bigint;
  flags?: number;
}
type ClockSubscription = Subscription & { clockId: number; timeout: bigint; flags: number };

export interface PollEventRecord {
  userdata: bigint;
  error: number;
  type: number;
  nbytes: bigint;
  flags: number;
}

/** Decodes `n` 48-byte subscriptions: `u64 userdata @0, u8 tag @8`, then the union at @16. */
export function decodeSubscriptions(mem: GuestMemory, ptr: number, n: number): Subscription[] {
  mem.check(ptr, n * SUBSCRIPTION_SIZE, 'subscriptions');
  const subs: Subscription[] = [];
  for (let i = 0; i < n; i++) {
    const p = (ptr >>> 0) + i * SUBSCRIPTION_SIZE;
    const userdata = mem.u64(p);
    const tag = mem.u8At(p + 8);
    if (tag === EventType.CLOCK) {
      subs.push({ userdata, tag, clockId: mem.u32(p + 16), timeout: mem.u64(p + 24), precision: mem.u64(p + 32), flags: mem.u16(p + 40) });
    } else if (tag === EventType.FD_READ || tag === EventType.FD_WRITE) {
      subs.push({ userdata, tag, fd: mem.u32(p + 16) });
    } else {
      subs.push({ userdata, tag });
    }
  }
  return subs;
}

/** Encodes a 32-byte event: `u64 userdata @0, u16 error @8, u8 type @10, u64 nbytes @16, u16 flags @24`. */
export function encodeEvent(mem: GuestMemory, ptr: number, ev: PollEventRecord): void {
  mem.check(ptr, EVENT_SIZE, 'event');
  mem.write(ptr, new Uint8Array(EVENT_SIZE));
  mem.setU64(ptr, ev.userdata);
  mem.setU16(ptr + 8, ev.error);
  mem.setU8(ptr + 10, ev.type);
  mem.setU64(ptr + 16, ev.nbytes);
  mem.setU16(ptr + 24, ev.flags);
}

/** The monotonic-clock deadline (ns) of a clock subscription. */
export function clockDeadline(
  sub: { clockId: number; timeout: bigint; flags: number },
  nowMonotonic: bigint,
  nowRealtime: bigint,
): bigint {
  if ((sub.flags & SUBCLOCK_ABSTIME) === 0) return nowMonotonic + sub.timeout;
  if (sub.clockId === ClockId.REALTIME) return nowMonotonic + (sub.timeout - nowRealtime);
  // MONOTONIC (and the CPU-time clocks, which we approximate by it) are already on our timeline.
  return sub.timeout;
}

/** Who knows how ready some fds are (sockets: the event loop): asked once per poll, with the
 * entries (id, event) and how long it may wait for one to be (-1 forever). */
export interface ReadinessSource {
  ask(entries: PollRequestEntry[], timeoutMs: number): PollReplyEntry[];
}

/** How ready an fd is: an errno (EBADF), `nbytes` ready now, or the source to ask about `id`. */
export type Readiness = { errno: number } | { nbytes: number } | { source: ReadinessSource; id: number };

export interface PollDeps {
  readiness(fd: number, event: number): Readiness;
  monotonicNs(): bigint;
  realtimeNs(): bigint;
  /** Sleeps the guest thread; an interrupt ends the sleep early. */
  sleepMs(ms: number): void;
  /** An interrupt waits for the guest (interrupts.ts): a poll that would block returns EINTR. */
  interrupted(): boolean;
}

/** The poll_oneoff host call body (bounds errors propagate as GuestFault). */
export function pollOneoff(mem: GuestMemory, inPtr: number, outPtr: number, nsubs: number, neventsOut: number, deps: PollDeps): number {
  const n = nsubs >>> 0;
  if (n === 0) return Errno.INVAL;
  if (n > 1 << 20) return Errno.INVAL;
  mem.check(outPtr, n * EVENT_SIZE, 'events');
  mem.check(neventsOut, 4, 'nevents');
  const subs = decodeSubscriptions(mem, inPtr, n);
  const events: PollEventRecord[] = [];
  const clocks: { sub: Subscription; deadline: bigint }[] = [];
  const asked = new Map<ReadinessSource, { entries: PollRequestEntry[]; subs: Subscription[] }>();
  const now = deps.monotonicNs();
  let realNow: bigint | null = null;
  for (const sub of subs) {
    if (sub.tag === EventType.CLOCK) {
      const s = sub as ClockSubscription;
      if (s.clockId > ClockId.THREAD_CPUTIME) {
        events.push({ userdata: s.userdata, error: Errno.INVAL, type: EventType.CLOCK, nbytes: 0n, flags: 0 });
        continue;
      }
      if (s.flags & SUBCLOCK_ABSTIME && s.clockId === ClockId.REALTIME) realNow ??= deps.realtimeNs();
      clocks.push({ sub, deadline: clockDeadline(s, now, realNow ?? 0n) });
    } else if (sub.fd !== undefined) {
      const r = deps.readiness(sub.fd, sub.tag);
      if ('source' in r) {
        let group = asked.get(r.source);
        if (!group) asked.set(r.source, (group = { entries: [], subs: [] }));
        group.entries.push([r.id, sub.tag]);
        group.subs.push(sub);
      } else if ('errno' in r) events.push({ userdata: sub.userdata, error: r.errno, type: sub.tag, nbytes: 0n, flags: 0 });
      else events.push({ userdata: sub.userdata, error: 0, type: sub.tag, nbytes: BigInt(r.nbytes), flags: 0 });
    } else {
      return Errno.INVAL;
    }
  }
  const expired = (t: bigint) => {
    for (const c of clocks) {
      if (c.deadline <= t) events.push({ userdata: c.sub.userdata, error: 0, type: EventType.CLOCK, nbytes: 0n, flags: 0 });
    }
  };
  expired(now);
  let minDeadline: bigint | null = null;
  for (const c of clocks) if (minDeadline === null || c.deadline < minDeadline) minDeadline = c.deadline;

  if (!events.length && deps.interrupted()) return Errno.INTR;
  // One source waits (the sockets' event loop: there is no other yet); any further one is asked
  // without waiting once it answered.
  for (const [source, group] of asked) {
    let timeoutMs = -1;
    if (events.length) timeoutMs = 0;
    else if (minDeadline !== null) timeoutMs = Math.max(0, Math.ceil(Number(minDeadline - now) / 1e6));
    for (const [index, type, error, nbytes, flags] of source.ask(group.entries, timeoutMs)) {
      const sub = group.subs[index];
      if (sub) events.push({ userdata: sub.userdata, error, type, nbytes: BigInt(nbytes), flags });
    }
  }
  if (!events.length && deps.interrupted()) return Errno.INTR;
  if (!events.length && minDeadline !== null) {
    // Clocks only, or sockets that stayed idle until the first deadline.
    for (;;) {
      const remaining = minDeadline - deps.monotonicNs();
      if (remaining <= 0n) break;
      if (deps.interrupted()) return Errno.INTR;
      deps.sleepMs(Number(remaining) / 1e6);
    }
    expired(deps.monotonicNs());
  }
  events.forEach((ev, i) => encodeEvent(mem, outPtr + i * EVENT_SIZE, ev));
  mem.setU32(neventsOut, events.length);
  return Errno.SUCCESS;
}
