// Lists host directories for fd_readdir in C: a private node:wasi instance (libuv's uvwasi) whose
// fd_readdir writes preview1 dirent records straight from readdir(3), where Node's readdirSync
// makes a JS string and a Dirent object per entry (a 100-entry directory: ~35 µs against ~50 µs
// on Node 24, and os.walk is mostly listings).
//
// It is not the guest's filesystem, and never sees a guest-chosen path: its one preopen is the
// host's "/", and it is only given host paths our own resolution (resolve.ts) has confined and
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
const OUT = 0; // fd_out of path_open, then bufused of fd_readdir
const PATH = 8;

type Preview1 = Record<string, (...args: (number | bigint)[]) => number>;

export class HostDirReader {
  private readonly calls: Preview1;
  private readonly memory: WebAssembly.Memory;
  /** Bytes for the records: grown to the largest listing seen, so most listings take one call. */
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
   * "." and "..", with d_ino 0 and uvwasi's own d_next cookies. Throws WasiError. */
  read(hostPath: string): Uint8Array {
    const path = Buffer.from(hostPath === '/' ? '.' : hostPath.slice(1), 'utf8');
    this.reserve(PATH + path.length);
    new Uint8Array(this.memory.buffer).set(path, PATH);
    const opened = this.calls['path_open']!(ROOT_FD, 0, PATH, path.length, Oflags.DIRECTORY, Rights.FD_READDIR, 0n, 0, OUT);
    if (opened !== 0) throw new WasiError(opened);
    const fd = new DataView(this.memory.buffer).getUint32(OUT, true);
    try {
      // A full buffer may end in a cut record: read again from the start with twice the room.
      for (;;) {
        const at = align8(PATH + path.length);
        this.reserve(at + this.bufferSize);
        const err = this.calls['fd_readdir']!(fd, at, this.bufferSize, 0n, OUT);
        if (err !== 0) throw new WasiError(err);
        const used = new DataView(this.memory.buffer).getUint32(OUT, true);
        if (used < this.bufferSize) return new Uint8Array(this.memory.buffer, at, used).slice();
        this.bufferSize *= 2;
      }
    } finally {
      this.calls['fd_close']!(fd);
    }
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

/** One reader per thread, made at the first listing; null where node:wasi cannot make one. */
let shared: HostDirReader | null | undefined;
export function hostDirReader(): HostDirReader | null {
  if (shared === undefined) {
    try {
      shared = new HostDirReader();
    } catch {
      shared = null;
    }
  }
  return shared;
}
