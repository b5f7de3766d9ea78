// The byte-level encoding of a run log's records: unsigned LEB128 integers (up to 64 bits) and
// length-prefixed byte strings, written into a buffer that grows, read back with bounds checks.

/** A log whose bytes do not decode: a checksum passed but the content is not what a writer makes. */
export class LogFormatError extends Error {
  override name = 'LogFormatError';
}

export class ByteWriter {
  private buf = new Uint8Array(64 * 1024);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v;
  }

  /** An unsigned integer below 2^53 (pointers, lengths, counts, i32 values as u32). */
  uint(v: number): void {
    this.room(8);
    // Most are one byte (counts, small results, outcomes): no division.
    if (v < 0x80) {
      this.buf[this.length++] = v;
      return;
    }
    // Below 2^32 (pointers, lengths, i32 values), shifts; above, division.
    if (v <= 0xffffffff) {
      while (v >= 0x80) {
        this.buf[this.length++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v >= 0x80) {
        this.buf[this.length++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
    }
    this.buf[this.length++] = v;
  }

  /** An i64 argument, as the u64 of its bits. */
  u64(v: bigint): void {
    // Most are small (a clock's precision, a seek offset): as a number. Others in two u32 halves,
    // with no BigInt arithmetic per byte.
    if (v >= 0n && v <= 0xffffffffn) return this.uint(Number(v));
    this.room(10);
    const x = BigInt.asUintN(64, v);
    let hi = Number(x >> 32n);
    let lo = Number(x & 0xffffffffn);
    while (hi !== 0 || lo >= 0x80) {
      this.buf[this.length++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.length++] = lo;
  }

  bytes(b: Uint8Array): void {
    this.uint(b.length);
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** `n` bytes of `from` at `start`, length-prefixed like bytes(): a few are copied one by one,
   * without the view a larger copy makes. */
  bytesOf(from: Uint8Array, start: number, n: number): void {
    this.uint(n);
    this.room(n);
    if (n <= 16) {
      for (let i = 0; i < n; i++) this.buf[this.length + i] = from[start + i]!;
    } else {
      this.buf.set(from.subarray(start, start + n), this.length);
    }
    this.length += n;
  }

  /** The bytes another writer holds, appended as they are. */
  append(other: ByteWriter): void {
    this.room(other.length);
    this.buf.set(other.buf.subarray(0, other.length), this.length);
    this.length += other.length;
  }

  /** The bytes written so far (a view: copy or use before writing on). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

export class ByteReader {
  pos = 0;
  private readonly b: Uint8Array;
  private readonly what: string;

  constructor(b: Uint8Array, what: string) {
    this.b = b;
    this.what = what;
  }

  get done(): boolean {
    return this.pos >= this.b.length;
  }

  private fail(): never {
    throw new LogFormatError(`${this.what}: a record runs past the end of its batch (the log was not written by this format's writer)`);
  }

  u8(): number {
    if (this.pos >= this.b.length) this.fail();
    return this.b[this.pos++]!;
  }

  uint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      v += (byte & 0x7f) * scale;
      if (!(byte & 0x80)) return v;
      scale *= 0x80;
      if (scale > 2 ** 56) this.fail();
    }
  }

  u64(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return BigInt.asIntN(64, v);
      shift += 7n;
      if (shift > 63n) this.fail();
    }
  }

  bytes(): Uint8Array {
    const n = this.uint();
    if (this.pos + n > this.b.length) this.fail();
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
