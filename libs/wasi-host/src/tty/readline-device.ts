// /dev/pywasi-readline: the guest's line editor, as a character device. The guest (python.wasm's
// Lib/readline.py, libs/cpython/patches/0004) writes a request, then reads the reply; the editing
// itself happens on the event-loop thread (readline-service.ts, Node's readline on the terminal).
// The host offers the device only when the guest's stdin and stdout are terminals; elsewhere
// (other hosts, pipes) opening it fails with ENOENT and the guest runs without line editing.
//
// Protocol. Every message is one kind letter and a UTF-8 payload; "\0" separates fields, and each
// item of a list ends with "\0". Each write() is one whole request; it returns when the reply is
// ready. The guest then reads the reply until a read returns less than it asked for (possibly 0).
//
//   guest writes                   host replies
//   G                              H<entry>\0...     hello: the history saved by the host, oldest first
//   P<t><prompt>\0<preset>         L<line>           a line (without its newline)
//                                  E                 end of input (Ctrl-D on an empty line)
//                                  I                 interrupted (Ctrl-C): KeyboardInterrupt
//                                  C<before>\0<after>  Tab: complete the word ending at the cursor;
//                                                    the line is before+after, the cursor between
//   M<text>\0<match>\0...          (as for P)        answers C: the word completed (the end of
//                                                    <before>) and its candidates, in display order
//   A<entry>                       K                 appends a history entry
//   H<entry>\0...                  K                 replaces the whole history
//
// <t> is 'c' when Tab completes (readline's "tab: complete") and 't' when it inserts a tab; the line
// starts as <preset> (insert_text() in a startup hook). Up/Down walk the history as last sent by
// the guest. A request that breaks these rules fails with EINVAL (EMSGSIZE over 4 MiB); M is valid
// only right after a C reply. On its way, the device puts what the guest last wrote to its
// terminal without finishing the line in front of the prompt (line-tail.ts).
import type { GuestChannel } from '../channel/channel.ts';
import { Ops } from '../channel/ops.ts';
import { Errno, WasiError, type GuestDevice } from '../fs/device.ts';
import type { LineTail } from './line-tail.ts';

export const READLINE_DEVICE_PATH = '/dev/pywasi-readline';

/** What the device needs of the guest's end of the channel. */
export type ReadlineChannel = Pick<GuestChannel, 'sync' | 'call' | 'data'>;

const PROMPT = 0x50; // 'P'

/** One device per open(): a request travels to the event loop as Ops.readline (its bytes in
 * `data`); the reply comes back in `data` and is read from here.
 * `lineTail` sees the guest's terminal output (without it, prompts start at column 0). */
export function createReadlineDevice(channel: ReadlineChannel, lineTail?: LineTail): GuestDevice {
  let reply: Buffer | null = null;
  let offset = 0;
  return {
    write(src) {
      reply = null;
      if (src.length === 0) return 0;
      let message: Uint8Array = src;
      const tail = src[0] === PROMPT && src.length >= 2 ? lineTail?.take() : undefined;
      if (tail) message = Buffer.concat([src.subarray(0, 2), Buffer.from(tail), src.subarray(2)]);
      if (message.length > channel.data.length) throw new WasiError(Errno.MSGSIZE);
      channel.sync(); // a posted socket request may still be using the buffers
      channel.data.set(message, 0);
      const [errno, got] = channel.call(Ops.readline, { len: message.length });
      if (errno) throw new WasiError(errno);
      // A copy: the next channel call reuses `data`.
      reply = Buffer.from(channel.data.subarray(0, got.len));
      offset = 0;
      return src.length;
    },
    read(dest) {
      if (reply === null) return 0;
      const n = reply.copy(dest, 0, offset);
      offset += n;
      if (n < dest.length) reply = null; // a short read ends the reply
      return n;
    },
  };
}
