// Which guest fds are the run's stdout and stderr, followed through the log's own calls: a dup
// (path_open of /dev/pywasi-dup/<fd>/<lowest>, wasi-libc's patch 0011), fd_renumber and fd_close.
// Replay writes out what the guest wrote to them; trace labels them.
import type { CallRecord } from './format.ts';

const DUP_PATH = /^\/?dev\/pywasi-dup\/(\d{1,10})\/\d{1,10}$/;

export class OutputFds {
  /** guest fd → 1 (stdout) or 2 (stderr) */
  private readonly fds = new Map<number, 1 | 2>([[1, 1], [2, 2]]);

  /** The stream a write to `fd` goes to, if any. */
  stream(fd: number): 1 | 2 | undefined {
    return this.fds.get(fd >>> 0);
  }

  /** Follows a completed call. */
  note(name: string, r: CallRecord): void {
    if (r.outcome !== 0 || r.value !== 0) return;
    const a = r.args as number[];
    if (name === 'fd_close') this.fds.delete(a[0]! >>> 0);
    else if (name === 'fd_renumber') {
      const from = this.fds.get(a[0]! >>> 0);
      this.fds.delete(a[0]! >>> 0);
      if (from) this.fds.set(a[1]! >>> 0, from);
      else this.fds.delete(a[1]! >>> 0);
    } else if (name === 'path_open' || name === 'sock_open' || name === 'sock_accept') {
      const out = r.writes.at(-1);
      if (!out || out.bytes.length !== 4) return;
      const fd = Buffer.from(out.bytes).readUInt32LE(0);
      this.fds.delete(fd);
      const path = name === 'path_open' ? r.reads[0] : undefined;
      const dup = path && DUP_PATH.exec(Buffer.from(path.bytes).toString('utf8'));
      const of = dup ? this.fds.get(Number(dup[1])) : undefined;
      if (of) this.fds.set(fd, of);
    }
  }
}
