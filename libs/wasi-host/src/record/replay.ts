// Replay: the recorded module runs again, on this thread, with an import object that answers every
// call from the log alone — no file, socket or clock of the host is touched, sleeps return at once.
// Each call must be the one the log holds next (its name, its arguments, the guest memory it
// read); the host's recorded writes are put back into guest memory and its recorded result
// returned. What the guest writes to its stdout and stderr is written out as in the original run.
import { readFileSync, writeSync } from 'node:fs';
import { GuestMemory } from '../abi/guest-memory.ts';
import { limitMemory } from '../memory-limit.ts';
import { decodeImage, restoreInstance } from '../snapshot/image.ts';
import { ProcExit } from '../wasi-process.ts';
import { Outcome, parseLog, type CallRecord, type ParsedLog } from './format.ts';
import { describeCall } from './describe.ts';
import { sha256 } from './open-log.ts';
import { OutputFds } from './output-fds.ts';

/** A replay that stopped at a record of the log: `record` is its number (or -1). */
abstract class ReplayStopError extends Error {
  readonly record: number;

  constructor(record: number, message: string) {
    super(message);
    this.record = record;
  }
}

/** A replay that is not the recorded run: another module, snapshot or arguments, or a call the log
 * does not hold next. `record` is the number of the log's record where it parted (or -1). */
export class ReplayDivergenceError extends ReplayStopError {
  override name = 'ReplayDivergenceError';
}

/** The log stops before the run did (cut off by a kill, or its size cap): the replay went that
 * far, and stopped. */
export class ReplayCutOffError extends ReplayStopError {
  override name = 'ReplayCutOffError';
}

export interface ReplayOptions {
  /** The run log: a path or its bytes. */
  log: string | Uint8Array;
  /** The module that was recorded: a path or its bytes (its sha256 must be the log's). Default:
   * the one an exported log carries. */
  module?: string | Uint8Array;
  /** When given, must be the recorded argv (a replay cannot change them). */
  args?: string[];
  /** The snapshot the run restored, if not at the path the log names (its sha256 must match). */
  snapshot?: string;
  /** Where the guest's stdout and stderr go: a host fd or a function. Default this process's. */
  stdout?: number | ((bytes: Uint8Array) => void);
  stderr?: number | ((bytes: Uint8Array) => void);
}

const short = (hash: string) => hash.slice(0, 12);

