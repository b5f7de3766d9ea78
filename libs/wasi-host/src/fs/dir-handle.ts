// A host directory held open, the fixed point from which guest paths are resolved without a race.
//
// Node has no openat. Linux gives the same thing through procfs: in `/proc/<pid>/fd/<N>/name`,
// the kernel jumps to the very directory fd N holds (a "magic link": no path is looked up again)
// and looks `name` up in it. So a host call given `handle.at(name)` acts on `name` inside that
// directory, wherever it now is, whatever anyone renamed or swapped since: with no-follow
// semantics (O_NOFOLLOW, lstat, unlink, rename, mkdir, readlink...) nothing outside can be reached.
// Handles are opened with O_PATH: no read permission is needed, so directories with search
// permission only are walkable, as on Linux.
import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync } from 'node:fs';

/** Linux's O_PATH (the same on x86-64 and arm64); Node does not export it. */
export const O_PATH = 0o10000000;
/** Opens a directory as a handle; the last component is never followed. */
export const DIR_HANDLE_FLAGS = O_PATH | constants.O_DIRECTORY | constants.O_NOFOLLOW;

const PROC_FD = `/proc/${process.pid}/fd/`;

export class DirHandle {
  private refs = 1;

  readonly fd: number;

  private constructor(fd: number) {
    this.fd = fd;}

  /** Opens `path` (its last component not followed) as a handle; throws Node's error. */
  static open(path: string): DirHandle {
    return new DirHandle(openSync(path, DIR_HANDLE_FLAGS));
  }

  /** A path naming `name` inside this directory only (see the top of this file). */
  at(name: string): string {
    return PROC_FD + this.fd + '/' + name;
  }

  /** The directory itself, for calls that follow their last component (stat, opendir, utimes). */
  get self(): string {
    return PROC_FD + this.fd;
  }

  /** Where the directory is now, as the kernel names it (the path through real directories, never
   * a symlink); it ends with " (deleted)" once removed. */
  whereNow(): string {
    return readlinkSync(this.self);
  }

  isDirectory(): boolean {
    return fstatSync(this.fd).isDirectory();
  }

  retain(): this {
    this.refs++;
    return this;
  }

  /** Closes the host fd when the last holder lets go. */
  release(): void {
    if (--this.refs === 0) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
    }
  }
}

let problem: string | null | undefined;

/**
 * Why this system cannot resolve `/proc/<pid>/fd/<N>/name` as described above, or null when it can
 * (Linux with /proc mounted). Without it pywasi would confine nothing: mounts refuse to be made
 * rather than run unconfined (macOS, a chroot without /proc).
 */
export function procFdProblem(): string | null {
  if (problem === undefined) {
    let works = false;
    try {
      const h = DirHandle.open('/');
      try {
        works = h.whereNow() === '/' && h.isDirectory() && lstatSync(h.at('.')).isDirectory();
      } finally {
        h.release();
      }
    } catch {
      works = false;
    }
    problem = works
      ? null
      : `pywasi confines the guest's paths through ${PROC_FD.slice(0, -1)}, which this system does not provide ` +
        '(Linux with /proc mounted is needed): no directory can be mounted here';
  }
  return problem;
}
