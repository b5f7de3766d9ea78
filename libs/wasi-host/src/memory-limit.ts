// A memory limit for a module that defines its own memory: its memory section's maximum is lowered
// before V8 compiles it, so a memory.grow past the limit fails in the guest (malloc returns NULL,
// Python raises MemoryError) instead of taking the host's memory. V8 enforces the maximum; the host
// checks nothing at run time.
import { WasiModuleError } from './guest-errors.ts';
import { u32Leb } from './wasm-imports.ts';

export const WASM_PAGE = 65536;
const MEMORY_SECTION = 5;
const IMPORT_SECTION = 2;

interface Reader {
  bytes: Uint8Array;
  at: number;
}

function readU32(r: Reader): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (r.at >= r.bytes.length) throw new WasiModuleError('the module ends inside a number (not a valid wasm module)');
    const byte = r.bytes[r.at++]!;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return result >>> 0;
    shift += 7;
    if (shift > 28) throw new WasiModuleError('a number in the module is too long (not a valid wasm module)');
  }
}

/** Whether the import section imports a memory (kind 2); the limit cannot apply to it. */
function importsMemory(section: Uint8Array): boolean {
  const r: Reader = { bytes: section, at: 0 };
  const count = readU32(r);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < 2; k++) {
      const length = readU32(r); // module and field names
      r.at += length;
    }
    const kind = section[r.at++];
    if (kind === 2) return true;
    if (kind === 0) readU32(r); // a function's type index
    else if (kind === 1) {
      r.at++; // table element type
      const flags = section[r.at++]!;
      readU32(r);
      if (flags & 1) readU32(r);
    } else if (kind === 3) r.at += 2; // global type and mutability
    else return false; // a kind this host does not know: V8 will say
  }
  return false;
}

/**
 * The module with its (first) memory's maximum at most `maxBytes` (rounded down to whole 64 KiB
 * pages). Throws a WasiModuleError naming the limit when the module needs more to start, or
 * imports its memory.
 */
export function limitMemory(bytes: Uint8Array, maxBytes: number, name: string): Uint8Array {
  const maxPages = Math.floor(maxBytes / WASM_PAGE);
  const r: Reader = { bytes, at: 8 };
  while (r.at < bytes.length) {
    const id = bytes[r.at++]!;
    const sizeAt = r.at;
    const size = readU32(r);
    const start = r.at;
    const end = start + size;
    if (end > bytes.length) throw new WasiModuleError(`${name}: a section runs past the end of the file (not a valid wasm module)`);
    if (id === IMPORT_SECTION && importsMemory(bytes.subarray(start, end))) {
      throw new WasiModuleError(`${name} imports its memory: a memory limit applies only to a module that defines its own`);
    }
    if (id === MEMORY_SECTION) {
      const s: Reader = { bytes: bytes.subarray(start, end), at: 0 };
      const count = readU32(s);
      if (count === 0) return bytes;
      const flagsAt = s.at;
      const flags = s.bytes[s.at++]!;
      if (flags & 0x04) throw new WasiModuleError(`${name} has a 64-bit memory: a memory limit is not supported for it`);
      const min = readU32(s);
      const oldMax = flags & 1 ? readU32(s) : 65536;
      if (min > maxPages) {
        throw new WasiModuleError(`${name} needs ${((min * WASM_PAGE) / 2 ** 20).toFixed(1)} MiB of memory to start, more than the limit of ${(maxBytes / 2 ** 20).toFixed(1)} MiB`);
      }
      const limited = [(flags | 1) & 0xff, ...u32Leb(min), ...u32Leb(Math.min(oldMax, maxPages))];
      const body = [...s.bytes.subarray(0, flagsAt), ...limited, ...s.bytes.subarray(s.at)];
      const out = new Uint8Array(bytes.length - (end - sizeAt) + u32Leb(body.length).length + body.length);
      out.set(bytes.subarray(0, sizeAt), 0);
      let at = sizeAt;
      for (const b of u32Leb(body.length)) out[at++] = b;
      out.set(body, at);
      out.set(bytes.subarray(end), at + body.length);
      return out;
    }
    r.at = end;
  }
  return bytes;
}
