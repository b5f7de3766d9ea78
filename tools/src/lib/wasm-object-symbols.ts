// Renames defined symbols in wasm relocatable objects (clang --target=wasm32-wasi -c output, or
// several partially linked into one with wasm-ld -r), and makes them local: what `llvm-objcopy
// --redefine-sym` and `--localize-symbol` do for ELF and refuse for wasm. Python C extensions linked statically into one python.wasm each define
// PyInit_<last name>; markupsafe._speedups' PyInit__speedups must become, say,
// PyInit_markupsafe___speedups so that it cannot clash with another package's.
//
// Format: WebAssembly tool-conventions, Linking.md. The linker takes a symbol's name from the
// symbol table subsection (8) of the "linking" custom section, so that is the one place
// rewritten. Only that subsection and its section change size, and nothing in an object points
// into them or at a section's file position: relocations name symbols by index (unchanged: no
// symbol is added, removed or moved), their target section by index (unchanged: the section stays
// where it is in the section list) and bytes by offset inside that target (code, data or debug
// sections, never "linking"). So every other byte is copied as it is.
//
// Left as they are:
// - the "name" section: clang writes none into objects, and wasm-ld never copies an input's (it
//   writes the output's from symbol names, so the linked module shows the new name);
// - DWARF: .debug_str keeps the C name, which is what a debugger should show for the source.
import { BuildError } from './build-error.ts';

const SECTION_CUSTOM = 0;
const SECTION_IMPORT = 2;
const LINKING_VERSION = 2;
const WASM_SYMBOL_TABLE = 8;

const SYMTAB_FUNCTION = 0;
const SYMTAB_DATA = 1;
const SYMTAB_GLOBAL = 2;
const SYMTAB_SECTION = 3;
const SYMTAB_TAG = 4;
const SYMTAB_TABLE = 5;

const WASM_COMDAT_INFO = 7;

const WASM_SYM_BINDING_WEAK = 0x01;
const WASM_SYM_BINDING_LOCAL = 0x02;
const WASM_SYM_VISIBILITY_HIDDEN = 0x04;
const WASM_SYM_EXPORTED = 0x20;
const WASM_SYM_UNDEFINED = 0x10;
const WASM_SYM_EXPLICIT_NAME = 0x40;

/** The import kind (import section) a symbol kind refers to when undefined. */
const IMPORT_KIND: Record<number, number> = { [SYMTAB_FUNCTION]: 0, [SYMTAB_TABLE]: 1, [SYMTAB_GLOBAL]: 3, [SYMTAB_TAG]: 4 };

export interface RenameResult {
  bytes: Uint8Array;
  /** The old names that were renamed (each once, in symbol table order). */
  renamed: string[];
}

/**
 * Renames the symbols `renames` maps (old name to new) that `object` defines, whatever their kind
 * (function, data, global, table, tag) and binding. A name it does not define is not an error
 * here (the caller checks what was renamed); an undefined reference to an old name
 * is: renaming only the definition would leave that reference to be resolved by whichever other
 * object defines the old name (another package's PyInit__speedups), silently. So is a new name
 * that another non-local symbol of the object already has. `file` names the object in errors.
 * Without anything to rename, the result is `object` itself.
 */
