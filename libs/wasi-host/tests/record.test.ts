// Record, replay and trace (src/record/): a C guest (fixtures/record/timecraft.c) that reads a
// file, draws random numbers, reads the clocks, sleeps and prints is recorded; its file is then
// deleted and the replay, answered from the log alone, prints the same bytes and exits the same.
// Every recorded run compares the guest's whole memory around each call (verifyWrites), so a
// byte the host wrote that the log would not restore fails the test.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { compileCProgram } from '../../../tools/testing/c-program.ts';
import { runNx } from '../../../tools/testing/nx.ts';
import { runWasi } from '../src/run-wasi.ts';
import { replayWasi, ReplayCutOffError, ReplayDivergenceError } from '../src/record/replay.ts';
import { encodeFrame, encodeJson, FRAME_HEAD, FrameKind, LOG_VERSION, MAGIC_SIZE, magic, parseLog, withAttachments, writeRecord, type CallRecord, type ParsedLog } from '../src/record/format.ts';
import { ByteWriter } from '../src/record/bytes.ts';
import { LogFormatError } from '../src/record/bytes.ts';
import { traceLog } from '../src/record/trace.ts';

let wasm = '';
let dir = '';

// A test runs the module two or three times (compile, record, replay): seconds on a loaded machine.
jest.setTimeout(60_000);

beforeAll(async () => {
  await runNx(['build', 'wasi-libc']);
  wasm = await compileCProgram({ sources: [path.join(import.meta.dirname, 'fixtures', 'record', 'timecraft.c')], packages: [] });
  dir = mkdtempSync(path.join(tmpdir(), 'pywasi-record-'));
}, 20 * 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A log written again from its parsed form, each record through `edit`, in format `version`. */
function rewriteLog(log: ParsedLog, edit: (r: CallRecord) => CallRecord, version = LOG_VERSION): Buffer {
  const w = new ByteWriter();
  w.uint(0);
  for (const r of log.records) writeRecord(w, edit(r));
  const frame = (kind: number, payload: Uint8Array) => encodeFrame(kind, payload, version);
  return Buffer.concat([magic(version), frame(FrameKind.HEADER, encodeJson({ ...log.header, format: version })), frame(FrameKind.BATCH, w.view()), frame(FrameKind.END, encodeJson(log.end))]);
}

/** Where the log's first batch frame ends (its header frame is before it). */
function firstBatchEnd(log: Uint8Array): number {
  const b = Buffer.from(log);
  const headerEnd = 8 + 9 + b.readUInt32LE(8 + 1);
  return headerEnd + 9 + b.readUInt32LE(headerEnd + 1);
}

const collect = () => {
  const out = { stdout: '', stderr: '' };
  return { out, stdout: (b: Uint8Array) => (out.stdout += Buffer.from(b).toString('latin1')), stderr: (b: Uint8Array) => (out.stderr += Buffer.from(b).toString('latin1')) };
};

/** Records one run of timecraft over a fresh data file, which is then deleted. */
async function record(name: string, opts: { maxBytes?: number; content?: string } = {}) {
  const data = mkdtempSync(path.join(dir, `${name}-data-`));
  writeFileSync(path.join(data, 'input.txt'), opts.content ?? `first line of ${name}\nsecond line\n`);
  const log = path.join(dir, `${name}.log`);
  const c = collect();
  const code = await runWasi({
    module: wasm,
    args: ['timecraft', '/data/input.txt'],
    env: { GREETING: 'hello from the recording' },
    dirs: [{ host: data, guest: '/data' }],
    stdout: c.stdout,
    stderr: c.stderr,
    record: { file: log, verifyWrites: true, ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}) },
  });
  rmSync(data, { recursive: true });
  return { log, code, ...c.out };
}

