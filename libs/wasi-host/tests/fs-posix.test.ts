// The preview1 file calls of src/fs/wasi-fs.ts against a real temp dir, called as the guest would
// (through guardAll, so every answer is an errno): the Linux semantics CPython's test_os,
// test_shutil and test_pathlib found missing. No wasm: the calls get a bare memory.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, writeSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { Errno } from '../src/errno.ts';
import { nullDevice } from '../src/fs/device.ts';
import { FdTable } from '../src/fd/fd-table.ts';
import { MountTable } from '../src/fs/mounts.ts';
import { createWasiFs } from '../src/fs/wasi-fs.ts';
import { Fdflags, Filetype, Fstflags, LOOKUP_SYMLINK_FOLLOW, Oflags, Rights, FILE_RIGHTS, Whence } from '../src/fs/wire.ts';
import { GuestMemory } from '../src/abi/guest-memory.ts';
import { guardAll, type HostFn } from '../src/host-call.ts';
import { InterruptFlag } from '../src/interrupts.ts';

const ROOT_FD = 3; // the preopen "/" (wasi-fs.ts)
const SCRATCH = 1024; // where path strings go
const OUT = 64; // result slots
const IOV = 256;
const DATA = 8192;
const READ_RIGHTS = Rights.FD_READ | Rights.FD_SEEK | Rights.FD_TELL | Rights.FD_FILESTAT_GET | Rights.FD_READDIR;

const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'pywasi-fs-posix-')));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let dir = ''; // host dir of this test, mounted at /w
let memory: WebAssembly.Memory;
let mem: GuestMemory;
let call: Record<string, HostFn>;

beforeEach(() => {
  dir = mkdtempSync(path.join(base, 't-'));
  memory = new WebAssembly.Memory({ initial: 2 });
  mem = new GuestMemory(() => memory);
  const mounts = new MountTable([{ guest: '/w', host: dir }], { '/dev/null': nullDevice });
  call = guardAll(createWasiFs({ memory: mem, mounts, fds: new FdTable(), stdio: [0, 1, 2], interrupts: new InterruptFlag() }));
});

const name = (n: number): string => Object.entries(Errno).find(([, v]) => v === n)?.[0] ?? String(n);
const host = (p: string): string => path.join(dir, p);

/** Puts a guest path (relative ones under /w) in memory: [ptr, len]. A call's second string goes
 * after the first (str2). */
function str(p: string, at = SCRATCH): [number, number] {
  const b = Buffer.from(p.startsWith('/') ? p : `/w/${p}`);
  mem.write(at, b);
  return [at, b.length];
}
const str2 = (p: string): [number, number] => str(p, SCRATCH + 2048);

function open(p: string, oflags = 0, rights = READ_RIGHTS, fdflags = 0, follow = true): { errno: string; fd: number } {
  const errno = call['path_open']!(ROOT_FD, follow ? LOOKUP_SYMLINK_FOLLOW : 0, ...str(p), oflags, rights, rights, fdflags, OUT);
  return { errno: name(errno), fd: errno === 0 ? mem.u32(OUT) : -1 };
}
const openOk = (p: string, oflags = 0, rights = READ_RIGHTS, fdflags = 0): number => {
  const r = open(p, oflags, rights, fdflags);
  expect(r.errno).toBe('SUCCESS');
  return r.fd;
};
const WRITE = FILE_RIGHTS; // read, write, seek...
const WRITE_ONLY = FILE_RIGHTS & ~Rights.FD_READ;

function write(fd: number, text: string): string {
  const b = Buffer.from(text);
  mem.write(DATA, b);
  mem.setU32(IOV, DATA);
  mem.setU32(IOV + 4, b.length);
  return name(call['fd_write']!(fd, IOV, 1, OUT));
}
function seek(fd: number, offset: bigint, whence: number): { errno: string; pos: bigint } {
  const errno = call['fd_seek']!(fd, offset, whence, OUT);
  return { errno: name(errno), pos: errno === 0 ? mem.u64(OUT) : -1n };
}
const errnoOf = (fn: string, ...args: unknown[]): string => name(call[fn]!(...args));

