// The run log's format (version 2), documented in libs/wasi-host/README.md ("Run logs"):
//
//   file   = magic "PYWREC" u16-LE version, then frames
//   frame  = u8 kind | u32-LE length | u32-LE crc32(kind, length, payload) | payload (brotli;
//            version 1, otherwise the same, deflate-raw)
//   kinds  = 1 header (JSON), 2 a batch of records, 3 the end (JSON), 4 an attachment after the
//            end (`pywasi runs export`): u8 what (1 the module, 2 the snapshot) then its bytes
//   batch  = uint first record number, then records back to back
//   record = uint import index | uint argc | uint i64-mask | args (uint, or u64 where the mask
//            has the bit) | uint start (µs since the recording began) | uint duration µs |
//            u8 outcome (0 returned: uint value; 1 exited: uint code; 2 threw: bytes message) |
//            uint n, n × (uint ptr, bytes) guest memory the call read |
//            uint n, n × (uint ptr, bytes) guest memory the host wrote
//
// A frame is whole or absent: a log cut off by a kill holds every batch flushed before it, and a
// checksum that fails anywhere else is corruption.
import { brotliCompressSync, brotliDecompressSync, constants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { ByteReader, ByteWriter, LogFormatError } from './bytes.ts';

export const LOG_VERSION = 2;
export const LOG_MAGIC = 'PYWREC';
export const MAGIC_SIZE = 8;
export const FRAME_HEAD = 9;

export const FrameKind = { HEADER: 1, BATCH: 2, END: 3, ATTACHMENT: 4 } as const;
export const Attachment = { MODULE: 1, SNAPSHOT: 2 } as const;

/** What an exported log carries besides its records, so it replays on another machine. */
export interface Attachments {
  module?: Uint8Array;
  snapshot?: Uint8Array;
}

/** What the run was: enough to refuse a replay that is not the same run. */
export interface LogHeader {
  /** The format version (LOG_VERSION when written by this pywasi; 1 in older logs). */
  format: number;
  /** ISO time the recording began. */
  created: string;
  module: { name: string; sha256: string; size: number };
  /** Set when the run restored a snapshot: replay restores the same one. */
  snapshot?: { path: string; sha256: string };
  /** The memory limit the module was run with (replay sets the same). */
  maxMemoryBytes?: number;
  args: string[];
  env: Record<string, string>;
  /** The module's function imports, in its order: a record names its call by index here. */
  imports: string[];
  host: { node: string; platform: string };
}

/** How the recording ended. */
export type LogEnd =
  | { records: number; outcome: 'exit'; code: number }
  | { records: number; outcome: 'error'; message: string }
  | { records: number; outcome: 'capped'; maxBytes: number };

export const Outcome = { RETURNED: 0, EXITED: 1, THREW: 2 } as const;

/** A span of guest memory and its bytes. */
export interface MemorySpan {
  ptr: number;
  bytes: Uint8Array;
}

export interface CallRecord {
  /** Its number in the log, from 0. */
  seq: number;
  /** Index into LogHeader.imports. */
  fn: number;
  args: Array<number | bigint>;
  /** µs from the run's first call to this call's start, and how long it took. */
  startUs: number;
  durationUs: number;
  outcome: (typeof Outcome)[keyof typeof Outcome];
  /** The result (RETURNED), the exit code (EXITED). */
  value: number;
  message?: string;
  reads: MemorySpan[];
  writes: MemorySpan[];
}

/** How each version's frame payloads are compressed. Version 2 is brotli at quality 1: on the
 * batches of a recorded asyncio HTTP server, python.wasm's pure-Python suite and a file workload
 * (bench/record-*.ts), 2-3x less CPU than deflate at level 1 and 20-35% smaller (quality 0 is
 * quicker still, but larger than quality 1 by a quarter on the HTTP server's log). */
const CODECS: Readonly<Record<number, { compress(b: Uint8Array): Buffer; decompress(b: Uint8Array): Buffer }>> = {
  1: { compress: (b) => deflateRawSync(b, { level: 1 }), decompress: (b) => inflateRawSync(b) },
  2: {
    compress: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }),
    decompress: (b) => brotliDecompressSync(b),
  },
};

export function magic(version = LOG_VERSION): Uint8Array {
  const m = Buffer.alloc(MAGIC_SIZE);
  m.write(LOG_MAGIC, 'latin1');
  m.writeUInt16LE(version, 6);
  return m;
}

/** The version of a log, checked: this pywasi reads it. */
function logVersion(buf: Buffer, name: string): number {
  if (buf.length < MAGIC_SIZE || buf.toString('latin1', 0, 6) !== LOG_MAGIC) throw new LogFormatError(`${name}: not a pywasi run log (no ${LOG_MAGIC} magic)`);
  const version = buf.readUInt16LE(6);
  if (!CODECS[version]) {
    const known = Object.keys(CODECS).join(' and ');
    throw new LogFormatError(`${name}: run log format version ${version}; this pywasi reads versions ${known} (replay it with the pywasi that recorded it)`);
  }
  return version;
}

