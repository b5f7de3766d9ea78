// Every host call the guest can make is wrapped here: whatever the guest passes, the call answers
// an errno and never lets a host exception escape into the guest's frames. The one exception is
// ProcExit, which must unwind the guest to the caller of `_start`.
import { Errno, fsErrnoFromNode } from './errno.ts';
import { WasiError } from './fs/device.ts';
import { GuestFault } from './abi/guest-memory.ts';

// Preview1 passes i32 as number and i64 as bigint.
export type HostFn = (...args: any[]) => number;

/** Guest calls begun on this thread through guarded imports. */
let calls = 0;

/** The serial number of the guest call running now: a call can tell whether another came between
 * it and an earlier one (wasi-fs serves an fstat from the open just before). */
export const hostCallSerial = (): number => calls;

/** GuestFault → EFAULT, WasiError → its errno, a Node fs error → its errno, other errors → EIO
 * (EINVAL for argument errors); anything that is not an Error (ProcExit) passes. */
export function guard(fn: HostFn): HostFn {
  // Fixed parameters, not a rest array: these run on every guest call (preview1 calls take at most
  // 9 arguments; missing ones arrive as undefined and are never read).
  return (a, b, c, d, e, f, g, h, i) => {
    calls++;
    try {
      return fn(a, b, c, d, e, f, g, h, i);
    } catch (err) {
      return errnoOf(err);
    }
  };
}

function errnoOf(e: unknown): number {
  if (e instanceof WasiError) return e.errno;
  if (e instanceof GuestFault) return Errno.FAULT;
  if (e instanceof Error) {
    if (typeof (e as { code?: unknown }).code === 'string') return fsErrnoFromNode(e);
    return e instanceof RangeError || e instanceof TypeError ? Errno.INVAL : Errno.IO;
  }
  throw e;
}

export function guardAll(imports: Record<string, HostFn>): Record<string, HostFn> {
  const out: Record<string, HostFn> = {};
  for (const [name, fn] of Object.entries(imports)) out[name] = guard(fn);
  return out;
}
