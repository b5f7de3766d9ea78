import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Command, CommanderError } from 'commander';
import { wat } from '../../../../tools/testing/wat.ts';
import { EXIT_ERROR, EXIT_TRAP, registerRun, runCommand, type RunOptions } from './run.ts';

const base: RunOptions = { env: {}, envInherit: false, dirs: [], net: 'loopback' };
let dir = '';

function io() {
  const lines: string[] = [];
  return { lines, io: { error: (l: string) => lines.push(l), stdin: 0 } };
}

async function writeWat(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  writeFileSync(p, await wat(text));
  return p;
}

function program() {
  const out: string[] = [];
  const p = new Command('pywasi').exitOverride().configureOutput({ writeErr: (s) => out.push(s), writeOut: (s) => out.push(s) });
  registerRun(p);
  return { p, out };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pywasi-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pywasi run', () => {
  test('propagates the guest exit code', async () => {
    const m = await writeWat('exit42.wasm', `(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (i32.const 42))))`);
    const { io: o } = io();
    expect(await runCommand(m, [], base, o)).toBe(42);
  });

  test('argv[0] is the base name, args follow; env is only what was asked for', async () => {
    // exit(strlen(argv[0]) * 100 + argc * 10 + number of env vars)
    const m = await writeWat('args.wasm', `(module
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $asz (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "args_get" (func $aget (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "environ_sizes_get" (func $esz (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func $strlen (param $p i32) (result i32) (local $n i32)
        (block $d (loop $l (br_if $d (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
          (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l))) (local.get $n))
      (func (export "_start")
        (drop (call $asz (i32.const 0) (i32.const 4)))
        (drop (call $aget (i32.const 100) (i32.const 1000)))
        (drop (call $esz (i32.const 8) (i32.const 12)))
        (call $exit (i32.add (i32.mul (call $strlen (i32.load (i32.const 100))) (i32.const 100))
          (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 10)) (i32.load (i32.const 8)))))))`);
    const { io: o } = io();
    // "args.wasm" = 9 chars, argc 3, 2 env vars → 9*100 + 30 + 2 = 932 (the OS truncates to 8 bits)
    const code = await runCommand(m, ['a', '-b'], { ...base, env: { A: '1', B: '2' } }, o);
    expect(code).toBe(932);
  });

  test('missing file: one-line error, exit 1', async () => {
    const { lines, io: o } = io();
    expect(await runCommand(path.join(dir, 'nope.wasm'), [], base, o)).toBe(EXIT_ERROR);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/nope\.wasm: no such file/);
  });

  test('not a wasm module: one-line error', async () => {
    const p = path.join(dir, 'text.wasm');
    writeFileSync(p, 'hello');
    const { lines, io: o } = io();
    expect(await runCommand(p, [], base, o)).toBe(EXIT_ERROR);
    expect(lines).toEqual([expect.stringMatching(/not a WebAssembly module/)]);
  });

  test('imports the host does not provide are listed', async () => {
    const m = await writeWat('imports.wasm', `(module
      (import "env" "magic" (func))
      (import "wasi_snapshot_preview1" "sock_teleport" (func))
      (memory (export "memory") 1)
      (func (export "_start")))`);
    const { lines, io: o } = io();
    expect(await runCommand(m, [], base, o)).toBe(EXIT_ERROR);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('env.magic');
    expect(lines[0]).toContain('wasi_snapshot_preview1.sock_teleport');
  });

  test('a trap exits with 134 and a one-line message', async () => {
    const m = await writeWat('trap.wasm', `(module (memory (export "memory") 1) (func (export "_start") unreachable))`);
    const { lines, io: o } = io();
    expect(await runCommand(m, [], base, o)).toBe(EXIT_TRAP);
    expect(lines).toEqual([expect.stringMatching(/trapped: RuntimeError: unreachable/)]);
  });

  test.each([
    [['run', '-e', 'FOO', '--', 'x.wasm'], /-e, --env .*'FOO' is invalid/],
    [['run', '--net', 'bogus', '--', 'x.wasm'], /--net .*'bogus' is invalid.*all, loopback, none/],
    [['run', '--dir', '/definitely/not/here', '--', 'x.wasm'], /no such directory/],
    [['run', '--bogus-flag', 'x.wasm'], /unknown option/],
    [['run', '--ca-file', '/definitely/not/here.pem', '--', 'x.wasm'], /--ca-file .*'\/definitely\/not\/here.pem' is invalid\. no such file/],
    [['run', '--ca-file', '/', '--', 'x.wasm'], /--ca-file .*'\/' is invalid\. not a file/],
    [['run', '--max-threads', '0', '--', 'x.wasm'], /--max-threads .*'0' is invalid\. expected a whole number of threads from 1 to 4096/],
  ])('bad flags %j give a one-line error and non-zero exit', async (argv, re) => {
    const { p, out } = program();
    const err = await p.parseAsync(argv, { from: 'user' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(CommanderError);
    expect((err as CommanderError).exitCode).not.toBe(0);
    const text = out.join('');
    expect(text).toMatch(re);
    expect(text.trim().split('\n')).toHaveLength(1);
  });

  test('--help documents every flag with examples', async () => {
    const { p, out } = program();
    await p.parseAsync(['run', '--help'], { from: 'user' }).catch(() => undefined);
    const text = out.join('');
    for (const flag of ['--env', '--env-inherit', '--dir', '--net', 'Examples', 'pywasi run']) expect(text).toContain(flag);
  });

  test('--max-threads caps the threads of a wasi-threads module', async () => {
    // The first thread waits forever; main exits 3 when the second thread-spawn is refused (1 is the
    // CLI's own errors').
    const bytes = await wat(
      `(module
      (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (import "env" "memory" (memory 1 1 shared))
      (func (export "wasi_thread_start") (param i32 i32) (loop $l (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))) (br $l)))
      (func (export "_start") (drop (call $spawn (i32.const 0))) (call $exit (i32.mul (i32.const 3) (i32.lt_s (call $spawn (i32.const 0)) (i32.const 0))))))`,
      { threads: true },
    );
    const m = path.join(dir, 'threads.wasm');
    writeFileSync(m, bytes);
    const { p } = program();
    const saved = process.exitCode;
    await p.parseAsync(['run', '--max-threads', '1', m], { from: 'user' });
    expect(process.exitCode).toBe(3);
    process.exitCode = saved;
  });

  test('options after the module go to the guest', async () => {
    const m = await writeWat('exit0.wasm', `(module
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $asz (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (drop (call $asz (i32.const 0) (i32.const 4))) (call $exit (i32.load (i32.const 0)))))`);
    const { p } = program();
    const saved = process.exitCode;
    await p.parseAsync(['run', m, '-c', '--net', 'x'], { from: 'user' });
    expect(process.exitCode).toBe(4); // argv = [exit0.wasm, -c, --net, x]
    process.exitCode = saved;
  });
});