/** One frame of a log of `version`: its payload compressed, then headed and checksummed. */
export function encodeFrame(kind: number, payload: Uint8Array, version = LOG_VERSION): Buffer {
  const body = CODECS[version]!.compress(payload);
  const frame = Buffer.allocUnsafe(FRAME_HEAD + body.length);
  frame.writeUInt8(kind, 0);
  frame.writeUInt32LE(body.length, 1);
  body.copy(frame, FRAME_HEAD);
  frame.writeUInt32LE(frameChecksum(frame, body.length), 5);
  return frame;
}

function frameChecksum(frame: Uint8Array, length: number): number {
  return crc32(frame.subarray(FRAME_HEAD, FRAME_HEAD + length), crc32(frame.subarray(0, 5)));
}

export const encodeJson = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), 'utf8');

export function writeRecord(w: ByteWriter, r: Omit<CallRecord, 'seq'>): void {
  w.uint(r.fn);
  w.uint(r.args.length);
  let mask = 0;
  for (let i = 0; i < r.args.length; i++) if (typeof r.args[i] === 'bigint') mask += 2 ** i;
  w.uint(mask);
  for (const a of r.args) {
    if (typeof a === 'bigint') w.u64(a);
    else w.uint(a >>> 0);
  }
  w.uint(r.startUs);
  w.uint(r.durationUs);
  w.u8(r.outcome);
  if (r.outcome === Outcome.THREW) w.bytes(Buffer.from(r.message ?? '', 'utf8'));
  else w.uint(r.value >>> 0);
  for (const spans of [r.reads, r.writes]) {
    w.uint(spans.length);
    for (const s of spans) {
      w.uint(s.ptr);
      w.bytes(s.bytes);
    }
  }
}

function readRecord(r: ByteReader, seq: number): CallRecord {
  const fn = r.uint();
  const argc = r.uint();
  const mask = r.uint();
  const args: Array<number | bigint> = [];
  for (let i = 0; i < argc; i++) args.push(Math.floor(mask / 2 ** i) % 2 ? r.u64() : r.uint());
  const startUs = r.uint();
  const durationUs = r.uint();
  const outcome = r.u8();
  if (outcome > Outcome.THREW) throw new LogFormatError(`record ${seq}: unknown outcome ${outcome}`);
  let value = 0;
  let message: string | undefined;
  if (outcome === Outcome.THREW) message = Buffer.from(r.bytes()).toString('utf8');
  else value = r.uint();
  const spans = (): MemorySpan[] => Array.from({ length: r.uint() }, () => ({ ptr: r.uint(), bytes: r.bytes() }));
  const reads = spans();
  const writes = spans();
  return { seq, fn, args, startUs, durationUs, outcome: outcome as CallRecord['outcome'], value, ...(message !== undefined ? { message } : {}), reads, writes };
}

/** A log as read: its header, every record of its whole batches, how it ended (absent when the
 * recording was cut off before its end frame) and what was wrong with its tail, if anything. */
export interface ParsedLog {
  header: LogHeader;
  records: CallRecord[];
  end: LogEnd | null;
  attachments: Attachments;
  /** Why the log stops early ('cut off after record N ...'), when it has no end frame. */
  cutOff: string | null;
}

/** Reads a whole log. Corruption (a bad magic, a failed checksum, a frame that does not decode)
 * throws LogFormatError naming the byte offset; a log cut off (a partial last frame, no end
 * frame) is returned with `cutOff` saying where it stops. */
