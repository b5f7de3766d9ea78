// Bounds-checked access to the guest's linear memory. Every accessor throws `GuestFault` when a
// pointer/length leaves the memory; host calls catch it and answer EFAULT. The views are refreshed
// whenever memory.grow() has replaced the buffer.

export class GuestFault extends Error {
  constructor(what: string) {
    super(`guest pointer out of bounds: ${what}`);
  }
}

export interface IoVec {
  ptr: number;
  len: number;
}

export class GuestMemory {
  private buffer: ArrayBuffer | null = null;
  private shared = false;
  private view!: DataView;
  private u8!: Uint8Array;

  private readonly memory: () => WebAssembly.Memory;

  constructor(memory: () => WebAssembly.Memory) {
    this.memory = memory;}

  private refresh(): void {
    // Growing a memory detaches its old ArrayBuffer (byteLength 0 from then on): until that, the
    // views are current without asking the memory for its buffer (an API call) on every host call.
    // A shared memory's buffer never detaches, and only grows (another thread may grow it): the
    // views stay good for what they cover, and a range past them asks again (check, size).
    if (this.buffer !== null && (this.shared || this.buffer.byteLength !== 0)) return;
    this.renew();
  }

  private renew(): void {
    const buf = this.memory().buffer as ArrayBuffer;
    if (buf !== this.buffer) {
      this.buffer = buf;
      this.shared = typeof SharedArrayBuffer !== 'undefined' && (buf as unknown) instanceof SharedArrayBuffer;
      this.view = new DataView(buf);
      this.u8 = new Uint8Array(buf);
    }
  }

  /** The whole memory as bytes, for a caller that checked its ranges first (hot paths). */
  wholeBytes(): Uint8Array {
    this.refresh();
    return this.u8;
  }

  get size(): number {
    this.refresh();
    if (this.shared) this.renew();
    return this.u8.length;
  }

  /** Throws unless [ptr, ptr+len) lies inside memory. Pointers are u32 (the i32 param is signed). */
  check(ptr: number, len: number, what = 'buffer'): void {
    this.refresh();
    const p = ptr >>> 0;
    if (len < 0 || !Number.isFinite(len)) throw new GuestFault(what);
    if (p + len > this.u8.length) {
      if (this.shared) this.renew(); // another thread may have grown it
      if (p + len > this.u8.length) throw new GuestFault(what);
    }
  }

  /** The whole memory as a DataView, for a caller that checked its range first (hot paths). */
  dataView(): DataView {
    this.refresh();
    return this.view;
  }

  bytes(ptr: number, len: number): Uint8Array {
    this.check(ptr, len);
    return this.u8.subarray(ptr >>> 0, (ptr >>> 0) + len);
  }

  u8At(ptr: number): number {
    this.check(ptr, 1);
    return this.view.getUint8(ptr >>> 0);
  }
  u16(ptr: number): number {
    this.check(ptr, 2);
    return this.view.getUint16(ptr >>> 0, true);
  }
  u32(ptr: number): number {
    this.check(ptr, 4);
    return this.view.getUint32(ptr >>> 0, true);
  }
  u64(ptr: number): bigint {
    this.check(ptr, 8);
    return this.view.getBigUint64(ptr >>> 0, true);
  }
  setU8(ptr: number, v: number): void {
    this.check(ptr, 1);
    this.view.setUint8(ptr >>> 0, v);
  }
  setU16(ptr: number, v: number): void {
    this.check(ptr, 2);
    this.view.setUint16(ptr >>> 0, v, true);
  }
  setU32(ptr: number, v: number): void {
    this.check(ptr, 4);
    this.view.setUint32(ptr >>> 0, v >>> 0, true);
  }
  setU64(ptr: number, v: bigint): void {
    this.check(ptr, 8);
    this.view.setBigUint64(ptr >>> 0, BigInt.asUintN(64, v), true);
  }
  write(ptr: number, data: Uint8Array): void {
    this.check(ptr, data.length);
    this.u8.set(data, ptr >>> 0);
  }

  /** Reads an iovec/ciovec array (`{u32 buf, u32 buf_len}` × n), checking every buffer. */
  iovecs(ptr: number, count: number): IoVec[] {
    const n = count >>> 0;
    this.check(ptr, n * 8, 'iovec array');
    const out: IoVec[] = [];
    for (let i = 0; i < n; i++) {
      const base = (ptr >>> 0) + i * 8;
      const iov = { ptr: this.view.getUint32(base, true), len: this.view.getUint32(base + 4, true) };
      this.check(iov.ptr, iov.len, 'iovec buffer');
      out.push(iov);
    }
    return out;
  }

  /** Copies the iovecs' contents (up to `max` bytes) into `dest`; returns the count copied. The
   * iovecs may come from another GuestMemory of the same memory (fd_read's, for a socket): each
   * range is checked here, which renews a shared memory's views that another thread's growth left
   * short (a short view would copy fewer bytes than counted, or throw). */
  gather(iovs: IoVec[], dest: Uint8Array, max = dest.length): number {
    let off = 0;
    for (const iov of iovs) {
      if (off >= max) break;
      const n = Math.min(iov.len, max - off);
      this.check(iov.ptr, n, 'iovec buffer');
      dest.set(this.u8.subarray(iov.ptr, iov.ptr + n), off);
      off += n;
    }
    return off;
  }

  /** Spreads `src` over the iovecs; returns the count copied. Each range is checked, as in gather. */
  scatter(iovs: IoVec[], src: Uint8Array): number {
    let off = 0;
    for (const iov of iovs) {
      if (off >= src.length) break;
      const n = Math.min(iov.len, src.length - off);
      this.check(iov.ptr, n, 'iovec buffer');
      this.u8.set(src.subarray(off, off + n), iov.ptr);
      off += n;
    }
    return off;
  }

  /** Reads a UTF-8 string of exactly `len` bytes, stopping at the first NUL. */
  string(ptr: number, len: number): string {
    const b = this.bytes(ptr, len);
    const nul = b.indexOf(0);
    return Buffer.from(b.buffer, b.byteOffset, nul >= 0 ? nul : b.length).toString('utf8');
  }
}

export function totalLength(iovs: IoVec[]): number {
  let n = 0;
  for (const iov of iovs) n += iov.len;
  return n;
}
