// A module without the data its snapshot holds, for runs that restore a snapshot of the whole
// memory (captured with memory: 'whole', see image.ts): the snapshot writes every byte the segments
// would have. V8 keeps a compiled module's bytes for as long as the module lives, and instantiation
// copies each segment into memory: python.wasm's 25,774 segments are 3.7 MiB of its 9.
//
// A wasi-threads module (a shared memory, imported) keeps its segments, passive, because its code
// names them: its start function copies them into a memory whose flag says it was not initialised
// yet, which a restored memory says it was, so only their bytes go. A segment that the start
// function does not drop keeps its bytes: that is the TLS segment, which each thread started after
// the restore copies into its own block.
import { moduleSections, Reader, readImports, u32Leb, WasmParseError } from '../wasm-imports.ts';
import { readFileSync } from 'node:fs';
import { SnapshotError } from './image.ts';
import { segmentsDroppedAtStart } from './start-drops.ts';
import { writeWhole } from './write-whole.ts';

const DATA = 11;
/** The data count section: the number of segments, which validation holds the data section to. */
const DATA_COUNT = 12;
const PASSIVE = 1;

/** `bytes` without the data a whole-memory snapshot restores. Refuses a module whose code needs
 * its segments (memory.init, data.drop: it would no longer validate), unless it is a wasi-threads
 * module (see above). */
export function withoutDataSegments(bytes: Uint8Array): Uint8Array {
  let sections;
  try {
    sections = moduleSections(bytes);
    if (importsSharedMemory(bytes)) return withEmptiedSegments(bytes, sections);
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    throw new SnapshotError(`cannot drop the data segments: ${e instanceof WasmParseError ? e.message : String(e)}`);
  }
  const kept = sections.filter((s) => s.id !== DATA && s.id !== DATA_COUNT);
  const out = new Uint8Array(8 + kept.reduce((n, s) => n + s.end - s.start, 0));
  out.set(bytes.subarray(0, 8));
  let at = 8;
  for (const s of kept) {
    out.set(bytes.subarray(s.start, s.end), at);
    at += s.end - s.start;
  }
  if (!WebAssembly.validate(out)) throw new SnapshotError('cannot drop the data segments: the module uses them in its code (memory.init or data.drop)');
  return out;
}

function importsSharedMemory(bytes: Uint8Array): boolean {
  return readImports(bytes).some((i) => i.kind === 'memory' && i.limits?.shared);
}

/** A wasi-threads module with the bytes of the segments its start function drops taken out. */
function withEmptiedSegments(bytes: Uint8Array, sections: ReturnType<typeof moduleSections>): Uint8Array {
  const data = sections.find((s) => s.id === DATA);
  if (!data) return bytes;
  const dropped = segmentsDroppedAtStart(bytes);
  if (!dropped) throw new SnapshotError('cannot tell which data segments the module needs after a restore: its start function is not the one wasm-ld makes for a shared memory (copy the segments once, then drop them)');
  const r = new Reader(bytes, data.end);
  r.pos = data.start + 1;
  r.u32(); // section size
  const count = r.u32();
  const parts: Uint8Array[] = [Uint8Array.from(u32Leb(count))];
  for (let i = 0; i < count; i++) {
    const from = r.pos;
    if (r.u32() !== PASSIVE) {
      // Instantiation would write it over the restored memory.
      throw new SnapshotError(`data segment ${i} of a shared-memory module is active: a snapshot cannot be restored into a memory that instantiation writes to`);
    }
    const length = r.u32();
    r.pos += length;
    parts.push(dropped.has(i) ? Uint8Array.of(PASSIVE, 0) : bytes.subarray(from, r.pos));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([bytes.subarray(0, data.start), Uint8Array.of(DATA, ...u32Leb(body.length)), body, bytes.subarray(data.end)]);
}

/** Writes the module in `from` without its data segments to `to` (whole or not at all). */
export function writeModuleWithoutData(from: string, to: string): void {
  writeWhole(to, withoutDataSegments(readFileSync(from)));
}