export function renameSymbols(object: Uint8Array, renames: Map<string, string>, file = 'wasm object'): RenameResult {
  const sections = readSections(object, file);
  const linking = sections.find((s) => s.id === SECTION_CUSTOM && s.name === 'linking');
  if (!linking) {
    throw new BuildError(`${file} is a wasm module, not a relocatable object: it has no "linking" section (was it linked, or compiled without -c?)`);
  }
  const at = cursor(object, linking.payloadStart, linking.end, file);
  const version = u32(at);
  if (version !== LINKING_VERSION) {
    throw new BuildError(`${file}: linking metadata version ${version}, only version ${LINKING_VERSION} is understood (a newer LLVM?)`);
  }
  let table: { sizeAt: number; start: number; end: number } | undefined;
  while (at.pos < at.end) {
    const type = byte(at);
    const sizeAt = at.pos;
    const size = u32(at);
    const start = at.pos;
    take(at, size);
    if (type === WASM_SYMBOL_TABLE) table = { sizeAt, start, end: at.pos };
  }
  if (!table) return { bytes: object, renamed: [] };

  const imports = importNames(object, sections.find((s) => s.id === SECTION_IMPORT), file);
  const symbols = readSymbolTable(cursor(object, table.start, table.end, file), imports);
  const renaming = symbols.filter((s) => s.defined && renames.has(s.name));
  for (const s of symbols) {
    if (!s.defined && renames.has(s.name)) {
      throw new BuildError(
        `${file} refers to ${s.name} without defining it: renaming only definitions would leave this reference ` +
          `bound to another object's ${s.name}. Rename it only in archives whose members do not use it.`,
      );
    }
  }
  // Non-local names must be unique in an object; local ones need not be (Linking.md).
  const after = (s: ObjectSymbol) => (renaming.includes(s) ? renames.get(s.name)! : s.name);
  const global = symbols.filter((s) => s.name !== '' && !(s.flags & WASM_SYM_BINDING_LOCAL));
  for (const s of renaming) {
    const clash = global.find((other) => other !== s && after(other) === after(s));
    if (clash && !(s.flags & WASM_SYM_BINDING_LOCAL)) {
      throw new BuildError(`${file}: cannot rename ${s.name} to ${after(s)}: the object already has a symbol of that name`);
    }
  }
  if (renaming.length === 0) return { bytes: object, renamed: [] };

  // The symbol table with each renamed name's (length, bytes) replaced, the rest copied.
  const payload: Uint8Array[] = [];
  let from = table.start;
  for (const s of renaming) {
    const utf8 = new TextEncoder().encode(after(s));
    payload.push(object.subarray(from, s.nameStart), minimalU32(utf8.length), utf8);
    from = s.nameEnd;
  }
  payload.push(object.subarray(from, table.end));
  const newTable = concat(payload);
  // Sizes are written as 5-byte LEBs, as LLVM writes them in objects (any encoding is read).
  const content = concat([
    object.subarray(linking.contentStart, table.sizeAt),
    paddedU32(newTable.length),
    newTable,
    object.subarray(table.end, linking.end),
  ]);
  const bytes = concat([
    object.subarray(0, linking.start),
    Uint8Array.of(SECTION_CUSTOM),
    paddedU32(content.length),
    content,
    object.subarray(linking.end),
  ]);
  return { bytes, renamed: [...new Set(renaming.map((s) => s.name))] };
}

/**
 * Makes every symbol `object` defines local, but those of `keep`: what linking it as a shared
 * object would leave visible (its init function), so that two extensions of one package may each
 * define a helper of the same name (numpy's random distributions, with different signatures) and
 * a package's names never bind another's. Meant for one extension partially linked into one
 * object (wasm-ld -r), whose references between its own parts are then already resolved.
 * COMDAT groups go too (C++ inline functions and templates): the linker would otherwise keep one
 * group of a name across objects and drop the others, whose local symbols would then point at
 * nothing; each extension keeps its own copy instead, as its shared object would.
 * Exception tags stay as they are: a tag is an identity shared by the code that throws and the
 * code that catches. setjmp's `__c_longjmp` is defined (weakly) by every object that calls setjmp
 * and by libsetjmp, whose longjmp throws it; a local copy would be a tag no longjmp throws, and
 * the extension's setjmp would never see its longjmp.
 */
