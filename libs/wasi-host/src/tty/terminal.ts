// The terminal the line editor works on, as the guest's stdin and stdout see it. The editor gets
// descriptions of its own (reopened through /proc/self/fd): libuv makes the fds it streams over
// non-blocking, and the guest's own fds must stay blocking. Reading stops exactly when the editor
// is idle, so whatever the user types while the guest runs stays in the terminal for the guest.
import { closeSync, openSync } from 'node:fs';
import * as tty from 'node:tty';

/** Where the editor draws: knows its width and emits 'resize'. */
export type TerminalOutput = NodeJS.WritableStream & { columns?: number };

export interface Terminal {
  readonly output: TerminalOutput;
  /** Delivers the bytes typed from now on to `onData` (a view valid during the call only). */
  start(onData: (chunk: Uint8Array) => void): void;
  /** Stops reading; bytes not read yet stay in the terminal. */
  stop(): void;
  setRawMode(raw: boolean): void;
  /** Ctrl-Z: stops the process group as the terminal's own ^Z would; `resumed` runs on SIGCONT. */
  suspend(resumed: () => void): void;
  close(): void;
}

/** libuv reopens a terminal by name and dup2()s the new description onto the fd it was given,
 * streaming over the new one: then that fd is still ours to close. */
function streamFd(stream: tty.ReadStream | tty.WriteStream): number | undefined {
  return (stream as unknown as { _handle?: { fd?: number } })._handle?.fd;
}

function closeIfUnused(fd: number, stream: tty.ReadStream | tty.WriteStream): void {
  const used = streamFd(stream);
  if (used !== undefined && used !== fd) closeSync(fd);
}

/** The terminal behind the guest's stdin and stdout fds, or null unless both are terminals that
 * can be reopened (Linux /proc). */
export function openTerminal(stdinFd: number, stdoutFd: number): Terminal | null {
  if (!tty.isatty(stdinFd) || !tty.isatty(stdoutFd)) return null;
  let inFd: number;
  let outFd: number;
  try {
    inFd = openSync(`/proc/self/fd/${stdinFd}`, 'r');
  } catch {
    return null;
  }
  try {
    outFd = openSync(`/proc/self/fd/${stdoutFd}`, 'w');
  } catch {
    closeSync(inFd);
    return null;
  }
  let onData: ((chunk: Uint8Array) => void) | null = null;
  let input: tty.ReadStream;
  let output: tty.WriteStream;
  try {
    // With `onread`, pause() stops libuv's reads at once (a plain stream may read one more chunk).
    input = new tty.ReadStream(inFd, {
      onread: { buffer: Buffer.alloc(16 * 1024), callback: (n: number, buf: Uint8Array) => void onData?.(buf.subarray(0, n)) },
    } as ConstructorParameters<typeof tty.ReadStream>[1]);
  } catch {
    closeSync(inFd);
    closeSync(outFd);
    return null;
  }
  try {
    output = new tty.WriteStream(outFd);
  } catch {
    closeIfUnused(inFd, input);
    input.destroy();
    closeSync(outFd);
    return null;
  }
  // A terminal that goes away ends the guest's input, not pywasi.
  input.on('error', () => {});
  output.on('error', () => {});
  input.pause();
  // Only process.stdout/stderr follow SIGWINCH by themselves.
  const onResize = (): void => {
    const [columns, rows] = output.getWindowSize();
    output.columns = columns;
    output.rows = rows;
    output.emit('resize');
  };
  process.on('SIGWINCH', onResize);
  let closed = false;
  return {
    output,
    start(callback) {
      onData = callback;
      input.resume();
    },
    stop() {
      onData = null;
      input.pause();
    },
    setRawMode(raw) {
      if (!closed) input.setRawMode(raw);
    },
    suspend(resumed) {
      input.setRawMode(false);
      process.once('SIGCONT', () => {
        if (closed) return;
        input.setRawMode(true);
        resumed();
      });
      process.kill(0, 'SIGTSTP');
    },
    close() {
      if (closed) return;
      closed = true;
      onData = null;
      process.off('SIGWINCH', onResize);
      input.setRawMode(false);
      closeIfUnused(inFd, input);
      closeIfUnused(outFd, output);
      input.destroy();
      output.destroy();
    },
  };
}
