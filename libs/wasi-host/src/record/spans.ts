// The spans of guest memory one call reads or writes, as its shape (call-shapes.ts) names them.
// The recorder keeps one list for reads and one for writes and refills them on every call, so a
// call allocates no arrays or objects for its spans; the bytes go from guest memory straight into
// the log's batch (recorder.ts).

export class SpanList {
  private ptrs = new Uint32Array(16);
  private lens = new Uint32Array(16);
  /** How many spans the list holds. */
  count = 0;
  private memorySize = 0;

  /** Empties the list for a call, against the guest memory's size now. */
  reset(memorySize: number): void {
    this.count = 0;
    this.memorySize = memorySize;
  }

  /** A span [ptr, ptr + len) (i32 values taken as u32). One that is empty or leaves memory (the
   * call failed on it) is left out: the log keeps no bytes of it. */
  add(ptr: number, len: number): void {
    const p = ptr >>> 0;
    const n = len >>> 0;
    if (n === 0 || p + n > this.memorySize) return;
    if (this.count === this.ptrs.length) this.grow();
    this.ptrs[this.count] = p;
    this.lens[this.count] = n;
    this.count++;
  }

  ptr(i: number): number {
    return this.ptrs[i]!;
  }

  len(i: number): number {
    return this.lens[i]!;
  }

  /** Whether byte `at` lies in one of the spans (verifyWrites). */
  covers(at: number): boolean {
    for (let i = 0; i < this.count; i++) if (at >= this.ptrs[i]! && at < this.ptrs[i]! + this.lens[i]!) return true;
    return false;
  }

  private grow(): void {
    const ptrs = new Uint32Array(this.ptrs.length * 2);
    const lens = new Uint32Array(this.lens.length * 2);
    ptrs.set(this.ptrs);
    lens.set(this.lens);
    this.ptrs = ptrs;
    this.lens = lens;
  }
}
