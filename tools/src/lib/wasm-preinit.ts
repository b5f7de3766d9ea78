// Pre-initialisation of a WASI module, as Wizer does it: run an exported init function once at build
// time, then write a new module whose memory and globals start in the state that function left.
// An interpreter initialised this way skips its whole start-up at run time.
//
// 1. instrument: a copy of the module exports every mutable global and loses `_start`, so it can be
//    instantiated as a WASI reactor and its state read back;
// 2. run: instantiate it under node:wasi with the given args, env and preopens, call the export;
// 3. rewrite: the original module with one data segment per non-zero run of the final memory, the
//    globals' initial values replaced and the init export removed.
import binaryen from 'binaryen';
import { BuildError } from './build-error.ts';

export interface PreinitOptions {
  /** Name of the exported function to run (it takes no arguments and returns nothing). */
  initExport: string;
  args: string[];
  env: Record<string, string>;
  /** guest path → host directory */
  preopens: Record<string, string>;
}

export interface PreinitResult {
  bytes: Uint8Array;
  memoryBytes: number;
  dataSegments: number;
  dataBytes: number;
  initMs: number;
}

interface GlobalSlot {
  name: string;
  type: binaryen.Type;
  exportName: string;
}

/** What the first reading of the module finds; the rewrite relies on it instead of checking again. */
interface ModuleLayout {
  /** Internal name and export name of the module's own memory. */
  memoryName: string;
  memoryExport: string;
  slots: GlobalSlot[];
}

const GLOBAL_EXPORT_PREFIX = '__preinit_global_';
/** Zero runs shorter than this stay inside a segment: a segment header costs about as much. */
const MIN_ZERO_GAP = 16;

function readModule(bytes: Uint8Array, what: string): binaryen.Module {
  try {
    return binaryen.readBinary(bytes);
  } catch (e) {
    throw new BuildError(`${what} is not a valid WebAssembly module (${e instanceof Error ? e.message : String(e)})`);
  }
}

function exportsOf(mod: binaryen.Module): binaryen.ExportInfo[] {
  const all: binaryen.ExportInfo[] = [];
  for (let i = 0; i < mod.getNumExports(); i++) all.push(binaryen.getExportInfo(mod.getExportByIndex(i)));
  return all;
}

/** The module's own (not imported) memory, its export name, and what cannot be snapshotted. */
function checkSnapshottable(mod: binaryen.Module, initExport: string): { memoryName: string; memoryExport: string } {
  if (!mod.hasMemory()) throw new BuildError('the module has no memory to pre-initialise');
  const exports = exportsOf(mod);
  const memoryExport = exports.find((e) => e.kind === binaryen.ExternalMemory);
  if (!memoryExport) throw new BuildError('the module does not export its memory (WASI needs it exported)');
  const info = mod.getMemoryInfo(memoryExport.value);
  if (info.module) throw new BuildError('the module imports its memory: there is nothing of its own to pre-initialise');
  if (info.shared) throw new BuildError('the module has shared memory (threads): pre-initialisation needs a single-threaded module');
  const init = exports.find((e) => e.name === initExport);
  if (!init || init.kind !== binaryen.ExternalFunction) {
    throw new BuildError(`the module exports no function named "${initExport}" (exports: ${exports.map((e) => e.name).join(', ')})`);
  }
  // binaryen.js's data-segment methods, which its type declarations name differently.
  const data = mod as unknown as {
    getNumDataSegments(): number;
    getDataSegmentByIndex(index: number): number;
    getDataSegmentInfo(segment: number): { passive: boolean };
  };
  for (let i = 0; i < data.getNumDataSegments(); i++) {
    if (data.getDataSegmentInfo(data.getDataSegmentByIndex(i)).passive) {
      throw new BuildError('the module has passive data segments (bulk-memory initialisation): not supported');
    }
  }
  return { memoryName: memoryExport.value, memoryExport: memoryExport.name };
}

