// Host directories listed in C: a private node:wasi instance (libuv's uvwasi) whose fd_readdir
// writes the preview1 dirent records itself, where Node's readdirSync makes a JS string and a
// Dirent per entry (measured on Node 24: a 92-entry listing ~35 µs against ~48 µs through the
// guest's opendir/readdir; os.walk is mostly listings). Tried and dropped: its lstat in place of
// lstatSync (no gain: a guest lstat's cost is our path resolution, not the syscall).
//
// It is not the guest's filesystem and never sees a guest-chosen path: its one preopen is the
// host's "/", and it is given only host paths our own resolution (resolve.ts) has confined and
// checked to be directories. Its memory is a page of its own, never the guest's.
import type * as NodeWasi from 'node:wasi';
import { WasiError } from './device.ts';
import { Oflags, Rights } from './wire.ts';

// (module (memory (export "memory") 1)): all uvwasi needs of an instance.
const MEMORY_ONLY_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x0a, 0x01, 0x06, 0x6d, 0x65, 0x6d,
  0x6f, 0x72, 0x79, 0x02, 0x00,
]);
const PAGE = 65536;
const ROOT_FD = 3; // the first preopen
const OUT = 0; // fd_out of path_open, bufused of fd_readdir
const PATH = 8;

type Preview1 = Record<string, (...args: (number | bigint)[]) => number>;

export class Uvwasi {
  private readonly calls: Preview1;
  private readonly memory: WebAssembly.Memory;
  /** Bytes for dirent records: grown to the largest listing seen, so most listings take one call. */
  private bufferSize = PAGE / 2;

  constructor() {
    const { WASI } = loadNodeWasi();
    const wasi = new WASI({ version: 'preview1', preopens: { '/': '/' }, returnOnExit: true });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(MEMORY_ONLY_MODULE), {});
    wasi.initialize(instance);
    this.calls = wasi.wasiImport as Preview1;
    this.memory = instance.exports['memory'] as WebAssembly.Memory;
  }

  /** The dirent records of the directory at `hostPath` (absolute, normalized, confined), without
   * "." and "..", with d_ino 0 and uvwasi's own d_next cookies: a view of this instance's memory,
   * valid until its next call (not copied: DirListing copies it once). Throws WasiError. */
  list(hostPath: string): Uint8Array {
    const pathLen = this.putPath(hostPath);
    const opened = this.calls['path_open']!(ROOT_FD, 0, PATH, pathLen, Oflags.DIRECTORY, Rights.FD_READDIR, 0n, 0, OUT);
    if (opened !== 0) throw new WasiError(opened);
    const fd = new DataView(this.memory.buffer).getUint32(OUT, true);
    try {
      // A full buffer may end in a cut record: read again from the start with twice the room.
      for (;;) {
        const at = align8(PATH + pathLen);
        this.reserve(at + this.bufferSize);
        const err = this.calls['fd_readdir']!(fd, at, this.bufferSize, 0n, OUT);
        if (err !== 0) throw new WasiError(err);
        const used = new DataView(this.memory.buffer).getUint32(OUT, true);
        if (used < this.bufferSize) return new Uint8Array(this.memory.buffer, at, used);
        this.bufferSize *= 2;
      }
    } finally {
      this.calls['fd_close']!(fd);
    }
  }

  /** Puts the path, relative to the preopen "/", in memory; returns its length in bytes. */
  private putPath(hostPath: string): number {
    const rel = hostPath === '/' ? '.' : hostPath.slice(1);
    this.reserve(PATH + Buffer.byteLength(rel) + 8);
    return Buffer.from(this.memory.buffer).write(rel, PATH, 'utf8');
  }

  private reserve(bytes: number): void {
    const missing = bytes - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / PAGE));
  }
}

const align8 = (n: number) => (n + 7) & ~7;

/** node:wasi without the "WASI is an experimental feature" warning it prints when first loaded:
 * the user did not ask for node:wasi, and what we use of it (above) is preview1 as frozen. */
function loadNodeWasi(): typeof NodeWasi {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'ExperimentalWarning' && String(warning).startsWith('WASI')) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule('node:wasi');
  } finally {
    process.emitWarning = emit;
  }
}

/** One instance per thread, made at first use; null where node:wasi cannot make one (listings
 * then use Node's readdirSync). */
let shared: Uvwasi | null | undefined;
export function uvwasi(): Uvwasi | null {
  if (shared === undefined) {
    try {
      shared = new Uvwasi();
    } catch {
      shared = null;
    }
  }
  return shared;
}
