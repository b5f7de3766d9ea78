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
import { CALL_SHAPES, type CallShape, type SpanContext } from './call-shapes.ts';
import { encodeFrame, encodeJson, FrameKind, magic, Outcome, type LogEnd, type LogHeader } from './format.ts';
import { SpanList } from './spans.ts';

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
  /** The batch being filled: each call's record is encoded straight into it (recordImports). */
  readonly batch = new ByteWriter();
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

  /** µs since the recording began, at `performance.now()` reading `t`. */
  us(t: number): number {
    return Math.round((t - this.t0) * 1000);
  }

  /** Begins a record in the batch, at `performance.now()` reading `t`. Before a call that may
   * block, a batch held back for a while is written first; false when that reached the size cap
   * (the call then runs unrecorded). */
  begin(t: number, mayWait: boolean): boolean {
    if (mayWait && this.batch.length > 0 && t - this.lastWrite > FLUSH_BEFORE_WAIT_MS) {
      this.flush();
      if (!this.active) return false;
    }
    if (this.batch.length === 0) this.batch.uint(this.seq);
    return true;
  }

  /** Ends the record begun: a batch grown large is written. */
  end(): void {
    this.seq++;
    if (this.batch.length >= BATCH_BYTES) this.flush();
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

/** The spans' count, then each span's pointer and bytes (format.ts's record). */
function encodeSpans(w: ByteWriter, spans: SpanList, u8: Uint8Array): void {
  w.uint(spans.count);
  for (let i = 0; i < spans.count; i++) {
    const ptr = spans.ptr(i);
    w.uint(ptr);
    w.bytesOf(u8, ptr, spans.len(i));
  }
}

/** What every wrapped import of one recording shares. */
interface Shared {
  rec: Recorder;
  mem: GuestMemory;
  ctx: SpanContext;
  /** The spans of the call running now (calls do not nest): filled by its shape, encoded, reused. */
  spans: SpanList;
  /** What the call running now read, encoded before the call (which may write over it) and
   * appended to its record after the outcome, where the format has it. */
  reads: ByteWriter;
  verify: boolean;
}

/** Fills `spans` from a shape; a shape whose pointers lead outside memory keeps none. */
function shapeSpans(f: (out: SpanList) => void, spans: SpanList, size: number): void {
  spans.reset(size);
  try {
    f(spans);
  } catch {
    spans.reset(size);
  }
}

/** One import, recorded: its arguments are encoded into the batch before the call, what it read
 * into `reads`; its time, outcome, reads and the memory it wrote after. Fixed parameters, not a
 * rest array, and one arguments array per import reused by each call: this runs on every call
 * the guest makes (preview1 calls take at most 9 arguments; `arguments.length` is how many the
 * guest passed). */
function recordCall(name: string, index: number, fn: HostFn, s: Shared): HostFn {
  const { rec, mem, ctx, spans, reads, verify } = s;
  const shape: CallShape = CALL_SHAPES[name] ?? {};
  const readsOf = shape.reads;
  const writesOf = shape.writes;
  const mayWait = MAY_WAIT.has(name);
  const a: Array<number | bigint> = [];
  const args = a as number[];
  const readSpans = readsOf ? (out: SpanList) => readsOf(args, mem, out) : null;
  const writeSpans = writesOf ? (out: SpanList) => writesOf(args, mem, out, ctx) : null;
  return function recorded(a0, a1, a2, a3, a4, a5, a6, a7, a8): number {
    if (!rec.active) return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8);
    const t = performance.now();
    if (!rec.begin(t, mayWait)) return fn(a0, a1, a2, a3, a4, a5, a6, a7, a8);
    const argc = arguments.length;
    if (a.length !== argc) a.length = argc;
    if (argc > 0) a[0] = a0;
    if (argc > 1) a[1] = a1;
    if (argc > 2) a[2] = a2;
    if (argc > 3) a[3] = a3;
    if (argc > 4) a[4] = a4;
    if (argc > 5) a[5] = a5;
    if (argc > 6) a[6] = a6;
    if (argc > 7) a[7] = a7;
    if (argc > 8) a[8] = a8;
    const w = rec.batch;
    w.uint(index);
    w.uint(argc);
    let mask = 0;
    for (let i = 0; i < argc; i++) if (typeof a[i] === 'bigint') mask |= 1 << i;
    w.uint(mask);
    for (let i = 0; i < argc; i++) {
      const v = a[i]!;
      if (typeof v === 'bigint') w.u64(v);
      else w.uint(v >>> 0);
    }
    if (readSpans) {
      shapeSpans(readSpans, spans, mem.size);
      reads.reset();
      encodeSpans(reads, spans, mem.wholeBytes());
    }
    const before = verify ? mem.wholeBytes().slice() : null;
    const startUs = rec.us(t);
    let result: number;
    try {
      result = fn(a0, a1, a2, a3, a4, a5, a6, a7, a8);
    } catch (e) {
      w.uint(startUs);
      w.uint(rec.us(performance.now()) - startUs);
      if (e instanceof ProcExit) {
        w.u8(Outcome.EXITED);
        w.uint(e.code >>> 0);
      } else {
        w.u8(Outcome.THREW);
        w.bytes(Buffer.from(e instanceof Error ? e.message : String(e), 'utf8'));
      }
      if (readSpans) w.append(reads);
      else w.uint(0);
      w.uint(0);
      rec.end();
      throw e;
    }
    w.uint(startUs);
    w.uint(rec.us(performance.now()) - startUs);
    w.u8(Outcome.RETURNED);
    w.uint(result >>> 0);
    if (readSpans) w.append(reads);
    else w.uint(0);
    if (result === 0 && writeSpans) {
      shapeSpans(writeSpans, spans, mem.size);
      encodeSpans(w, spans, mem.wholeBytes());
      if (before) checkWrites(name, before, mem.wholeBytes(), spans);
    } else {
      w.uint(0);
      if (before) checkWrites(name, before, mem.wholeBytes(), null);
    }
    rec.end();
    return result;
  };
}

/** Wraps every import: each call is recorded (and its answer returned unchanged). */
export function recordImports(imports: Record<string, HostFn>, names: readonly string[], mem: GuestMemory, ctx: SpanContext, rec: Recorder, verify: boolean): Record<string, HostFn> {
  const out: Record<string, HostFn> = {};
  const shared: Shared = { rec, mem, ctx, spans: new SpanList(), reads: new ByteWriter(), verify };
  names.forEach((name, index) => {
    const fn = imports[name];
    if (!fn) return; // instantiation reports the missing import
    out[name] = recordCall(name, index, fn, shared);
  });
  return out;
}

/** verifyWrites: every byte the call changed lies in a recorded span. */
function checkWrites(name: string, before: Uint8Array, after: Uint8Array, writes: SpanList | null): void {
  const CHUNK = 4096;
  const b = Buffer.from(before.buffer, before.byteOffset, before.byteLength);
  const a = Buffer.from(after.buffer, after.byteOffset, Math.min(after.byteLength, before.byteLength));
  for (let c = 0; c < a.length; c += CHUNK) {
    const end = Math.min(a.length, c + CHUNK);
    if (b.subarray(c, end).equals(a.subarray(c, end))) continue;
    for (let i = c; i < end; i++) {
      if (a[i] === b[i]) continue;
      if (!writes?.covers(i)) throw new Error(`record: ${name} changed guest memory at ${i}, outside the spans its shape names (record/call-shapes.ts)`);
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
