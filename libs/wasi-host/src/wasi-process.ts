// The preview1 calls that are not about files or sockets: arguments, environment, clocks,
// randomness, exit. With the file-system calls (fs/wasi-fs.ts) and the socket extension they make
// the whole import object; node:wasi is not used at run time (its uvwasi does not confine paths).
import { Errno } from './errno.ts';
import type { GuestMemory } from './abi/guest-memory.ts';
import type { HostFn } from './host-call.ts';
import { ClockId } from './poll-oneoff.ts';
import type { InterruptFlag } from './interrupts.ts';

/** Thrown by proc_exit through the guest's frames to the caller of `_start`. Not an Error, so the
 * host-call guards pass it on. */
export class ProcExit {
  readonly code: number;

  constructor(code: number) {
    this.code = code;}
}

/** Writes NUL-terminated strings and the pointer array that lists them (argv/environ layout). */
function writeStrings(mem: GuestMemory, values: Buffer[], ptrs: number, buf: number): void {
  mem.check(ptrs, values.length * 4, 'pointer array');
  let at = buf >>> 0;
  values.forEach((v, i) => {
    mem.setU32(ptrs + i * 4, at);
    mem.write(at, v);
    at += v.length;
  });
}

function sizes(mem: GuestMemory, values: Buffer[], countOut: number, sizeOut: number): number {
  mem.check(countOut, 4, 'count');
  mem.check(sizeOut, 4, 'size');
  mem.setU32(countOut, values.length);
  mem.setU32(sizeOut, values.reduce((n, v) => n + v.length, 0));
  return 0;
}

/** Wall-clock nanoseconds anchored once to Date.now() and advanced by the monotonic clock, so
 * REALTIME has nanosecond steps. poll_oneoff's REALTIME deadlines use this same clock. */
const realtimeOrigin = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export function realtimeNs(): bigint {
  return realtimeOrigin + process.hrtime.bigint();
}

export function createProcessImports(mem: GuestMemory, args: string[], env: Record<string, string>, interrupts: InterruptFlag): Record<string, HostFn> {
  const argv = args.map((a) => Buffer.from(a + '\0'));
  const environ = Object.entries(env).map(([k, v]) => Buffer.from(`${k}=${v}\0`));
  return {
    args_sizes_get: (countOut: number, sizeOut: number) => sizes(mem, argv, countOut, sizeOut),
    args_get(ptrs: number, buf: number) {
      writeStrings(mem, argv, ptrs, buf);
      return 0;
    },
    environ_sizes_get: (countOut: number, sizeOut: number) => sizes(mem, environ, countOut, sizeOut),
    environ_get(ptrs: number, buf: number) {
      writeStrings(mem, environ, ptrs, buf);
      return 0;
    },
    clock_res_get(id: number, out: number) {
      if (id > ClockId.THREAD_CPUTIME) return Errno.INVAL;
      mem.check(out, 8, 'resolution');
      mem.setU64(out, id === ClockId.REALTIME ? 1000n : 1n);
      return 0;
    },
    clock_time_get(id: number, _precision: bigint, out: number) {
      mem.check(out, 8, 'time');
      let ns: bigint;
      if (id === ClockId.REALTIME) ns = realtimeNs();
      else if (id === ClockId.MONOTONIC) ns = process.hrtime.bigint();
      else if (id === ClockId.PROCESS_CPUTIME || id === ClockId.THREAD_CPUTIME) {
        const u = process.cpuUsage();
        ns = BigInt(u.user + u.system) * 1000n;
      } else return Errno.INVAL;
      mem.setU64(out, ns);
      return 0;
    },
    random_get(buf: number, len: number) {
      // node:crypto is loaded at the first call only: ~3 MiB that a run without one does not need.
      // randomFillSync takes at most 2^31-1 bytes at once.
      const { randomFillSync } = process.getBuiltinModule('node:crypto');
      const all = mem.bytes(buf, len >>> 0);
      for (let off = 0; off < all.length; off += 1 << 30) randomFillSync(all.subarray(off, Math.min(all.length, off + (1 << 30))));
      return 0;
    },
    // EINTR reports an interrupt and takes it (interrupts.ts); there is nothing else to yield to.
    sched_yield: () => (interrupts.take() ? Errno.INTR : 0),
    proc_raise: () => Errno.NOSYS,
    proc_exit(code: number) {
      throw new ProcExit(code >>> 0);
    },
  };
}
