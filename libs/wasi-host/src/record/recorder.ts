// Recording, on the guest's thread: every import of the guest wrapped so that each call — its
// name, arguments, result, the guest memory it read and the memory the host wrote — becomes a
// record of the run log (format.ts). Records are batched: a batch is compressed, checksummed and
// written whole, when it is large, before a call that may block once a second has passed since
// the last write, and at the end; a run killed meanwhile leaves a log that replays up to there.
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { GuestMemory } from '../abi/guest-memory.ts';
import type { HostFn } from '../host-call.ts';
import { ProcExit } from '../wasi-process.ts';
import { ByteWriter } from './bytes.ts';
import { CALL_SHAPES, type Span, type SpanContext } from './call-shapes.ts';
import { encodeFrame, encodeJson, FrameKind, magic, Outcome, writeRecord, type LogEnd, type LogHeader, type MemorySpan } from './format.ts';

/** A warning from wherever the guest runs: a worker's goes to the calling thread, which emits it
 * (run-in-worker.ts), so that the embedder's process sees it. */
function warn(message: string): void {
  const { isMainThread, parentPort } = process.getBuiltinModule('node:worker_threads');
  if (isMainThread || !parentPort) process.emitWarning(message, 'PywasiWarning');
  else parentPort.postMessage({ type: 'warning', message });
}

/** What the calling thread hands the guest's thread (runWasi's `record`, resolved). */
export interface RecordInit {
  /** The log file, opened 0600 by the calling thread. */
  fd: number;
  file: string;
  maxBytes: number;
  header: Omit<LogHeader, 'imports'>;
  /** Compare the whole memory around every call (tests): a write outside the recorded spans throws. */
  verifyWrites?: boolean;
}

export class RecordError extends Error {
  override name = 'RecordError';
}

/** A batch is written once its records reach this many bytes (before compression). */
const BATCH_BYTES = 256 * 1024;
/** Before the calls below, a batch held back longer than this is written. */
const FLUSH_BEFORE_WAIT_MS = 1000;
/** More than an end frame takes. */
const END_FRAME_ROOM = 256;
/** Calls that may block, and sched_yield, which python.wasm asks from its evaluation loop: a run
 * that waits, or computes for long, still has its log written up to a second ago. */
const MAY_WAIT = new Set(['poll_oneoff', 'fd_read', 'sock_accept', 'sock_recv', 'sock_recv_from', 'sock_connect', 'sched_yield']);

export class Recorder {
  private readonly init: RecordInit;
  private readonly batch = new ByteWriter();
  private batchFirst = 0;
  private seq = 0;
  private written = 0;
  private lastWrite = performance.now();
  private readonly t0 = performance.now();
  /** False once the size cap stopped the recording (calls then run unrecorded). */
  active = true;
  private ended = false;

  constructor(init: RecordInit, imports: string[]) {
    this.init = init;
    this.write(magic());
    this.write(encodeFrame(FrameKind.HEADER, encodeJson({ ...init.header, imports } satisfies LogHeader)));
  }

  private write(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) off += writeSync(this.init.fd, bytes, off, bytes.length - off);
    this.written += bytes.length;
    this.lastWrite = performance.now();
  }

  now(): number {
    return Math.round((performance.now() - this.t0) * 1000);
  }

  add(record: Parameters<typeof writeRecord>[1]): void {
    if (this.batch.length === 0) this.batch.uint(this.seq);
    writeRecord(this.batch, record);
    this.seq++;
    if (this.batch.length >= BATCH_BYTES) this.flush();
  }

  /** Before a call that may block: a batch held back for a while is written first. */
  beforeWait(): void {
    if (this.batch.length > 0 && performance.now() - this.lastWrite > FLUSH_BEFORE_WAIT_MS) this.flush();
  }

  flush(): void {
    if (!this.active || this.batch.length === 0) return;
    const frame = encodeFrame(FrameKind.BATCH, this.batch.view());
    this.batch.reset();
    // Room is kept for the end frame.
    if (this.written + frame.length + END_FRAME_ROOM > this.init.maxBytes) {
      this.stop({ records: this.batchFirst, outcome: 'capped', maxBytes: this.init.maxBytes });
      warn(`the run log ${this.init.file} reached its size cap (${this.init.maxBytes} bytes): recording stopped at record ${this.batchFirst}; the run goes on unrecorded`);
      return;
    }
    this.write(frame);
    this.batchFirst = this.seq;
  }

  /** Writes what is left and the end frame (once). */
  finish(end: { outcome: 'exit'; code: number } | { outcome: 'error'; message: string }): void {
    if (this.ended) return;
    this.flush();
    if (this.active) this.stop({ records: this.seq, ...end });
  }

  private stop(end: LogEnd): void {
    this.write(encodeFrame(FrameKind.END, encodeJson(end)));
    this.active = false;
    this.ended = true;
  }
}

/** Calls whose shape names no span, or that failed, keep none (one array for all of them). */
const NO_SPANS: MemorySpan[] = [];

/** Where the memory a call reads is copied before the call: one buffer, reused by every call
 * (a record is written before the next call begins), so no call allocates its own. */
class ReadCopies {
  private buf = new Uint8Array(64 * 1024);
  private used = 0;

  reset(): void {
    this.used = 0;
  }

  copy(from: Uint8Array): Uint8Array {
    if (this.used + from.length > this.buf.length) {
      // Spans already handed out keep the old buffer; later ones go to a larger one.
      this.buf = new Uint8Array(Math.max(this.buf.length * 2, from.length));
      this.used = 0;
    }
    const to = this.buf.subarray(this.used, this.used + from.length);
    to.set(from);
    this.used += from.length;
    return to;
  }
}