/** Mutable globals defined by the module: their values after init become their initial values. */
function mutableGlobals(mod: binaryen.Module): GlobalSlot[] {
  const slots: GlobalSlot[] = [];
  for (let i = 0; i < mod.getNumGlobals(); i++) {
    const info = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
    if (info.module || !info.mutable) continue;
    if (![binaryen.i32, binaryen.i64, binaryen.f32, binaryen.f64].includes(info.type)) {
      throw new BuildError(`global ${info.name} has a type pre-initialisation cannot carry (only i32, i64, f32, f64)`);
    }
    slots.push({ name: info.name, type: info.type, exportName: `${GLOBAL_EXPORT_PREFIX}${slots.length}` });
  }
  return slots;
}

/** Checks the module and returns its layout and the instrumented copy: every mutable global
 * exported (as `__preinit_global_<n>`), so its value can be read and set from outside. A copy for
 * build-time initialisation also loses `_start`, so it can be run as a reactor. */
function instrument(bytes: Uint8Array, initExport: string, keepStart = false): { layout: ModuleLayout; instrumented: Uint8Array } {
  const mod = readModule(bytes, 'the module');
  try {
    const layout = { ...checkSnapshottable(mod, initExport), slots: mutableGlobals(mod) };
    for (const slot of layout.slots) mod.addGlobalExport(slot.name, slot.exportName);
    if (keepStart) {
      if (!exportsOf(mod).some((e) => e.name === '_start')) throw new BuildError('the module exports no _start (a run-time snapshot resumes through it)');
    } else {
      // node:wasi runs a module without _start as a reactor; its constructors are the init export's job.
      for (const name of ['_start', '_initialize']) if (exportsOf(mod).some((e) => e.name === name)) mod.removeExport(name);
    }
    return { layout, instrumented: mod.emitBinary() };
  } finally {
    mod.dispose();
  }
}

/**
 * A module a host can snapshot at run time instead of at build time (so that, for instance, every
 * installation gets its own hash seed): its mutable globals are exported, `_start` and the init
 * export stay. The host instantiates it, calls the init export, saves memory and globals, and later
 * restores them into a fresh instance before calling `_start` (libs/wasi-host/src/snapshot/).
 */
export function makeResumable(bytes: Uint8Array, initExport: string): { bytes: Uint8Array; globals: number } {
  const { layout, instrumented } = instrument(bytes, initExport, true);
  return { bytes: instrumented, globals: layout.slots.length };
}

/** Imports node:wasi does not provide: calling one during init is an error worth naming. */
function stubMissingImports(module: WebAssembly.Module, wasiImport: WebAssembly.ModuleImports): WebAssembly.Imports {
  const imports: Record<string, WebAssembly.ModuleImports> = { wasi_snapshot_preview1: { ...wasiImport } };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') throw new BuildError(`import ${imp.module}.${imp.name} is a ${imp.kind}: only function imports are supported`);
    const space = (imports[imp.module] ??= {});
    space[imp.name] ??= () => {
      throw new BuildError(`the init function called ${imp.module}.${imp.name}, which is not available while pre-initialising`);
    };
  }
  return imports;
}