describe('record and replay', () => {
  test('a replay answered from the log alone prints the same bytes and exits the same', async () => {
    const run = await record('same');
    expect(run.code).toBe(7);
    expect(run.stdout).toMatch(/^file: first line of same\nfile: second line\nrandom: [0-9a-f]{16} [0-9a-f]{16}\nwall: \d+\.\d{9}\nslept: \d+ ns\n$/);
    expect(run.stderr).toBe('to stderr: hello from the recording\n');
    // Logs hold secrets (the environment, file contents, random numbers): only the owner reads them.
    expect(statSync(run.log).mode & 0o777).toBe(0o600);

    const c = collect();
    const code = await replayWasi({ log: run.log, module: wasm, stdout: c.stdout, stderr: c.stderr });
    expect(code).toBe(7);
    expect(c.out.stdout).toBe(run.stdout);
    expect(c.out.stderr).toBe(run.stderr);
  });

  test('a log of format version 1 (deflate frames, before brotli) still replays; an unknown version is refused, saying which it reads', async () => {
    const run = await record('version1');
    const v1 = rewriteLog(parseLog(readFileSync(run.log), 'log'), (r) => r, 1);
    expect(v1.readUInt16LE(6)).toBe(1);
    // Its frames are deflate-raw: the first frame's payload inflates to the header's JSON.
    const headerLength = v1.readUInt32LE(MAGIC_SIZE + 1);
    expect(JSON.parse(inflateRawSync(v1.subarray(MAGIC_SIZE + FRAME_HEAD, MAGIC_SIZE + FRAME_HEAD + headerLength)).toString('utf8'))).toMatchObject({ format: 1 });
    const c = collect();
    expect(await replayWasi({ log: v1, module: wasm, stdout: c.stdout, stderr: c.stderr })).toBe(7);
    expect(c.out.stdout).toBe(run.stdout);
    expect(c.out.stderr).toBe(run.stderr);
    // Exported, its attachment is deflated too, and it replays.
    expect(await replayWasi({ log: withAttachments(v1, readFileSync(wasm)), stdout: () => {}, stderr: () => {} })).toBe(7);

    const future = Buffer.from(readFileSync(run.log));
    future.writeUInt16LE(9, 6);
    await expect(replayWasi({ log: future, module: wasm })).rejects.toThrow(/^the log: run log format version 9; this pywasi reads versions 1 and 2 \(replay it with the pywasi that recorded it\)$/);
  });

  test('a replay with another module or other arguments is refused, naming the divergence', async () => {
    const run = await record('other');
    const other = readFileSync(wasm);
    const changed = new Uint8Array(other.length + 12);
    changed.set(other);
    // A custom section appended: the same code, other bytes.
    changed.set([0, 10, 4, 0x6e, 0x6f, 0x74, 0x65, 1, 2, 3, 4, 5], other.length);
    await expect(replayWasi({ log: run.log, module: changed })).rejects.toThrow(/recorded with .*timecraft\.wasm \(sha256 [0-9a-f]{12}…\); the module is another module/);
    await expect(replayWasi({ log: run.log, module: wasm, args: ['timecraft', '/data/other.txt'] })).rejects.toThrow(
      /recorded with the arguments \["timecraft","\/data\/input\.txt"\], not \["timecraft","\/data\/other\.txt"\]/,
    );
  });

  test('a call the log does not hold next stops the replay with the record number, the expected and the actual call', async () => {
    const run = await record('diverge');
    const log = parseLog(readFileSync(run.log), 'log');
    const open = log.records.find((r) => log.header.imports[r.fn] === 'path_open')!;
    // The log of a run whose path_open had another directory fd: the guest's call is not it.
    const dirfd = open.args[0] as number;
    const edited = rewriteLog(log, (r) => (r === open ? { ...r, args: [dirfd + 1, ...r.args.slice(1)] } : r));
    const c = collect();
    const err = await replayWasi({ log: edited, module: wasm, stdout: c.stdout, stderr: c.stderr }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayDivergenceError);
    expect((err as ReplayDivergenceError).record).toBe(open.seq);
    expect((err as Error).message).toBe(
      `the log: record ${open.seq}: expected path_open(${[dirfd + 1, ...open.args.slice(1)].join(', ')}), the guest called path_open(${open.args.join(', ')})`,
    );
    // One whose path_open was passed another path: same call, other data.
    const path2 = rewriteLog(log, (r) => (r === open ? { ...r, reads: [{ ptr: r.reads[0]!.ptr, bytes: Buffer.from('data/other.txt') }] } : r));
    await expect(replayWasi({ log: path2, module: wasm, stdout: () => {}, stderr: () => {} })).rejects.toThrow(
      new RegExp(`record ${open.seq}: path_open\\(.*\\) passed other data than recorded \\(14 bytes at \\d+: "data/other.txt" recorded, "data/input.txt" now\\)`),
    );
  });

  test('a corrupted log is refused before the guest runs, naming where', async () => {
    const run = await record('corrupt');
    const bytes = readFileSync(run.log);
    const bad = Buffer.from(bytes);
    bad[Math.floor(bad.length / 2)]! ^= 0x40;
    const c = collect();
    const err = await replayWasi({ log: bad, module: wasm, stdout: c.stdout, stderr: c.stderr }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogFormatError);
    expect((err as Error).message).toMatch(/corrupted: the checksum of frame \d+ \(byte \d+\) does not match/);
    expect(c.out.stdout).toBe('');
    await expect(replayWasi({ log: Buffer.from('not a log at all'), module: wasm })).rejects.toThrow(/not a pywasi run log/);
  });

  test('a log cut off (killed) replays up to its last whole batch, then stops with a clear error', async () => {
    const run = await record('cut');
    const bytes = readFileSync(run.log);
    const whole = parseLog(bytes, 'log');
    // Cut inside the end frame: every batch is whole, the end is missing.
    const cut = bytes.subarray(0, bytes.length - 3);
    const parsed = parseLog(cut, 'cut');
    expect(parsed.records.length).toBe(whole.records.length);
    expect(parsed.cutOff).toMatch(/cut off at byte \d+ of \d+/);
    const c = collect();
    const err = await replayWasi({ log: cut, module: wasm, stdout: c.stdout, stderr: c.stderr }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayCutOffError);
    expect((err as Error).message).toMatch(/the guest exited \(status 7\) after the last recorded call, but the log is cut off/);
    // Everything recorded was replayed: the output is the run's.
    expect(c.out.stdout).toBe(run.stdout);
    // Cut inside its one batch: nothing of it replays, and the replay says where it stopped.
    const early = bytes.subarray(0, firstBatchEnd(bytes) - 5);
    const e2 = await replayWasi({ log: early, module: wasm, stdout: () => {}, stderr: () => {} }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(ReplayCutOffError);
    expect((e2 as Error).message).toMatch(/^the log: replayed 0 calls, up to where the log stops: the log is cut off at byte \d+ of \d+ \(a partial batch\): it holds no records\. The guest went on with fd_prestat_get\(3, \d+\)$/);
  });

  test('the size cap stops the recording with a warning; the run goes on and its replay stops where the log does', async () => {
    const warnings: string[] = [];
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation((w: string | Error) => void warnings.push(String(w)));
    // A file of 64 KiB that does not compress: its contents alone pass the cap.
    const content = Array.from({ length: 1024 }, () => randomBytes(31).toString('hex') + '\n').join('');
    const run = await record('capped', { maxBytes: 4096, content });
    emitWarning.mockRestore();
    expect(run.code).toBe(7);
    const log = parseLog(readFileSync(run.log), 'log');
    expect(log.end).toMatchObject({ outcome: 'capped', maxBytes: 4096 });
    expect(statSync(run.log).size).toBeLessThanOrEqual(4096);
    expect(warnings.join('\n')).toMatch(/the run log .*capped\.log reached its size cap \(4096 bytes\): recording stopped at record \d+; the run goes on unrecorded/);
    const err = await replayWasi({ log: run.log, module: wasm, stdout: () => {}, stderr: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayCutOffError);
    expect((err as Error).message).toMatch(/size cap \(4096 bytes\)/);
  });
});

describe('exported logs', () => {
  test('a log carrying its module (withAttachments) replays without being given it', async () => {
    const run = await record('exported');
    const exported = withAttachments(readFileSync(run.log), readFileSync(wasm));
    const c = collect();
    expect(await replayWasi({ log: exported, stdout: c.stdout, stderr: c.stderr })).toBe(7);
    expect(c.out.stdout).toBe(run.stdout);
    await expect(replayWasi({ log: run.log })).rejects.toThrow(/^replayWasi: give the module that was recorded \(.*timecraft\.wasm\): .*exported\.log does not carry it$/);
  });
});

describe('record on the calling thread', () => {
  test("thread: 'caller' records the same way, and its log replays", async () => {
    const data = mkdtempSync(path.join(dir, 'caller-data-'));
    writeFileSync(path.join(data, 'input.txt'), 'on the calling thread\n');
    const out = path.join(dir, 'caller.out');
    const fd = openSync(out, 'w');
    const log = path.join(dir, 'caller.log');
    let code: number;
    try {
      code = await runWasi({ module: wasm, args: ['timecraft', '/data/input.txt'], dirs: [{ host: data, guest: '/data' }], thread: 'caller', stdout: fd, stderr: fd, record: { file: log, verifyWrites: true } });
    } finally {
      closeSync(fd);
    }
    rmSync(data, { recursive: true });
    expect(code).toBe(7);
    const c = collect();
    expect(await replayWasi({ log, module: wasm, stdout: c.stdout, stderr: c.stdout })).toBe(7);
    expect(c.out.stdout).toBe(readFileSync(out, 'latin1'));
    expect(c.out.stdout).toMatch(/^file: on the calling thread\n/);
  });
});

describe('trace', () => {
  test('a trace shows each call decoded: paths, data, clocks and results', async () => {
    const run = await record('trace');
    const lines = traceLog(readFileSync(run.log), 'log', { times: false });
    const text = lines.join('\n');
    expect(lines[0]).toMatch(/^# "timecraft" "\/data\/input\.txt" {2}\(module .*timecraft\.wasm, sha256 [0-9a-f]{12}…, recorded /);
    expect(text).toMatch(/path_open\(\d+, "data\/input\.txt", oflags 0x0, fdflags 0x0\) = 0 → fd \d+/);
    expect(text).toContain('"first line of trace\\nsecond line\\n"');
    expect(text).toMatch(/random_get\(16 bytes\) = 0/);
    expect(text).toMatch(/clock_time_get\(MONOTONIC\) = 0 → \d+\.\d{9}/);
    expect(text).toMatch(/poll_oneoff\(1 subscriptions\) = 0 → 1 events/);
    expect(text).toMatch(/fd_write\(1, "file: first line of trace\\n/);
    expect(lines.at(-1)).toBe('+++ exited with 7 +++');
    const json = traceLog(readFileSync(run.log), 'log', { format: 'json' }).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json[0]).toMatchObject({ type: 'run', args: ['timecraft', '/data/input.txt'], env: ['GREETING'] });
    expect(json.find((j) => j['call'] === 'random_get')).toMatchObject({ args: '16 bytes', result: '0' });
    expect(json.at(-1)).toEqual({ type: 'exit', code: 7 });
  });
});
