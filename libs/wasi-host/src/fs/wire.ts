// Preview1's file-system constants and the byte layouts of its records (filestat, fdstat, dirent).
import type { BigIntStats, Dirent, Stats } from 'node:fs';
import type { GuestMemory } from '../abi/guest-memory.ts';

export const Filetype = {
  UNKNOWN: 0,
  BLOCK_DEVICE: 1,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6,
  SYMBOLIC_LINK: 7,
} as const;

export const Oflags = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
export const Fdflags = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
export const LOOKUP_SYMLINK_FOLLOW = 1;
export const Fstflags = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
export const Whence = { SET: 0, CUR: 1, END: 2 } as const;

const bit = (n: number) => 1n << BigInt(n);
export const Rights = {
  FD_DATASYNC: bit(0),
  FD_READ: bit(1),
  FD_SEEK: bit(2),
  FD_FDSTAT_SET_FLAGS: bit(3),
  FD_SYNC: bit(4),
  FD_TELL: bit(5),
  FD_WRITE: bit(6),
  FD_ADVISE: bit(7),
  FD_ALLOCATE: bit(8),
  FD_READDIR: bit(14),
  FD_FILESTAT_GET: bit(21),
  FD_FILESTAT_SET_SIZE: bit(22),
  FD_FILESTAT_SET_TIMES: bit(23),
  POLL_FD_READWRITE: bit(27),
} as const;
/** Every right preview1 defines (bits 0..29). */
export const ALL_RIGHTS = bit(30) - 1n;
const R = Rights;
export const FILE_RIGHTS =
  R.FD_DATASYNC | R.FD_READ | R.FD_SEEK | R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC | R.FD_TELL | R.FD_WRITE | R.FD_ADVISE |
  R.FD_ALLOCATE | R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_SIZE | R.FD_FILESTAT_SET_TIMES | R.POLL_FD_READWRITE;
/** A terminal: wasi-libc's isatty() is "character device without seek/tell rights". */
export const TTY_RIGHTS = FILE_RIGHTS & ~(R.FD_SEEK | R.FD_TELL);
/** A pipe (an embedder's output sink): no position either. */
export const PIPE_RIGHTS = TTY_RIGHTS;
/** Directories: every path right plus readdir; no read/write of bytes. */
export const DIR_RIGHTS = ALL_RIGHTS & ~(R.FD_READ | R.FD_WRITE | R.FD_SEEK | R.FD_TELL | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE | bit(28) | bit(29));

export const FILESTAT_SIZE = 64;
export const FDSTAT_SIZE = 24;
export const DIRENT_SIZE = 24;

export function filetypeOf(st: Stats | BigIntStats | Dirent<string> | Dirent<Buffer>): number {
  if (st.isFile()) return Filetype.REGULAR_FILE;
  if (st.isDirectory()) return Filetype.DIRECTORY;
  if (st.isSymbolicLink()) return Filetype.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return Filetype.CHARACTER_DEVICE;
  if (st.isBlockDevice()) return Filetype.BLOCK_DEVICE;
  // FIFOs and sockets: preview1 has no FIFO type; wasi-libc reads SOCKET_STREAM as S_IFSOCK.
  if (st.isFIFO() || st.isSocket()) return Filetype.SOCKET_STREAM;
  return Filetype.UNKNOWN;
}

export interface FilestatRecord {
  dev: bigint;
  ino: bigint;
  filetype: number;
  nlink: bigint;
  size: bigint;
  atimNs: bigint;
  mtimNs: bigint;
  ctimNs: bigint;
}

export function filestatOf(st: BigIntStats): FilestatRecord {
  return { dev: st.dev, ino: st.ino, filetype: filetypeOf(st), nlink: st.nlink, size: st.size, atimNs: st.atimeNs, mtimNs: st.mtimeNs, ctimNs: st.ctimeNs };
}

/** `u64 dev @0, u64 ino @8, u8 filetype @16, u64 nlink @24, u64 size @32, u64 atim @40, mtim @48, ctim @56`. */
export function writeFilestat(mem: GuestMemory, ptr: number, s: FilestatRecord): void {
  mem.check(ptr, FILESTAT_SIZE, 'filestat');
  const v = mem.dataView();
  const p = ptr >>> 0;
  v.setBigUint64(p, s.dev, true);
  v.setBigUint64(p + 8, s.ino, true);
  v.setBigUint64(p + 16, BigInt(s.filetype), true); // the filetype byte and its padding
  v.setBigUint64(p + 24, s.nlink, true);
  v.setBigUint64(p + 32, s.size, true);
  v.setBigUint64(p + 40, s.atimNs, true);
  v.setBigUint64(p + 48, s.mtimNs, true);
  v.setBigUint64(p + 56, s.ctimNs, true);
}

/** `u8 filetype @0, u16 flags @2, u64 rights_base @8, u64 rights_inheriting @16`. */
export function writeFdstat(mem: GuestMemory, ptr: number, filetype: number, flags: number, base: bigint, inheriting: bigint): void {
  mem.check(ptr, FDSTAT_SIZE, 'fdstat');
  mem.write(ptr, new Uint8Array(FDSTAT_SIZE));
  mem.setU8(ptr, filetype);
  mem.setU16(ptr + 2, flags);
  mem.setU64(ptr + 8, base);
  mem.setU64(ptr + 16, inheriting);
}