async function runInit(bytes: Uint8Array, options: PreinitOptions, layout: ModuleLayout): Promise<{ memory: Uint8Array; globals: Map<string, number | bigint> }> {
  const { WASI } = await import('node:wasi');
  const wasi = new WASI({ version: 'preview1', args: options.args, env: options.env, preopens: options.preopens, returnOnExit: true });
  const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  const instance = await WebAssembly.instantiate(module, stubMissingImports(module, wasi.wasiImport as WebAssembly.ModuleImports));
  wasi.initialize(instance);
  const init = instance.exports[options.initExport] as () => void;
  try {
    init();
  } catch (e) {
    if (e instanceof BuildError) throw e;
    // With returnOnExit, proc_exit unwinds as an exception: the init function gave up.
    throw new BuildError(`the init function "${options.initExport}" failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const memory = instance.exports[layout.memoryExport] as WebAssembly.Memory;
  const globals = new Map<string, number | bigint>();
  for (const slot of layout.slots) globals.set(slot.name, (instance.exports[slot.exportName] as WebAssembly.Global).value as number | bigint);
  return { memory: new Uint8Array(memory.buffer), globals };
}

/** [start, end) ranges of memory holding non-zero bytes, gaps shorter than MIN_ZERO_GAP merged. */
export function nonZeroRanges(memory: Uint8Array): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const words = new Uint32Array(memory.buffer, memory.byteOffset, Math.floor(memory.byteLength / 4));
  let start = -1;
  let lastNonZero = -1;
  for (let w = 0; w < words.length; w++) {
    if (words[w] === 0) continue;
    const at = w * 4;
    if (start >= 0 && at - lastNonZero > MIN_ZERO_GAP) {
      ranges.push([start, lastNonZero]);
      start = -1;
    }
    if (start < 0) start = at;
    lastNonZero = at + 4;
  }
  if (start >= 0) ranges.push([start, lastNonZero]);
  // Bytes past the last whole word (memories are page-sized, so this never happens in practice).
  for (let i = words.length * 4; i < memory.byteLength; i++) if (memory[i] !== 0) ranges.push([i, i + 1]);
  return ranges;
}

function constant(mod: binaryen.Module, type: binaryen.Type, value: number | bigint): binaryen.ExpressionRef {
  if (type === binaryen.i32) return mod.i32.const(Number(value));
  if (type === binaryen.i64) {
    // binaryen.js 1xx takes one bigint here; its type declarations still say (low, high).
    const i64 = mod.i64 as unknown as { const(value: bigint): binaryen.ExpressionRef };
    return i64.const(BigInt(value));
  }
  if (type === binaryen.f32) return mod.f32.const(Number(value));
  return mod.f64.const(Number(value));
}

function rewrite(bytes: Uint8Array, options: PreinitOptions, state: { memory: Uint8Array; globals: Map<string, number | bigint> }, layout: ModuleLayout) {
  const { memoryName, memoryExport, slots } = layout;
  const mod = readModule(bytes, 'the module');
  try {
    const info = mod.getMemoryInfo(memoryName);
    const ranges = nonZeroRanges(state.memory);
    const segments = ranges.map(([start, end]) => ({
      offset: mod.i32.const(start),
      data: state.memory.slice(start, end),
      passive: false,
    }));
    mod.removeExport(memoryExport);
    mod.setMemory(state.memory.byteLength / 65536, info.max ?? 65536, memoryExport, segments, false, false, memoryName);
    for (const slot of slots) {
      mod.removeGlobal(slot.name);
      mod.addGlobal(slot.name, slot.type, true, constant(mod, slot.type, state.globals.get(slot.name)!));
    }
    // Initialising twice would corrupt the snapshot: the export goes.
    mod.removeExport(options.initExport);
    if (!mod.validate()) throw new BuildError('the rewritten module does not validate (a bug in wasm-preinit)');
    return {
      bytes: mod.emitBinary(),
      dataSegments: segments.length,
      dataBytes: segments.reduce((sum, s) => sum + s.data.byteLength, 0),
    };
  } finally {
    mod.dispose();
  }
}

export async function preinitialize(bytes: Uint8Array, options: PreinitOptions): Promise<PreinitResult> {
  const { layout, instrumented } = instrument(bytes, options.initExport);
  const started = performance.now();
  const state = await runInit(instrumented, options, layout);
  const initMs = performance.now() - started;
  const out = rewrite(bytes, options, state, layout);
  return { bytes: out.bytes, memoryBytes: state.memory.byteLength, dataSegments: out.dataSegments, dataBytes: out.dataBytes, initMs };
}
