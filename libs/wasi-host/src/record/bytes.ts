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
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  /** An i64 argument, as the u64 of its bits. */
  u64(v: bigint): void {
    this.room(10);
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.buf[this.length++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.length++] = Number(x);
  }

  bytes(b: Uint8Array): void {
    this.uint(b.length);
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
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
