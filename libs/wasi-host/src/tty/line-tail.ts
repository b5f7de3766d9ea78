// What the guest wrote to its terminal since the last line break (print("Name: ", end="") before
// input()). The line editor draws it as the start of the prompt: Node's readline redraws a line
// from column 0, and would otherwise erase it, where GNU readline leaves it in place.

/** Longer unfinished lines are not redrawn (the editor then starts at column 0). */
const MAX_BYTES = 4096;

export class LineTail {
  private bytes: Buffer = Buffer.alloc(0);
  private tooLong = false;

  /** Bytes the guest wrote to a terminal (stdout or stderr). */
  note(chunk: Uint8Array): void {
    let start = -1;
    for (let i = chunk.length - 1; i >= 0; i--) {
      if (chunk[i] === 0x0a || chunk[i] === 0x0d) {
        start = i + 1;
        break;
      }
    }
    if (start >= 0) {
      this.bytes = Buffer.from(chunk.subarray(start));
      this.tooLong = false;
    } else if (!this.tooLong) {
      this.bytes = Buffer.concat([this.bytes, chunk]);
    }
    if (this.bytes.length > MAX_BYTES) {
      this.tooLong = true;
      this.bytes = Buffer.alloc(0);
    }
  }

  /** The unfinished line, then forgets it: the editor ends its line with a line break. */
  take(): string {
    const text = this.tooLong ? '' : this.bytes.toString('utf8');
    this.bytes = Buffer.alloc(0);
    this.tooLong = false;
    return text;
  }
}