export function parseLog(data: Uint8Array, name: string): ParsedLog {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const { decompress } = CODECS[logVersion(buf, name)]!;
  let at = MAGIC_SIZE;
  let header: LogHeader | null = null;
  let end: LogEnd | null = null;
  const records: CallRecord[] = [];
  const attachments: Attachments = {};
  let cutOff: string | null = null;
  let frameNo = 0;
  while (at < buf.length) {
    if (at + FRAME_HEAD > buf.length || at + FRAME_HEAD + buf.readUInt32LE(at + 1) > buf.length) {
      cutOff = `the log is cut off at byte ${at} of ${buf.length} (a partial batch)`;
      break;
    }
    const kind = buf[at]!;
    const length = buf.readUInt32LE(at + 1);
    const frame = buf.subarray(at, at + FRAME_HEAD + length);
    if (frameChecksum(frame, length) !== buf.readUInt32LE(at + 5)) throw new LogFormatError(`${name}: corrupted: the checksum of frame ${frameNo} (byte ${at}) does not match`);
    if (end && kind !== FrameKind.ATTACHMENT) throw new LogFormatError(`${name}: corrupted: frame ${frameNo} (byte ${at}) follows the end frame`);
    let payload: Buffer;
    try {
      payload = decompress(frame.subarray(FRAME_HEAD));
    } catch (e) {
      throw new LogFormatError(`${name}: corrupted: frame ${frameNo} (byte ${at}) does not decompress (${(e as Error).message})`);
    }
    const where = `${name}: frame ${frameNo} (byte ${at})`;
    if (frameNo === 0 && kind !== FrameKind.HEADER) throw new LogFormatError(`${where}: the first frame is not the header`);
    if (kind === FrameKind.HEADER) {
      if (frameNo !== 0) throw new LogFormatError(`${where}: a second header`);
      header = parseJson(payload, where) as LogHeader;
      if (!Array.isArray(header.imports) || typeof header.module?.sha256 !== 'string') throw new LogFormatError(`${where}: the header lacks the module or its imports`);
    } else if (kind === FrameKind.BATCH) {
      const r = new ByteReader(payload, where);
      const first = r.uint();
      if (first !== records.length) throw new LogFormatError(`${where}: the batch starts at record ${first}, expected ${records.length}`);
      while (!r.done) {
        const rec = readRecord(r, records.length);
        if (rec.fn >= header!.imports.length) throw new LogFormatError(`${where}: record ${rec.seq} names import ${rec.fn}; the module has ${header!.imports.length}`);
        records.push(rec);
      }
    } else if (kind === FrameKind.END) {
      end = parseJson(payload, where) as LogEnd;
    } else if (kind === FrameKind.ATTACHMENT) {
      if (payload[0] === Attachment.MODULE) attachments.module = payload.subarray(1);
      else if (payload[0] === Attachment.SNAPSHOT) attachments.snapshot = payload.subarray(1);
      else throw new LogFormatError(`${where}: unknown attachment ${payload[0]}`);
    } else throw new LogFormatError(`${where}: unknown frame kind ${kind}`);
    at += FRAME_HEAD + length;
    frameNo++;
  }
  if (!header) throw new LogFormatError(`${name}: the log holds no header (cut off at its start)`);
  if (!end && !cutOff) cutOff = `the log has no end frame (the recording was stopped before the run ended)`;
  const holds = records.length ? `records 0 to ${records.length - 1}` : 'no records';
  return { header, records, end, attachments, cutOff: cutOff && `${cutOff}: it holds ${holds}` };
}

function parseJson(payload: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new LogFormatError(`${where}: its JSON does not parse`);
  }
}

/** A log's header and end, its batches checked but not decompressed (listing many logs). */
export function logSummary(data: Uint8Array, name: string): { header: LogHeader; end: LogEnd | null; cutOff: boolean; attached: boolean } {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const { decompress } = CODECS[logVersion(buf, name)]!;
  let at = MAGIC_SIZE;
  let header: LogHeader | null = null;
  let end: LogEnd | null = null;
  let attached = false;
  for (let frameNo = 0; at + FRAME_HEAD <= buf.length; frameNo++) {
    const length = buf.readUInt32LE(at + 1);
    if (at + FRAME_HEAD + length > buf.length) break;
    const frame = buf.subarray(at, at + FRAME_HEAD + length);
    if (frameChecksum(frame, length) !== buf.readUInt32LE(at + 5)) throw new LogFormatError(`${name}: corrupted: the checksum of frame ${frameNo} (byte ${at}) does not match`);
    if (frame[0] === FrameKind.HEADER) header = parseJson(decompress(frame.subarray(FRAME_HEAD)), name) as LogHeader;
    else if (frame[0] === FrameKind.END) end = parseJson(decompress(frame.subarray(FRAME_HEAD)), name) as LogEnd;
    else if (frame[0] === FrameKind.ATTACHMENT) attached = true;
    at += FRAME_HEAD + length;
  }
  if (!header) throw new LogFormatError(`${name}: the log holds no header (cut off at its start)`);
  return { header, end, cutOff: end === null, attached };
}

/** A log made self-contained: its frames, then the module and snapshot its header names (whose
 * sha256 the caller checked), so that it replays where neither is. The attachments are compressed
 * as the log's version says. */
export function withAttachments(log: Uint8Array, module: Uint8Array, snapshot?: Uint8Array): Buffer {
  const version = logVersion(Buffer.from(log.buffer, log.byteOffset, log.byteLength), 'the log');
  const frame = (what: number, bytes: Uint8Array) => encodeFrame(FrameKind.ATTACHMENT, Buffer.concat([Buffer.of(what), bytes]), version);
  return Buffer.concat([log, frame(Attachment.MODULE, module), ...(snapshot ? [frame(Attachment.SNAPSHOT, snapshot)] : [])]);
}
