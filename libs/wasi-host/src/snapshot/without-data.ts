// A module without its data segments, for runs that restore a snapshot of the whole memory
// (captured with memory: 'whole', see image.ts): the snapshot writes every byte the segments would
// have. V8 keeps a compiled module's bytes for as long as the module lives, and instantiation
// copies each segment into memory: python.wasm's 25,774 segments are 3.7 MiB of its 9.
import { moduleSections, WasmParseError } from '../wasm-imports.ts';
import { readFileSync } from 'node:fs';
import { SnapshotError } from './image.ts';
import { writeWhole } from './write-whole.ts';

const DATA = 11;
/** The data count section: the number of segments, which validation holds the data section to. */
const DATA_COUNT = 12;

/** `bytes` without the data and data count sections. Refuses a module whose code needs its
 * segments (memory.init, data.drop: it would no longer validate). */
export function withoutDataSegments(bytes: Uint8Array): Uint8Array {
  let sections;
  try {
    sections = moduleSections(bytes);
  } catch (e) {
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

/** Writes the module in `from` without its data segments to `to` (whole or not at all). */
export function writeModuleWithoutData(from: string, to: string): void {
  writeWhole(to, withoutDataSegments(readFileSync(from)));
}
