// The preview1 file-system calls, implemented by the host over Node's fs with its own fd table
// (fd/) and path resolution (resolve.ts) instead of node:wasi's uvwasi, which does not confine
// paths: a symlink inside a pre-opened directory led anywhere on the host. This file assembles
// them: the guest's first fds (stdio and "/"), the fd calls (fd/calls.ts), the path calls
// (path-calls.ts), and the end of each call, which lets go of the directory handles it used.
import type { GuestMemory } from '../abi/guest-memory.ts';
import type { HostFn } from '../host-call.ts';
import { createFdCalls } from '../fd/calls.ts';
import { Directory } from '../fd/directory.ts';
import type { FdTable } from '../fd/fd-table.ts';
import { Sink, Stdio } from '../fd/stdio.ts';
import type { MountTable } from './mounts.ts';
import { createPathCalls } from './path-calls.ts';
import { PathResolver } from './resolve.ts';
import type { InterruptFlag } from '../interrupts.ts';

export interface WasiFsOptions {
  memory: GuestMemory;
  mounts: MountTable;
  fds: FdTable;
  /** Host fds for the guest's 0, 1, 2, or sinks for 1 and 2. */
  stdio: [number, StdioTarget, StdioTarget];
  /** What the guest thread sleeps on while a call blocks; an interrupt raises it (interrupts.ts). */
  interrupts: InterruptFlag;
  /** Sees what the guest wrote to a terminal (the line editor keeps the last line's tail). */
  onTerminalWrite?: (bytes: Uint8Array) => void;
  /** Resolves the guest's paths (default: a PathResolver of `mounts`; the escape tests pass a
   * control). Closed by closeAllFiles. */
  resolver?: PathResolver;
}

/** Where the guest's stdout or stderr goes: a host fd, or a function that takes each write. */
export type StdioTarget = number | { sink: (bytes: Uint8Array) => void };

export function createWasiFs(opts: WasiFsOptions): Record<string, HostFn> {
  const { memory: mem, mounts, fds } = opts;
  const resolver = opts.resolver ?? new PathResolver(mounts);
  const io = { mem, interrupts: opts.interrupts };
  const stdio = (target: StdioTarget) => (typeof target === 'number' ? new Stdio(io, target, opts.onTerminalWrite) : new Sink(io, target.sink));
  const [in0, out1, err2] = opts.stdio;
  fds.initial(0, stdio(in0));
  fds.initial(1, stdio(out1));
  fds.initial(2, stdio(err2));
  fds.initial(3, new Directory(resolver, resolver.rootLocation() as Directory['loc'], '/'));

  const fdCalls = createFdCalls(mem, fds, opts.interrupts);
  // The calls that resolve paths (every path call, and fd_readdir for the tree's entries in a
  // listing) let go of the directory handles they were resolved through when they end; the other fd
  // calls, reads and writes among them, resolve nothing and are not wrapped.
  const resolving: Record<string, HostFn> = { ...createPathCalls(mem, io, fds, mounts, resolver), fd_readdir: fdCalls['fd_readdir']! };
  for (const [name, fn] of Object.entries(resolving)) {
    resolving[name] = (...args: Parameters<HostFn>) => {
      try {
        return fn(...args);
      } finally {
        resolver.endCall();
      }
    };
  }
  fds.atEnd(() => resolver.close());
  return { ...fdCalls, ...resolving };
}

/** Closes every descriptor the guest left open (each once, whatever its number of fds), and the
 * directory handles of its file system. */
export function closeAllFiles(fds: FdTable): void {
  for (const [, d] of fds) {
    // Host fds and directory handles; sockets end with the event loop that serves them, and
    // devices with the services behind them.
    if (d.kind !== 'file' && d.kind !== 'stream' && d.kind !== 'directory') continue;
    try {
      d.close();
    } catch {
      // already closed
    }
  }
  fds.end();
}