type Sink = (bytes: Uint8Array) => void;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `b` to a host fd; one Node left non-blocking (a pipe) is waited on. */
function writeAll(fd: number, b: Uint8Array): void {
  for (let off = 0; off < b.length; ) {
    try {
      off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

const sinkOf = (target: number | Sink): Sink => (typeof target === 'function' ? (b) => target(b.slice()) : (b) => writeAll(target, b));

/** Replays a run log; resolves with the run's exit code (the recorded one). */
export async function replayWasi(options: ReplayOptions): Promise<number> {
  const logName = typeof options.log === 'string' ? options.log : 'the log';
  const log = parseLog(typeof options.log === 'string' ? readFileSync(options.log) : options.log, logName);
  const { header } = log;
  const given = options.module ?? log.attachments.module;
  if (!given) throw new TypeError(`replayWasi: give the module that was recorded (${header.module.name}): ${logName} does not carry it`);
  const moduleName = typeof options.module === 'string' ? options.module : options.module ? 'the module' : `the module ${logName} carries`;
  const bytes = typeof given === 'string' ? readFileSync(given) : given;
  const hash = sha256(bytes);
  if (hash !== header.module.sha256) {
    throw new ReplayDivergenceError(-1, `${logName} was recorded with ${header.module.name} (sha256 ${short(header.module.sha256)}…); ${moduleName} is another module (sha256 ${short(hash)}…): replay it with the recorded one`);
  }
  if (options.args && JSON.stringify(options.args) !== JSON.stringify(header.args)) {
    throw new ReplayDivergenceError(-1, `${logName} was recorded with the arguments ${JSON.stringify(header.args)}, not ${JSON.stringify(options.args)}: a replay runs the recorded ones`);
  }
  let snapshot: Buffer | undefined;
  if (header.snapshot) {
    const file = options.snapshot ?? (log.attachments.snapshot ? null : header.snapshot.path);
    try {
      snapshot = file === null ? Buffer.from(log.attachments.snapshot!) : readFileSync(file);
    } catch {
      throw new ReplayDivergenceError(-1, `${logName}: the run restored the snapshot ${header.snapshot.path}, which is not there: give its copy (sha256 ${short(header.snapshot.sha256)}…) as the replay's snapshot`);
    }
    const got = sha256(snapshot);
    if (got !== header.snapshot.sha256) throw new ReplayDivergenceError(-1, `${logName}: the run restored a snapshot with sha256 ${short(header.snapshot.sha256)}…; ${file ?? 'the one the log carries'} is another (sha256 ${short(got)}…)`);
  }
  const limited = header.maxMemoryBytes !== undefined ? limitMemory(bytes, header.maxMemoryBytes, moduleName) : bytes;
  const module = await WebAssembly.compile(limited as Uint8Array<ArrayBuffer>);
  const names = WebAssembly.Module.imports(module).filter((i) => i.kind === 'function').map((i) => i.name);
  if (JSON.stringify(names) !== JSON.stringify(header.imports)) throw new ReplayDivergenceError(-1, `${logName}: the module's imports are not the recorded ones`);

  let memory: WebAssembly.Memory | null = null;
  const mem = new GuestMemory(() => memory!);
  const player = new Player(log, logName, mem, { 1: sinkOf(options.stdout ?? 1), 2: sinkOf(options.stderr ?? 2) });
  const imports: Record<string, (...args: Array<number | bigint>) => number> = {};
  names.forEach((name) => {
    imports[name] = (...args) => player.call(name, args);
  });
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: imports });
  if (!(instance.exports.memory instanceof WebAssembly.Memory)) throw new Error(`${moduleName} exports no memory`);
  memory = instance.exports.memory;
  if (snapshot) restoreInstance(instance, decodeImage(snapshot));
  let code = 0;
  try {
    (instance.exports._start as () => void)();
  } catch (e) {
    if (!(e instanceof ProcExit)) throw e;
    code = e.code;
  }
  player.ended(code);
  return code;
}

class Player {
  private seq = 0;
  private readonly log: ParsedLog;
  private readonly logName: string;
  private readonly mem: GuestMemory;
  private readonly sinks: Record<1 | 2, Sink>;
  private readonly outputs = new OutputFds();

  constructor(log: ParsedLog, logName: string, mem: GuestMemory, sinks: Record<1 | 2, Sink>) {
    this.log = log;
    this.logName = logName;
    this.mem = mem;
    this.sinks = sinks;
  }

  private stopped(actual: string): never {
    const n = this.seq;
    if (this.log.cutOff) throw new ReplayCutOffError(n, `${this.logName}: replayed ${n} calls, up to where the log stops: ${this.log.cutOff}. The guest went on with ${actual}`);
    const end = this.log.end!;
    if (end.outcome === 'capped') throw new ReplayCutOffError(n, `${this.logName}: replayed ${n} calls, up to where the recording reached its size cap (${end.maxBytes} bytes); the guest went on with ${actual}`);
    throw new ReplayDivergenceError(n, `${this.logName}: record ${n}: the guest called ${actual}, and the log holds no more calls`);
  }

  call(name: string, args: Array<number | bigint>): number {
    const header = this.log.header;
    const r = this.log.records[this.seq];
    if (!r) this.stopped(describeCall(name, args));
    const expected = header.imports[r.fn]!;
    if (expected !== name || !sameArgs(r.args, args)) {
      throw new ReplayDivergenceError(r.seq, `${this.logName}: record ${r.seq}: expected ${describeCall(expected, r.args)}, the guest called ${describeCall(name, args)}`);
    }
    const u8 = this.mem.wholeBytes();
    for (const s of r.reads) {
      const now = u8.subarray(s.ptr, s.ptr + s.bytes.length);
      if (!Buffer.from(now.buffer, now.byteOffset, now.length).equals(s.bytes)) {
        throw new ReplayDivergenceError(r.seq, `${this.logName}: record ${r.seq}: ${describeCall(name, args)} passed other data than recorded (${s.bytes.length} bytes at ${s.ptr}: ${JSON.stringify(preview(s.bytes))} recorded, ${JSON.stringify(preview(now))} now)`);
      }
    }
    for (const s of r.writes) this.mem.write(s.ptr, s.bytes);
    this.seq++;
    if (name === 'fd_write' && r.outcome === Outcome.RETURNED && r.value === 0) this.output(r);
    this.outputs.note(name, r);
    if (r.outcome === Outcome.EXITED) throw new ProcExit(r.value);
    if (r.outcome === Outcome.THREW) throw new Error(`the recorded run failed in ${name} (record ${r.seq}): ${r.message}`);
    return r.value | 0;
  }

  /** A write to stdout or stderr: the bytes the host took (nwritten of what the guest passed). */
  private output(r: CallRecord): void {
    const stream = this.outputs.stream(r.args[0] as number);
    const nwritten = r.writes[0];
    if (!stream || !nwritten) return;
    let left = Buffer.from(nwritten.bytes).readUInt32LE(0);
    for (const s of r.reads) {
      if (left <= 0) break;
      const n = Math.min(left, s.bytes.length);
      if (n > 0) this.sinks[stream](s.bytes.subarray(0, n));
      left -= n;
    }
  }

  /** The guest exited with `code`: so did the recorded run, at the same record. */
  ended(code: number): void {
    const { records, end, cutOff } = this.log;
    if (this.seq < records.length) throw new ReplayDivergenceError(this.seq, `${this.logName}: record ${this.seq}: the guest exited (status ${code}); the log holds ${records.length - this.seq} more calls, the next ${describeCall(this.log.header.imports[records[this.seq]!.fn]!, records[this.seq]!.args)}`);
    if (cutOff) throw new ReplayCutOffError(this.seq, `${this.logName}: the guest exited (status ${code}) after the last recorded call, but ${cutOff}`);
    if (end?.outcome === 'exit' && end.code !== code) throw new ReplayDivergenceError(this.seq, `${this.logName}: the guest exited with status ${code}; the recorded run exited with ${end.code}`);
    if (end?.outcome === 'error') throw new ReplayDivergenceError(this.seq, `${this.logName}: the guest exited with status ${code}; the recorded run failed: ${end.message}`);
  }
}

function sameArgs(recorded: Array<number | bigint>, actual: Array<number | bigint>): boolean {
  if (recorded.length !== actual.length) return false;
  return recorded.every((v, i) => {
    const a = actual[i]!;
    return typeof a === 'bigint' ? typeof v === 'bigint' && BigInt.asIntN(64, a) === v : typeof v === 'number' && a >>> 0 === v;
  });
}

function preview(b: Uint8Array): string {
  const s = Buffer.from(b.subarray(0, 40)).toString('latin1');
  return b.length > 40 ? s + '…' : s;
}
