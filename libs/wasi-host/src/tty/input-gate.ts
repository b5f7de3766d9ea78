// The input of one line's readline.Interface. Terminal bytes reach the Interface one piece at a
// time, each ending after the first key that can finish the line (Enter, Ctrl-C, Ctrl-D); what
// follows waits here. So when several lines arrive at once (a paste), the guest runs each line
// before the next is shown, as with native readline, which reads the terminal byte by byte.
import { EventEmitter } from 'node:events';

/** After the first \r, \n, ^C or ^D (never inside a UTF-8 sequence or an escape sequence). */
export function pieceEnd(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0d || b === 0x0a || b === 0x03 || b === 0x04) return i + 1;
  }
  return bytes.length;
}

export class InputGate extends EventEmitter {
  /** Read by readline.Interface (Ctrl-Z handling). */
  isRaw = false;
  readonly isTTY = true;
  private open = false;
  private scheduled = false;

  private readonly take: () => Uint8Array | null;
  private readonly rawMode: (raw: boolean) => void;

  /**
   * @param take the next piece of waiting input, or null when there is none (it is removed)
   * @param setRawMode the terminal's, called by the Interface on creation and close
   */
  constructor(
    take: () => Uint8Array | null,
    rawMode: (raw: boolean) => void,
  ) {
    super();
    this.take = take;
    this.rawMode = rawMode;
  }

  setRawMode(raw: boolean): this {
    this.rawMode(raw);
    this.isRaw = raw;
    return this;
  }

  /** The Interface pauses while it completes or once its line is done: input waits. */
  pause(): this {
    this.open = false;
    return this;
  }

  /** Feeds waiting input later (a microtask): the Interface resumes before it applies a
   * completion or draws its prompt, and that must come first. */
  resume(): this {
    this.open = true;
    this.pump();
    return this;
  }

  /** Call when input arrived. */
  pump(): void {
    if (this.scheduled || !this.open) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      while (this.open) {
        const piece = this.take();
        if (piece === null) break;
        this.emit('data', piece);
      }
    });
  }
}