/** d_ino and name of every entry fd_readdir returns, read through a small buffer (many calls). */
function readdir(fd: number): Map<string, { ino: bigint; type: number }> {
  const out = new Map<string, { ino: bigint; type: number }>();
  let cookie = 0n;
  for (;;) {
    const bufLen = 200; // smaller than two entries: exercises cookies and partial records
    expect(call['fd_readdir']!(fd, DATA, bufLen, cookie, OUT)).toBe(0);
    const used = mem.u32(OUT);
    let at = 0;
    let progressed = false;
    while (at + 24 <= used) {
      const namlen = mem.u32(DATA + at + 16);
      if (at + 24 + namlen > used) break;
      const next = mem.u64(DATA + at);
      out.set(Buffer.from(mem.bytes(DATA + at + 24, namlen)).toString(), { ino: mem.u64(DATA + at + 8), type: mem.u8At(DATA + at + 20) });
      cookie = next;
      at += 24 + namlen;
      progressed = true;
    }
    if (used < bufLen) return out;
    expect(progressed).toBe(true);
  }
}

describe('readdir', () => {
  test('d_ino: 0 ("unknown") for host entries and dots, whose inodes would cost an lstat each', () => {
    writeFileSync(host('f'), 'x');
    mkdirSync(host('d'));
    symlinkSync('f', host('lf'));
    for (let i = 0; i < 40; i++) writeFileSync(host(`n${'x'.repeat(60)}${i}`), '');
    const fd = openOk('', Oflags.DIRECTORY);
    const entries = readdir(fd);
    expect(entries.size).toBe(45); // 43 + "." + ".."
    for (const n of ['f', 'd', 'lf', 'n' + 'x'.repeat(60) + '7']) expect(entries.get(n)?.ino).toBe(0n);
    expect(entries.get('.')?.ino).toBe(0n);
    expect(entries.get('lf')?.type).toBe(Filetype.SYMBOLIC_LINK);
  });

  test('mount points and devices in a synthetic directory carry the ino a stat of them gives', () => {
    const fd = openOk('../dev', Oflags.DIRECTORY);
    expect(call['path_filestat_get']!(fd, 0, ...str('/dev/null'), DATA)).toBe(0);
    const ino = mem.u64(DATA + 8);
    expect(readdir(fd).get('null')?.ino).toBe(ino);
    const root = openOk('..', Oflags.DIRECTORY);
    expect(readdir(root).get('w')?.ino).toBe(BigInt(statSync(dir).ino));
  });
});

describe('timestamps', () => {
  const stamps = (p: string) => statSync(host(p), { bigint: true });

  test('explicit times arrive to the nanosecond (libuv would make 1.002003 s 1.002002999 s)', () => {
    writeFileSync(host('f'), '');
    // Microsecond multiples: exact on Node 20 too, whose libuv keeps microseconds.
    expect(call['path_filestat_set_times']!(ROOT_FD, 0, ...str('f'), 1_002_003_000n, 2_003_004_000n, Fstflags.ATIM | Fstflags.MTIM)).toBe(0);
    expect([stamps('f').atimeNs, stamps('f').mtimeNs]).toEqual([1_002_003_000n, 2_003_004_000n]);
  });

  test('an omitted time stays exactly as it was; NOW is the clock that stamps writes', () => {
    writeFileSync(host('f'), '');
    utimesSync(host('f'), 5.000123, 7.000456);
    const before = stamps('f').mtimeNs;
    expect(call['path_filestat_set_times']!(ROOT_FD, 0, ...str('f'), 9_000_000_000n, 0n, Fstflags.ATIM)).toBe(0);
    expect(stamps('f').atimeNs).toBe(9_000_000_000n);
    expect(stamps('f').mtimeNs).toBe(before);
    const fd = openOk('f', 0, WRITE);
    const t0 = BigInt(Date.now() - 2000) * 1_000_000n;
    expect(call['fd_filestat_set_times']!(fd, 0n, 0n, Fstflags.MTIM_NOW)).toBe(0);
    expect(stamps('f').mtimeNs).toBeGreaterThan(t0);
    expect(stamps('f').atimeNs).toBe(9_000_000_000n);
  });
});