/** The spans' bytes; a span the guest's memory does not hold (the call failed on it) is left
 * out. Without `copies`, views of guest memory, for spans written out before the guest runs on. */
function memorySpans(mem: GuestMemory, spans: Span[], copies: ReadCopies | null): MemorySpan[] {
  if (spans.length === 0) return NO_SPANS;
  const out: MemorySpan[] = [];
  const size = mem.size;
  for (const [p, len] of spans) {
    const ptr = p >>> 0;
    const n = len >>> 0;
    if (n === 0 || ptr + n > size) continue;
    const bytes = mem.bytes(ptr, n);
    out.push({ ptr, bytes: copies ? copies.copy(bytes) : bytes });
  }
  return out;
}

/** The spans a shape names, or none when its pointers lead outside memory. */
function spansOf(f: ((a: number[], m: GuestMemory, ctx: SpanContext) => Span[]) | undefined, a: number[], mem: GuestMemory, ctx: SpanContext): Span[] {
  if (!f) return [];
  try {
    return f(a, mem, ctx);
  } catch {
    return [];
  }
}

/** Wraps every import: each call is recorded (and its answer returned unchanged). */
export function recordImports(imports: Record<string, HostFn>, names: readonly string[], mem: GuestMemory, ctx: SpanContext, rec: Recorder, verify: boolean): Record<string, HostFn> {
  const out: Record<string, HostFn> = {};
  const copies = new ReadCopies();
  names.forEach((name, index) => {
    const fn = imports[name];
    if (!fn) return; // instantiation reports the missing import
    const shape = CALL_SHAPES[name] ?? {};
    const mayWait = MAY_WAIT.has(name);
    out[name] = (...args: Array<number | bigint>): number => {
      if (!rec.active) return fn(...args);
      if (mayWait) rec.beforeWait();
      const a = args as number[];
      // What the call reads is copied before the call, which may write over it.
      copies.reset();
      const reads = memorySpans(mem, spansOf(shape.reads, a, mem, ctx), copies);
      const before = verify ? mem.wholeBytes().slice() : null;
      const startUs = rec.now();
      let result: number;
      try {
        result = fn(...args);
      } catch (e) {
        const durationUs = rec.now() - startUs;
        if (e instanceof ProcExit) rec.add({ fn: index, args, startUs, durationUs, outcome: Outcome.EXITED, value: e.code, reads, writes: NO_SPANS });
        else rec.add({ fn: index, args, startUs, durationUs, outcome: Outcome.THREW, value: 0, message: e instanceof Error ? e.message : String(e), reads, writes: NO_SPANS });
        throw e;
      }
      const durationUs = rec.now() - startUs;
      // What it wrote is copied once, into the batch, by rec.add below.
      const writes = result === 0 ? memorySpans(mem, spansOf(shape.writes, a, mem, ctx), null) : NO_SPANS;
      if (before) checkWrites(name, before, mem.wholeBytes(), writes);
      rec.add({ fn: index, args, startUs, durationUs, outcome: Outcome.RETURNED, value: result, reads, writes });
      return result;
    };
  });
  return out;
}

/** verifyWrites: every byte the call changed lies in a recorded span. */
function checkWrites(name: string, before: Uint8Array, after: Uint8Array, writes: MemorySpan[]): void {
  const CHUNK = 4096;
  const b = Buffer.from(before.buffer, before.byteOffset, before.byteLength);
  const a = Buffer.from(after.buffer, after.byteOffset, Math.min(after.byteLength, before.byteLength));
  for (let c = 0; c < a.length; c += CHUNK) {
    const end = Math.min(a.length, c + CHUNK);
    if (b.subarray(c, end).equals(a.subarray(c, end))) continue;
    for (let i = c; i < end; i++) {
      if (a[i] === b[i]) continue;
      if (!writes.some((w) => i >= w.ptr && i < w.ptr + w.bytes.length)) throw new Error(`record: ${name} changed guest memory at ${i}, outside the spans its shape names (record/call-shapes.ts)`);
    }
  }
}

/** A recording begun on the guest's thread: wraps the import object, then ends the log. */
export interface Recording {
  wrap(imports: Record<string, HostFn>): Record<string, HostFn>;
  finish(end: { outcome: 'exit'; code: number } | { outcome: 'error'; message: string }): void;
}

export function startRecording(init: RecordInit, module: WebAssembly.Module, mem: GuestMemory, args: string[], env: Record<string, string>): Recording {
  const functions = WebAssembly.Module.imports(module).filter((i) => i.kind === 'function');
  // A thread's calls would interleave with the others' in an order no replay can reproduce.
  const other = functions.find((i) => i.module !== 'wasi_snapshot_preview1');
  if (other) throw new RecordError(`a run of a module importing ${other.module}.${other.name} cannot be recorded: the log holds preview1 and socket calls of one thread`);
  const names = functions.map((i) => i.name);
  const rec = new Recorder(init, names);
  const ctx: SpanContext = {
    argv: args.map((s) => Buffer.from(s + '\0')),
    environ: Object.entries(env).map(([k, v]) => Buffer.from(`${k}=${v}\0`)),
  };
  return {
    wrap: (imports) => recordImports(imports, names, mem, ctx, rec, init.verifyWrites === true),
    finish: (end) => rec.finish(end),
  };
}
