// runWasi as a library embeds it: output to functions instead of fds, one compiled module for many
// runs (several at once), and an AbortSignal that ends a guest wherever it is.
import { describe, expect, test } from '@jest/globals';
import { compileModule, Interrupter, prestartGuestThread, runWasi, WasiInterruptedError, WasiModuleError } from '../src/index.ts';
import { wat } from '../../../tools/testing/wat.ts';

const PRE = `
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)`;

/** Writes the string at `at` (`len` bytes) to `fd` through one iovec at 0. */
const write = (fd: number, at: number, len: number) => `
  (i32.store (i32.const 0) (i32.const ${at}))
  (i32.store (i32.const 4) (i32.const ${len}))
  (drop (call $write (i32.const ${fd}) (i32.const 0) (i32.const 1) (i32.const 8)))`;

/** "out1" to stdout, "err1" to stderr, "out2" to stdout; exits with stdout's filetype * 10 + 3. */
const TALKER = `(module ${PRE}
  (data (i32.const 100) "out1err1out2")
  (func (export "_start")
    ${write(1, 100, 4)} ${write(2, 104, 4)} ${write(1, 108, 4)}
    (drop (call $fdstat (i32.const 1) (i32.const 200)))
    (call $exit (i32.add (i32.mul (i32.load8_u (i32.const 200)) (i32.const 10)) (i32.const 3)))))`;

const SPINNER = `(module ${PRE} (func (export "_start") (loop $l (br $l))))`;

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString();

describe('output to functions', () => {
  test('every write reaches its function, in order, before the run settles; the guest sees a pipe', async () => {
    const seen: string[] = [];
    const code = await runWasi({
      module: await wat(TALKER),
      stdin: 0,
      stdout: (b) => seen.push(`1:${Buffer.from(b).toString()}`),
      stderr: (b) => seen.push(`2:${Buffer.from(b).toString()}`),
    });
    expect(seen).toEqual(['1:out1', '2:err1', '1:out2']);
    expect(code).toBe(6 * 10 + 3); // SOCKET_STREAM: what a pipe is in preview1
  });

  test('a function that throws ends the run with its error', async () => {
    const run = runWasi({ module: await wat(TALKER), stdin: 0, stderr: () => {}, stdout: () => { throw new Error('sink full'); } });
    await expect(run).rejects.toThrow('sink full');
  });
});

describe('one compiled module, many runs', () => {
  test('runs share it, also at the same time', async () => {
    const compiled = await compileModule(await wat(TALKER));
    const outputs = [[], [], []] as Uint8Array[][];
    const codes = await Promise.all(outputs.map((out) => runWasi({ module: compiled, stdin: 0, stdout: (b) => out.push(b), stderr: () => {} })));
    expect(codes).toEqual([63, 63, 63]);
    expect(outputs.map(text)).toEqual(['out1out2', 'out1out2', 'out1out2']);
  });

  test('bytes that are not a module fail at compileModule, in one line', async () => {
    await expect(compileModule(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]))).rejects.toThrow(WasiModuleError);
    await expect(compileModule('/nonexistent/x.wasm')).rejects.toThrow('/nonexistent/x.wasm: no such file');
    await expect(compileModule('/tmp')).rejects.toThrow('/tmp: not a file');
  });
});

describe('a guest thread started before the run', () => {
  test('runs the guest, once; a second run of it and a wrong stack size are refused', async () => {
    const thread = prestartGuestThread();
    await new Promise((r) => setTimeout(r, 100)); // it may be up (and have said so) before the run
    const out: Uint8Array[] = [];
    expect(await runWasi({ module: await wat(TALKER), stdin: 0, stdout: (b) => out.push(b), stderr: () => {}, guestThread: thread })).toBe(63);
    expect(text(out)).toBe('out1out2');
    await expect(runWasi({ module: await wat(TALKER), stdin: 0, stdout: () => {}, stderr: () => {}, guestThread: thread })).rejects.toThrow('already ran a guest');
    const other = prestartGuestThread({ stackSizeMb: 8 });
    await expect(runWasi({ module: await wat(TALKER), stdin: 0, stdout: () => {}, stderr: () => {}, guestThread: other })).rejects.toThrow('8 MiB stack');
    other.close();
  });
});

describe('Interrupter', () => {
  test('a guest that never takes the interrupt (no sched_yield, no blocking call): the second one ends the run', async () => {
    const interrupter = new Interrupter();
    expect(interrupter.interrupt()).toBe('idle');
    const run = runWasi({ module: await wat(SPINNER), stdin: 0, interrupter });
    await new Promise((r) => setTimeout(r, 300));
    expect(interrupter.interrupt()).toBe('delivered');
    expect(interrupter.interrupt()).toBe('ended');
    await expect(run).rejects.toThrow(WasiInterruptedError);
    expect(interrupter.interrupt()).toBe('idle');
  }, 20_000);

  test('is refused for a guest on the calling thread, which nothing can interrupt', async () => {
    await expect(runWasi({ module: await wat(SPINNER), stdin: 0, thread: 'caller', interrupter: new Interrupter() })).rejects.toThrow("nothing can interrupt it; use thread: 'worker'");
  });
});

describe('AbortSignal', () => {
  test('ends a guest that never returns; the promise rejects with the reason', async () => {
    const controller = new AbortController();
    const run = runWasi({ module: await compileModule(await wat(SPINNER)), stdin: 0, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('enough')), 200);
    await expect(run).rejects.toThrow('enough');
  }, 20_000);

  test('an aborted signal refuses to start', async () => {
    await expect(runWasi({ module: await wat(SPINNER), stdin: 0, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('errors an embedder can tell apart', () => {
  test('a directory that does not exist is a MountError naming it', async () => {
    const run = runWasi({ module: await wat(TALKER), stdin: 0, dirs: [{ host: '/nonexistent/dir', guest: '/d' }] });
    await expect(run).rejects.toMatchObject({ name: 'MountError', message: 'no such directory: /nonexistent/dir' });
  });
});
