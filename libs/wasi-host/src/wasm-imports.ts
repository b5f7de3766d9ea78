// Reads a module's imports together with their function types. Node's WebAssembly.Module.imports()
// does not report types, and the WasmEdge ABI has two shapes for four sock_* calls that only the
// arity tells apart, so we parse the type and import sections ourselves.

export interface FuncImport {
  module: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  params?: number[]; // value type bytes (0x7f = i32, 0x7e = i64, ...)
  results?: number[];
  /** A memory's limits, in 64 KiB pages (max absent: none declared). */
  limits?: MemoryLimits;
}

export interface MemoryLimits {
  min: number;
  max?: number;
  shared: boolean;
  memory64: boolean;
}

export const WASI_MODULE = 'wasi_snapshot_preview1';
const I32 = 0x7f;

/** The preview1 functions this host implements (wasi-process.ts, fs/wasi-fs.ts, poll-oneoff.ts, sock_*). */
export const PREVIEW1_FUNCTIONS: ReadonlySet<string> = new Set([
  'args_get', 'args_sizes_get', 'clock_res_get', 'clock_time_get', 'environ_get', 'environ_sizes_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_get', 'fd_prestat_dir_name', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'random_get', 'sched_yield',
]);

/** Param counts of the socket calls this host implements: [V1, V2] (equal when only one shape). */
export const SOCKET_ARITIES: Readonly<Record<string, readonly number[]>> = {
  sock_open: [3],
  sock_bind: [3],
  sock_connect: [3],
  sock_listen: [2],
  sock_accept: [2, 3],
  sock_recv: [6],
  sock_send: [5],
  sock_recv_from: [7, 8],
  sock_send_to: [7],
  sock_shutdown: [2],
  sock_getsockopt: [5],
  sock_setsockopt: [5],
  sock_getlocaladdr: [4, 3],
  sock_getpeeraddr: [4, 3],
  sock_getaddrinfo: [8],
};

export class WasmParseError extends Error {}

/** `n` (an unsigned 32-bit integer) as the LEB128 bytes of the binary format. */
export function u32Leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Reads a module's bytes, LEB128 integers and names from `pos` up to `end`. */
export class Reader {
  pos = 0;
  readonly b: Uint8Array;
  readonly end: number;

  constructor(b: Uint8Array, end = b.length) {
    this.b = b;
    this.end = end;}
  byte(): number {
    if (this.pos >= this.end) throw new WasmParseError('unexpected end of module');
    return this.b[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 35) throw new WasmParseError('bad LEB128');
    }
    return result;
  }
  /** Skips a signed or unsigned LEB128 of any width. */
  skipLeb(): void {
    while (this.byte() & 0x80);
  }
  name(): string {
    const len = this.u32();
    if (this.pos + len > this.end) throw new WasmParseError('name past end');
    const s = Buffer.from(this.b.buffer, this.b.byteOffset + this.pos, len).toString('utf8');
    this.pos += len;
    return s;
  }
  limits(): MemoryLimits {
    const flags = this.byte();
    const min = this.u32();
    const max = flags & 1 ? this.u32() : undefined;
    return { min, ...(max !== undefined ? { max } : {}), shared: (flags & 2) !== 0, memory64: (flags & 4) !== 0 };
  }
}

export function isWasmBinary(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
}

/** The module's sections in order: id and [start, end) of each, its id byte and size included. */
export function moduleSections(bytes: Uint8Array): Array<{ id: number; start: number; end: number }> {
  if (!isWasmBinary(bytes)) throw new WasmParseError('not a WebAssembly module (bad magic)');
  const r = new Reader(bytes);
  r.pos = 8;
  const sections: Array<{ id: number; start: number; end: number }> = [];
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.byte();
    const end = r.u32() + r.pos;
    if (end > bytes.length) throw new WasmParseError('section past end of module');
    sections.push({ id, start, end });
    r.pos = end;
  }
  return sections;
}

/** Lists the module's imports, with params/results for functions. */
export function readImports(bytes: Uint8Array): FuncImport[] {
  if (!isWasmBinary(bytes)) throw new WasmParseError('not a WebAssembly module (bad magic)');
  const r = new Reader(bytes);
  r.pos = 8;
  const types: { params: number[]; results: number[] }[] = [];
  const imports: FuncImport[] = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) throw new WasmParseError('section past end of module');
    const s = new Reader(bytes, end);
    s.pos = r.pos;
    if (id === 1) {
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        const form = s.byte();
        if (form !== 0x60) throw new WasmParseError(`unsupported type form 0x${form.toString(16)}`);
        const params = Array.from({ length: s.u32() }, () => s.byte());
        const results = Array.from({ length: s.u32() }, () => s.byte());
        types.push({ params, results });
      }
    } else if (id === 2) {
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        const module = s.name();
        const name = s.name();
        const kind = s.byte();
        if (kind === 0) {
          const t = types[s.u32()];
          if (!t) throw new WasmParseError('import refers to a missing type');
          imports.push({ module, name, kind: 'function', params: t.params, results: t.results });
        } else if (kind === 1) {
          s.byte();
          s.limits();
          imports.push({ module, name, kind: 'table' });
        } else if (kind === 2) {
          imports.push({ module, name, kind: 'memory', limits: s.limits() });
        } else if (kind === 3) {
          s.byte();
          s.byte();
          imports.push({ module, name, kind: 'global' });
        } else if (kind === 4) {
          s.byte();
          s.u32();
          imports.push({ module, name, kind: 'tag' });
        } else {
          throw new WasmParseError(`unknown import kind ${kind}`);
        }
      }
      return imports; // nothing after the import section matters here
    }
    r.pos = end;
  }
  return imports;
}