export function localizeSymbols(object: Uint8Array, keep: ReadonlySet<string>, file = 'wasm object'): { bytes: Uint8Array; localized: number } {
  const sections = readSections(object, file);
  const linking = sections.find((s) => s.id === SECTION_CUSTOM && s.name === 'linking');
  if (!linking) throw new BuildError(`${file} is a wasm module, not a relocatable object: it has no "linking" section`);
  const at = cursor(object, linking.payloadStart, linking.end, file);
  const version = u32(at);
  if (version !== LINKING_VERSION) throw new BuildError(`${file}: linking metadata version ${version}, only version ${LINKING_VERSION} is understood (a newer LLVM?)`);
  const head = { start: linking.contentStart, end: at.pos };
  const subsections: { type: number; start: number; end: number; payload: number }[] = [];
  while (at.pos < at.end) {
    const start = at.pos;
    const type = byte(at);
    const size = u32(at);
    const payload = at.pos;
    take(at, size);
    subsections.push({ type, start, end: at.pos, payload });
  }
  const table = subsections.find((sub) => sub.type === WASM_SYMBOL_TABLE);
  if (!table) return { bytes: object, localized: 0 };
  const imports = importNames(object, sections.find((s) => s.id === SECTION_IMPORT), file);
  const symbols = readSymbolTable(cursor(object, table.payload, table.end, file), imports);
  const out = Uint8Array.from(object);
  let localized = 0;
  for (const s of symbols) {
    if (!s.defined || s.kind === SYMTAB_SECTION || s.kind === SYMTAB_TAG || s.flags & WASM_SYM_BINDING_LOCAL || keep.has(s.name)) continue;
    const flags = (s.flags & ~(WASM_SYM_BINDING_WEAK | WASM_SYM_EXPORTED)) | WASM_SYM_BINDING_LOCAL | WASM_SYM_VISIBILITY_HIDDEN;
    // Written over the old encoding, padded to its length: nothing moves.
    out.set(paddedTo(flags, s.flagsEnd - s.flagsStart), s.flagsStart);
    localized++;
  }
  const kept = subsections.filter((sub) => sub.type !== WASM_COMDAT_INFO);
  const content = concat([out.subarray(head.start, head.end), ...kept.map((sub) => out.subarray(sub.start, sub.end))]);
  const bytes = concat([out.subarray(0, linking.start), Uint8Array.of(SECTION_CUSTOM), paddedU32(content.length), content, out.subarray(linking.end)]);
  return { bytes, localized };
}

// ---------------------------------------------------------------------------------- reading

interface Cursor {
  bytes: Uint8Array;
  pos: number;
  end: number;
  file: string;
}

const cursor = (bytes: Uint8Array, pos: number, end: number, file: string): Cursor => ({ bytes, pos, end, file });

const malformed = (at: Cursor, what: string) => new BuildError(`${at.file}: malformed wasm object: ${what} at byte ${at.pos}`);

function byte(at: Cursor): number {
  if (at.pos >= at.end) throw malformed(at, 'unexpected end');
  return at.bytes[at.pos++]!;
}

function take(at: Cursor, length: number): Uint8Array {
  if (at.pos + length > at.end) throw malformed(at, `${length} bytes announced, ${at.end - at.pos} left`);
  at.pos += length;
  return at.bytes.subarray(at.pos - length, at.pos);
}

/** A varuint32, in any of its encodings (LLVM pads some to 5 bytes). */
function u32(at: Cursor): number {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const b = byte(at);
    if (shift === 28 && b > 0x0f) throw malformed(at, 'LEB128 beyond 32 bits');
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return value;
  }
}

/** Skips a LEB128 of any width (memory64 limits, heap types). */
function skipLeb(at: Cursor): void {
  while (byte(at) & 0x80);
}

const decoder = new TextDecoder('utf-8', { fatal: true });
function name(at: Cursor): string {
  const length = u32(at);
  try {
    return decoder.decode(take(at, length));
  } catch (error) {
    if (error instanceof BuildError) throw error;
    throw malformed(at, 'name not UTF-8');
  }
}

interface Section {
  id: number;
  /** A custom section's name, else ''. */
  name: string;
  /** Offsets in the module: of the id byte, after the size, after a custom section's name, end. */
  start: number;
  contentStart: number;
  payloadStart: number;
  end: number;
}

function readSections(module: Uint8Array, file: string): Section[] {
  const head = [...module.subarray(0, 8)];
  if (head.slice(0, 4).join() === '66,67,192,222') {
    throw new BuildError(`${file} is LLVM bitcode (compiled with -flto?), not a wasm object: its symbols cannot be renamed`);
  }
  if (head.join() !== '0,97,115,109,1,0,0,0') throw new BuildError(`${file} is not a wasm object (no \\0asm version 1 header)`);
  const at = cursor(module, 8, module.length, file);
  const sections: Section[] = [];
  while (at.pos < at.end) {
    const start = at.pos;
    const id = byte(at);
    const size = u32(at);
    const contentStart = at.pos;
    const content = cursor(module, contentStart, contentStart + size, file);
    take(at, size);
    const sectionName = id === SECTION_CUSTOM ? name(content) : '';
    sections.push({ id, name: sectionName, start, contentStart, payloadStart: content.pos, end: at.pos });
  }
  return sections;
}

