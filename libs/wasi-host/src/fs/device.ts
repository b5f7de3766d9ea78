// A synthetic character device in the guest's filesystem (e.g. /dev/null, or a host service the
// guest talks to through open/read/write). Devices live in the host's mount table, so they exist
// only on hosts that provide them: a guest that opens one elsewhere gets ENOENT and falls back.
import { Errno } from '../errno.ts';

export interface GuestDevice {
  /** Fills `dest` (its length is the guest's request); returns the count, 0 at end of input.
   * Throws WasiError for an errno. Called on the guest thread; it may block. */
  read(dest: Uint8Array): number;
  /** Takes `src`; returns the count accepted. Throws WasiError for an errno. */
  write(src: Uint8Array): number;
  /** The guest closed its last fd of the device. */
  close?(): void;
}

/** A failed WASI call: the errno it answers. Thrown inside the host's own implementations. */
export class WasiError extends Error {
  readonly errno: number;

  constructor(errno: number) {
    super(`WASI errno ${errno}`);
    this.errno = errno;
  }
}

/** /dev/null: reads end at once, writes vanish. */
export const nullDevice = (): GuestDevice => ({ read: () => 0, write: (src) => src.length });

export { Errno };