/** The ABI generation (1 or 2) each shape-switching socket import uses, by name. */
export type SocketShapes = Record<string, 1 | 2>;

export interface ModuleCheck {
  ok: boolean;
  /** Set when the bytes are not a valid WebAssembly module. */
  error?: string;
  /** Imports this host cannot provide, as `module.name` (with a reason for wrong shapes). */
  missing: string[];
  shapes: SocketShapes;
  /** The module imports at least one call of the socket extension. */
  usesSockets?: boolean;
  /** A wasi-threads module: it imports its shared memory (these limits) and `wasi`.`thread-spawn`
   * (threads/). */
  threads?: { memory: MemoryLimits };
}

/** Validates a module and lists the imports the host cannot satisfy. `validate: false` skips
 * V8's full validation (for callers that compile the module next, which validates anyway). */
export function checkModule(bytes: Uint8Array, opts: { validate?: boolean } = {}): ModuleCheck {
  if (!isWasmBinary(bytes)) return { ok: false, error: 'not a WebAssembly module', missing: [], shapes: {} };
  if (opts.validate !== false && !WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
    return { ok: false, error: 'invalid WebAssembly module', missing: [], shapes: {} };
  }
  let imports: FuncImport[];
  try {
    imports = readImports(bytes);
  } catch (e) {
    return { ok: false, error: (e as Error).message, missing: [], shapes: {} };
  }
  const missing: string[] = [];
  const shapes: SocketShapes = {};
  let usesSockets = false;
  const threads = threadImports(imports, missing);
  for (const imp of imports) {
    const label = `${imp.module}.${imp.name}`;
    if (isThreadImport(imp)) continue;
    if (imp.module !== WASI_MODULE || imp.kind !== 'function') {
      missing.push(label);
      continue;
    }
    const arities = SOCKET_ARITIES[imp.name];
    if (arities) {
      usesSockets = true;
      const params = imp.params ?? [];
      const idx = arities.indexOf(params.length);
      const typesOk = params.every((p) => p === I32) && imp.results?.length === 1 && imp.results[0] === I32;
      if (idx < 0 || !typesOk) {
        missing.push(`${label} (unsupported signature: ${params.length} params)`);
        continue;
      }
      if (arities.length > 1) shapes[imp.name] = idx === 0 ? 1 : 2;
      continue;
    }
    if (!PREVIEW1_FUNCTIONS.has(imp.name)) missing.push(label);
  }
  return { ok: missing.length === 0, missing, shapes, usesSockets, ...(threads ? { threads } : {}) };
}

/** The imports of the wasi-threads ABI: the shared memory (`env`.`memory`) and `wasi`.`thread-spawn`. */
const isThreadImport = (imp: FuncImport): boolean =>
  (imp.module === 'env' && imp.name === 'memory' && imp.kind === 'memory') || (imp.module === 'wasi' && imp.name === 'thread-spawn');

/** A wasi-threads module's imports checked: its memory's limits, or null for a module without
 * them. What this host cannot give goes to `missing`, with the reason. */
function threadImports(imports: FuncImport[], missing: string[]): { memory: MemoryLimits } | null {
  const memory = imports.find((i) => i.module === 'env' && i.name === 'memory' && i.kind === 'memory');
  const spawn = imports.find((i) => i.module === 'wasi' && i.name === 'thread-spawn');
  if (!memory && !spawn) return null;
  let ok = true;
  if (spawn && !(spawn.kind === 'function' && spawn.params?.length === 1 && spawn.params[0] === I32 && spawn.results?.length === 1 && spawn.results[0] === I32)) {
    missing.push('wasi.thread-spawn (unsupported signature: the wasi-threads ABI is (i32) -> i32)');
    ok = false;
  }
  const limits = memory?.limits;
  if (!memory || !limits) {
    missing.push('env.memory (a module that spawns threads must import its shared memory)');
    return null;
  }
  if (!limits.shared || limits.memory64) {
    missing.push(`env.memory (only a shared 32-bit memory is provided, for wasi-threads; this one is ${limits.memory64 ? '64-bit' : 'not shared'})`);
    return null;
  }
  return ok ? { memory: limits } : null;
}
