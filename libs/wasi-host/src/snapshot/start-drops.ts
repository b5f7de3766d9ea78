// The data segments a module's start function drops (`data.drop`) on every way through it: once an
// instance has started, none of its code can read them. wasm-ld's start function for a shared
// memory (`__wasm_init_memory`) copies the passive segments into memory once per memory, guarded by
// a flag there, and then drops all but the TLS segment (`.tdata`), which every new thread's
// `__wasm_init_tls` copies again into a block of its own.
import { moduleSections, readImports, Reader, WasmParseError } from '../wasm-imports.ts';

const IMPORT = 2;
const START = 8;
const CODE = 10;

/** The segment indices the start function drops at its top level, where every way that ends it
 * normally passes. Null when the module has no start function, or when its code is beyond this
 * reader: an instruction it does not know, a `return`, or a branch out of the whole body (which
 * could skip a drop). */
export function segmentsDroppedAtStart(bytes: Uint8Array): Set<number> | null {
  const sections = moduleSections(bytes);
  const start = sections.find((s) => s.id === START);
  const code = sections.find((s) => s.id === CODE);
  if (!start || !code) return null;
  const r = new Reader(bytes, start.end);
  r.pos = start.start + 1;
  r.u32(); // section size
  const imported = sections.some((s) => s.id === IMPORT) ? readImports(bytes).filter((i) => i.kind === 'function').length : 0;
  const index = r.u32() - imported;
  if (index < 0) return null; // an imported start function
  const c = new Reader(bytes, code.end);
  c.pos = code.start + 1;
  c.u32();
  if (index >= c.u32()) throw new WasmParseError('the start function is not in the code section');
  for (let i = 0; i < index; i++) {
    const skip = c.u32();
    c.pos += skip;
  }
  const size = c.u32();
  const body = new Reader(bytes, c.pos + size);
  body.pos = c.pos;
  for (let groups = body.u32(); groups > 0; groups--) {
    body.u32(); // how many locals
    body.byte(); // of which type
  }
  return topLevelDrops(body);
}

function topLevelDrops(r: Reader): Set<number> | null {
  const drops = new Set<number>();
  let depth = 0; // blocks open inside the body
  const branchOut = (label: number) => label >= depth;
  while (r.pos < r.end) {
    const op = r.byte();
    switch (op) {
      case 0x00: // unreachable: this way traps, it does not end the function
      case 0x01:
      case 0x1a:
      case 0x1b:
        break;
      case 0x02:
      case 0x03:
      case 0x04: {
        // The block type: one byte from 0x40 up (empty, or a value type), else a type index.
        const type = r.byte();
        if (type === 0x63 || type === 0x64) return null; // a reference type with a heap type after it
        if (type < 0x40 || type & 0x80) {
          r.pos--;
          r.skipLeb();
        }
        depth++;
        break;
      }
      case 0x05:
        break;
      case 0x0b:
        if (depth === 0) return r.pos === r.end ? drops : null;
        depth--;
        break;
      case 0x0c:
      case 0x0d:
        if (branchOut(r.u32())) return null;
        break;
      case 0x0e:
        for (let n = r.u32() + 1; n > 0; n--) if (branchOut(r.u32())) return null;
        break;
      case 0x10:
      case 0x20:
      case 0x21:
      case 0x22:
      case 0x23:
      case 0x24:
        r.u32();
        break;
      case 0x11:
        r.u32();
        r.u32();
        break;
      case 0x3f:
      case 0x40:
        r.byte();
        break;
      case 0x41:
      case 0x42:
        r.skipLeb();
        break;
      case 0x43:
        r.pos += 4;
        break;
      case 0x44:
        r.pos += 8;
        break;
      case 0xfc:
        if (!bulkMemory(r, depth, drops)) return null;
        break;
      case 0xfe: {
        const sub = r.u32();
        if (sub === 0x03) r.byte(); // atomic.fence
        else memarg(r);
        break;
      }
      default:
        if (op >= 0x28 && op <= 0x3e) memarg(r);
        else if (!(op >= 0x45 && op <= 0xc4)) return null; // the numeric instructions have no immediates
    }
  }
  return null; // the body ended without its `end`
}

function memarg(r: Reader): void {
  r.u32();
  r.u32();
}

/** One 0xfc instruction; false for one this reader does not know. */
function bulkMemory(r: Reader, depth: number, drops: Set<number>): boolean {
  const sub = r.u32();
  if (sub <= 7) return true; // saturating truncations
  if (sub === 8) {
    r.u32();
    r.byte();
  } else if (sub === 9) {
    const segment = r.u32();
    if (depth === 0) drops.add(segment);
  } else if (sub === 10) {
    r.byte();
    r.byte();
  } else if (sub === 11) {
    r.byte();
  } else {
    return false;
  }
  return true;
}
