// Whether a python build has threads, from its module, not its name: a wasi-threads module
// imports `wasi`.`thread-spawn` (and its shared memory). A build linked by `pywasi build --with …
// --threads`, or one $PYWASI_PYTHON_DIR names, is known this way too.
import { closeSync, openSync, readSync } from 'node:fs';
import { readImports } from '@pywasi/host';

const IMPORT_SECTION = 2;
const PREAMBLE = 8; // magic and version

/** The LEB128 u32 at `pos` of the file, and the position after it. */
function readU32(fd: number, pos: number): { value: number; next: number } {
  const byte = Buffer.alloc(1);
  let value = 0;
  for (let shift = 0, at = pos; shift < 35; shift += 7, at++) {
    if (readSync(fd, byte, 0, 1, at) !== 1) throw new Error('the module ends inside a section header');
    value += (byte[0]! & 0x7f) * 2 ** shift;
    if (!(byte[0]! & 0x80)) return { value, next: at + 1 };
  }
  throw new Error('a section size longer than 5 bytes');
}

/**
 * Does the module at `wasmFile` spawn threads (wasi-threads)? Reads the sections before its
 * imports (type, custom) and the imports only, not the whole module (python.wasm is tens of MiB).
 */
export function spawnsThreads(wasmFile: string): boolean {
  const fd = openSync(wasmFile, 'r');
  try {
    const parts: Buffer[] = [];
    const preamble = Buffer.alloc(PREAMBLE);
    if (readSync(fd, preamble, 0, PREAMBLE, 0) !== PREAMBLE) return false;
    parts.push(preamble);
    for (let pos = PREAMBLE; ; ) {
      const id = Buffer.alloc(1);
      if (readSync(fd, id, 0, 1, pos) !== 1) break;
      const size = readU32(fd, pos + 1);
      // The import section comes after the type section (which it refers to) and before the rest.
      if (id[0]! > IMPORT_SECTION) break;
      const section = Buffer.alloc(size.next - pos + size.value);
      readSync(fd, section, 0, section.length, pos);
      parts.push(section);
      if (id[0] === IMPORT_SECTION) break;
      pos = size.next + size.value;
    }
    return readImports(Buffer.concat(parts)).some((i) => i.module === 'wasi' && i.name === 'thread-spawn');
  } finally {
    closeSync(fd);
  }
}
