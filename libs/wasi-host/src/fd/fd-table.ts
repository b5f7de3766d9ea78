// The guest's one table of file descriptors: stdio, files, directories, devices and sockets share
// one number space, handed out lowest-free first as POSIX does, and the table is not capped at
// 1,024. Each number refers to a Descriptor (descriptor.ts), one class per kind.
import type { Descriptor } from './descriptor.ts';

export const FD_LIMIT = 1 << 16;

/**
 * fd numbers → open file descriptions. An entry is what POSIX calls an open file description:
 * `dup` puts the same entry at a second number, so the two share its offset, flags and socket
 * state; it is closed when the last number referring to it is (`delete` says when).
 */
export class FdTable {
  private readonly entries: (Descriptor | undefined)[] = [];
  /** How many numbers refer to each entry (1 when absent). */
  private readonly shared = new Map<Descriptor, number>();
  private lowest = 0;
  private readonly endHooks: (() => void)[] = [];

  private readonly limit: number;

  /** `limit`: the most fds open at once (at most FD_LIMIT). */
  constructor(limit = FD_LIMIT) {
    this.limit = limit;}

  /** Runs `fn` when the guest has ended (closeAllFiles). */
  atEnd(fn: () => void): void {
    this.endHooks.push(fn);
  }

  end(): void {
    for (const fn of this.endHooks.splice(0)) fn();
  }

  get(fd: number): Descriptor | undefined {
    return this.entries[fd >>> 0];
  }

  /** The lowest free fd, or -1 when FD_LIMIT fds are open. */
  lowestFree(): number {
    let fd = this.lowest;
    while (fd < this.entries.length && this.entries[fd] !== undefined) fd++;
    this.lowest = fd;
    return fd < this.limit ? fd : -1;
  }

  /** The lowest free fd not below `min`, or -1 when there is none below FD_LIMIT. */
  lowestFreeFrom(min: number): number {
    if (min <= this.lowest) return this.lowestFree();
    let fd = min;
    while (fd < this.entries.length && this.entries[fd] !== undefined) fd++;
    return fd < this.limit ? fd : -1;
  }

  /** Puts `entry` at the lowest free fd; -1 when the table is full. */
  add(entry: Descriptor): number {
    const fd = this.lowestFree();
    if (fd >= 0) this.entries[fd] = entry;
    return fd;
  }

  /** Puts one of the guest's first fds (stdio, the preopen) in place, at start. A table that
   * threads share (threads/shared-fd-table.ts) keeps each thread's own objects of them. */
  initial(fd: number, entry: Descriptor): void {
    this.set(fd, entry);
  }

  /** Puts a new entry at a free fd. */
  set(fd: number, entry: Descriptor): void {
    if (this.entries[fd] !== undefined) throw new Error(`fd ${fd} is in use`);
    this.entries[fd] = entry;
  }

  /** Puts the entry at `fd` also at the lowest free fd not below `min` (dup); -1 when none is free. */
  dup(fd: number, min: number): number {
    const entry = this.entries[fd];
    if (!entry) throw new Error(`fd ${fd} is not open`);
    const to = this.lowestFreeFrom(min);
    if (to < 0) return -1;
    this.entries[to] = entry;
    this.shared.set(entry, (this.shared.get(entry) ?? 1) + 1);
    return to;
  }

  /** Moves the entry at `from` to the free number `to` (fd_renumber, once `to` is freed). */
  move(from: number, to: number): void {
    const entry = this.entries[from];
    if (!entry || this.entries[to] !== undefined) throw new Error(`cannot move fd ${from} to ${to}`);
    this.entries[to] = entry;
    this.entries[from] = undefined;
    if (from < this.lowest) this.lowest = from;
    while (this.entries.length && this.entries[this.entries.length - 1] === undefined) this.entries.pop();
  }

  /** Frees `fd`; returns its entry when no other fd refers to it any more (the caller closes it),
   * else null. */
  delete(fd: number): Descriptor | null {
    const entry = this.entries[fd];
    if (!entry) return null;
    this.entries[fd] = undefined;
    if (fd < this.lowest) this.lowest = fd;
    while (this.entries.length && this.entries[this.entries.length - 1] === undefined) this.entries.pop();
    const refs = this.shared.get(entry);
    if (refs === undefined) return entry;
    if (refs === 2) this.shared.delete(entry);
    else this.shared.set(entry, refs - 1);
    return null;
  }

  /** Every open entry once, for closing host fds when the guest ends. */
  *[Symbol.iterator](): IterableIterator<[number, Descriptor]> {
    const seen = new Set<Descriptor>();
    for (let fd = 0; fd < this.entries.length; fd++) {
      const e = this.entries[fd];
      if (e && !seen.has(e)) {
        seen.add(e);
        yield [fd, e];
      }
    }
  }
}