describe('open', () => {
  test("fd_filestat_get right after the open is served from the open's own fstat; any call between asks the host again", () => {
    writeFileSync(host('f'), 'abc');
    const size = () => {
      expect(call['fd_filestat_get']!(fd, DATA)).toBe(0);
      expect(mem.u64(DATA + 8)).toBe(statSync(host('f'), { bigint: true }).ino);
      return mem.u64(DATA + 32);
    };
    const fd = openOk('f', 0, WRITE);
    expect(size()).toBe(3n);
    expect(write(fd, 'defg')).toBe('SUCCESS');
    expect(size()).toBe(4n); // written at position 0 over "abc"
    writeFileSync(host('f'), 'longer than before');
    expect(size()).toBe(18n);
    // Opened again: the cached stat belongs to the new fd only, and the old fd still asks the host.
    const again = openOk('f', 0, WRITE);
    expect(call['fd_filestat_get']!(again, DATA)).toBe(0);
    expect(mem.u64(DATA + 32)).toBe(18n);
    expect(size()).toBe(18n);
  });

  test('O_CREAT on "name/" fails with EISDIR and creates nothing; on a directory, EISDIR', () => {
    mkdirSync(host('d'));
    expect(open('new/', Oflags.CREAT, WRITE).errno).toBe('ISDIR');
    expect(existsSync(host('new'))).toBe(false);
    expect(open('new/').errno).toBe('NOENT');
    expect(open('d', Oflags.CREAT).errno).toBe('ISDIR');
  });

  test('O_RDONLY|O_TRUNC truncates but the fd stays read-only', () => {
    writeFileSync(host('f'), 'hello');
    const fd = openOk('f', Oflags.TRUNC);
    expect(statSync(host('f')).size).toBe(0);
    expect(write(fd, 'x')).toBe('BADF');
  });

  test('a directory fd: write is EBADF, ftruncate EINVAL, rewinding it answers 0', () => {
    mkdirSync(host('d'));
    const fd = openOk('d', Oflags.DIRECTORY);
    expect(write(fd, 'x')).toBe('BADF');
    expect(errnoOf('fd_filestat_set_size', fd, 0n)).toBe('INVAL');
    expect(seek(fd, 0n, Whence.SET)).toEqual({ errno: 'SUCCESS', pos: 0n });
  });

  test('ftruncate of a file open for reading only is EINVAL, as Linux says', () => {
    writeFileSync(host('f'), 'hello');
    expect(errnoOf('fd_filestat_set_size', openOk('f'), 0n)).toBe('INVAL');
  });

  test('/dev/null is no terminal (isatty looks for the missing seek right) and seeks to 0', () => {
    const fd = openOk('/dev/null', 0, WRITE);
    expect(call['fd_fdstat_get']!(fd, DATA)).toBe(0);
    expect(mem.u8At(DATA)).toBe(Filetype.CHARACTER_DEVICE);
    expect(mem.u64(DATA + 8) & Rights.FD_SEEK).toBe(Rights.FD_SEEK);
    expect(seek(fd, 0n, Whence.CUR)).toEqual({ errno: 'SUCCESS', pos: 0n });
  });
});

describe('a host FIFO', () => {
  test('is read as a stream (no position: pread would be ESPIPE) and cannot seek', () => {
    execFileSync('mkfifo', [host('p')]);
    const writer = openSync(host('p'), constants.O_RDWR | constants.O_NONBLOCK); // O_RDWR: never blocks on a FIFO
    try {
      writeSync(writer, 'hello');
      const fd = openOk('p');
      mem.setU32(IOV, DATA);
      mem.setU32(IOV + 4, 100);
      expect(call['fd_read']!(fd, IOV, 1, OUT)).toBe(0);
      expect(Buffer.from(mem.bytes(DATA, mem.u32(OUT))).toString()).toBe('hello');
      expect(seek(fd, 0n, Whence.SET).errno).toBe('SPIPE');
      expect(call['fd_fdstat_get']!(fd, DATA)).toBe(0);
      expect(mem.u8At(DATA)).toBe(Filetype.SOCKET_STREAM); // preview1 has no FIFO type (wire.ts)
    } finally {
      closeSync(writer);
    }
  });
});