/** Field names of the imports, by import kind, in index order: an undefined function, global,
 * table or tag symbol without an explicit name is called after its import. */
function importNames(module: Uint8Array, section: Section | undefined, file: string): Map<number, string[]> {
  const names = new Map<number, string[]>([0, 1, 2, 3, 4].map((kind) => [kind, []]));
  if (!section) return names;
  const at = cursor(module, section.contentStart, section.end, file);
  const refType = () => {
    const type = byte(at);
    if (type === 0x63 || type === 0x64) skipLeb(at); // (ref null? <heap type>) of the GC proposal
  };
  const limits = () => {
    const flags = byte(at);
    skipLeb(at);
    if (flags & 1) skipLeb(at);
  };
  for (let count = u32(at); count > 0; count--) {
    name(at);
    const field = name(at);
    const kind = byte(at);
    if (kind === 0) {
      u32(at); // type
    } else if (kind === 1) {
      refType();
      limits();
    } else if (kind === 2) {
      limits();
    } else if (kind === 3) {
      refType(); // or a number type: one byte
      byte(at); // mutability
    } else if (kind === 4) {
      byte(at); // attribute
      u32(at); // type
    } else {
      throw malformed(at, `import kind ${kind}`);
    }
    names.get(kind)!.push(field);
  }
  return names;
}

interface ObjectSymbol {
  kind: number;
  flags: number;
  defined: boolean;
  /** '' for section symbols. */
  name: string;
  /** Where the symbol table holds its name (length and bytes); 0 when it is the import's. */
  nameStart: number;
  nameEnd: number;
  /** Where its flags are encoded. */
  flagsStart: number;
  flagsEnd: number;
}

function readSymbolTable(at: Cursor, imports: Map<number, string[]>): ObjectSymbol[] {
  const symbols: ObjectSymbol[] = [];
  for (let count = u32(at); count > 0; count--) {
    const kind = byte(at);
    const flagsStart = at.pos;
    const flags = u32(at);
    const symbol: ObjectSymbol = { kind, flags, defined: !(flags & WASM_SYM_UNDEFINED), name: '', nameStart: 0, nameEnd: 0, flagsStart, flagsEnd: at.pos };
    const ownName = () => {
      symbol.nameStart = at.pos;
      symbol.name = name(at);
      symbol.nameEnd = at.pos;
    };
    if (kind === SYMTAB_DATA) {
      ownName();
      if (symbol.defined) for (let field = 0; field < 3; field++) u32(at); // segment, offset, size
    } else if (kind === SYMTAB_SECTION) {
      u32(at);
    } else if (kind in IMPORT_KIND) {
      const index = u32(at);
      if (symbol.defined || flags & WASM_SYM_EXPLICIT_NAME) ownName();
      else {
        const imported = imports.get(IMPORT_KIND[kind]!)![index];
        if (imported === undefined) throw malformed(at, `symbol of import ${index}, which does not exist`);
        symbol.name = imported;
      }
    } else {
      throw malformed(at, `symbol kind ${kind}`);
    }
    symbols.push(symbol);
  }
  if (at.pos !== at.end) throw malformed(at, 'symbol table longer than its symbols');
  return symbols;
}

// ---------------------------------------------------------------------------------- writing

function minimalU32(value: number): Uint8Array {
  const out: number[] = [];
  do {
    const low = value & 0x7f;
    value = Math.floor(value / 128);
    out.push(value ? low | 0x80 : low);
  } while (value);
  return Uint8Array.from(out);
}

/** `value` as a LEB128 of exactly `length` bytes (it must fit). */
function paddedTo(value: number, length: number): Uint8Array {
  if (value >= 2 ** (7 * length)) throw new BuildError(`flags ${value} do not fit in ${length} bytes`);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = ((value >>> (7 * i)) & 0x7f) | (i < length - 1 ? 0x80 : 0);
  return out;
}

function paddedU32(value: number): Uint8Array {
  const out = new Uint8Array(5);
  for (let i = 0; i < 4; i++) out[i] = ((value >>> (7 * i)) & 0x7f) | 0x80;
  out[4] = value >>> 28;
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