describe('O_APPEND set and cleared after open (fcntl F_SETFL)', () => {
  test('setting it appends; clearing it writes at the position again', () => {
    writeFileSync(host('f'), 'abc');
    const fd = openOk('f', 0, WRITE_ONLY);
    expect(call['fd_fdstat_set_flags']!(fd, Fdflags.APPEND)).toBe(0);
    seek(fd, 0n, Whence.SET);
    expect(write(fd, 'D')).toBe('SUCCESS');
    expect(readFileSync(host('f'), 'utf8')).toBe('abcD');
    expect(call['fd_fdstat_set_flags']!(fd, 0)).toBe(0);
    seek(fd, 0n, Whence.SET);
    expect(write(fd, 'E')).toBe('SUCCESS');
    expect(readFileSync(host('f'), 'utf8')).toBe('EbcD');
  });

  test('an fd opened with O_APPEND writes at its position once the flag is cleared', () => {
    writeFileSync(host('f'), 'abc');
    const fd = openOk('f', 0, WRITE_ONLY, Fdflags.APPEND);
    expect(call['fd_fdstat_set_flags']!(fd, 0)).toBe(0);
    seek(fd, 1n, Whence.SET);
    expect(write(fd, 'F')).toBe('SUCCESS');
    expect(readFileSync(host('f'), 'utf8')).toBe('aFc');
  });
});

describe('removal and rename name the entry itself (trailing "/" and "." as Linux)', () => {
  beforeEach(() => {
    mkdirSync(host('d/e'), { recursive: true });
    writeFileSync(host('f'), 'f');
    symlinkSync('d', host('ld'));
  });

  test('rmdir', () => {
    expect(errnoOf('path_remove_directory', ROOT_FD, ...str('d/e/.'))).toBe('INVAL');
    expect(errnoOf('path_remove_directory', ROOT_FD, ...str('d/e/..'))).toBe('NOTEMPTY');
    expect(errnoOf('path_remove_directory', ROOT_FD, ...str('ld/'))).toBe('NOTDIR');
    expect(existsSync(host('d/e'))).toBe(true);
    expect(errnoOf('path_remove_directory', ROOT_FD, ...str('d/e/'))).toBe('SUCCESS');
  });

  test('unlink', () => {
    expect(errnoOf('path_unlink_file', ROOT_FD, ...str('ld/'))).toBe('NOTDIR');
    expect(errnoOf('path_unlink_file', ROOT_FD, ...str('d/'))).toBe('ISDIR');
    expect(errnoOf('path_unlink_file', ROOT_FD, ...str('d/.'))).toBe('ISDIR');
    expect(errnoOf('path_unlink_file', ROOT_FD, ...str('f/'))).toBe('NOTDIR');
    expect(errnoOf('path_unlink_file', ROOT_FD, ...str('ld'))).toBe('SUCCESS');
    expect(existsSync(host('d'))).toBe(true);
  });

  test('rename', () => {
    expect(errnoOf('path_rename', ROOT_FD, ...str('f'), ROOT_FD, ...str2('g/'))).toBe('NOTDIR');
    expect(existsSync(host('g'))).toBe(false);
    expect(errnoOf('path_rename', ROOT_FD, ...str('d/.'), ROOT_FD, ...str2('x'))).toBe('BUSY');
    expect(errnoOf('path_rename', ROOT_FD, ...str('f'), ROOT_FD, ...str2('d/.'))).toBe('BUSY');
    expect(errnoOf('path_rename', ROOT_FD, ...str('d/e/'), ROOT_FD, ...str2('y/'))).toBe('SUCCESS');
    expect(statSync(host('y')).isDirectory()).toBe(true);
  });

  test('symlink and link to "new/" fail with ENOENT and create nothing', () => {
    const target = Buffer.from('f');
    mem.write(DATA, target);
    expect(errnoOf('path_symlink', DATA, target.length, ROOT_FD, ...str('new/'))).toBe('NOENT');
    expect(errnoOf('path_link', ROOT_FD, 0, ...str('f'), ROOT_FD, ...str2('new/'))).toBe('NOENT');
    expect(existsSync(host('new'))).toBe(false);
  });
});
