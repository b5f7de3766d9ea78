// `pywasi python`'s choice of build: --threads is --build threads, --no-threads --build no-threads;
// options that keep python to one thread refuse the threads build; a build that is not there is
// named with the commands that get it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnsThreads } from '@pywasi/python';
import { CliError } from '../cli-error.ts';
import { buildProgram } from '../main.ts';

describe('pywasi python --threads and --no-threads', () => {
  let dir = '';
  const saved = process.env['PYWASI_PYTHON_DIR'];
  beforeAll(() => {
    // An empty installation: no build is there, so the command stops before running anything.
    dir = mkdtempSync(path.join(tmpdir(), 'pywasi-builds-'));
    process.env['PYWASI_PYTHON_DIR'] = path.join(dir, 'python');
  });
  afterAll(() => {
    if (saved === undefined) delete process.env['PYWASI_PYTHON_DIR'];
    else process.env['PYWASI_PYTHON_DIR'] = saved;
    rmSync(dir, { recursive: true });
  });

  const run = (argv: string[]) => {
    return buildProgram().parseAsync(['python', ...argv], { from: 'user' }).then(() => null, (e: unknown) => e);
  };

  const refusal = async (argv: string[]) => {
    const error = await run([...argv, '-c', 'pass']);
    expect(error).toBeInstanceOf(CliError);
    return (error as CliError).message;
  };

  test('runs the threads build, and says how to get it when it is missing', async () => {
    const error = await run(['--threads', '-c', 'pass']);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toBe(`the threads build is not installed (no python.wasm at ${path.join(dir, 'python-threads', 'python.wasm')}): \`npm install @pywasi/python\`, or in a clone of pywasi \`npx nx build python -c threads\``);
    expect((error as CliError).exitCode).toBe(1);
  });

  test('--no-threads runs the build without threads, and says how to get it when it is missing', async () => {
    for (const argv of [['--no-threads'], ['--build', 'no-threads']]) {
      expect(await refusal(argv)).toBe(`the no-threads build is not installed (no python.wasm at ${path.join(dir, 'python-no-threads', 'python.wasm')}): \`npm install @pywasi/python-no-threads\`, or in a clone of pywasi \`npx nx build python\``);
    }
  });

  test('cannot be combined with another --build', async () => {
    expect(await refusal(['--threads', '--build', 'full'])).toBe('--threads runs the threads build: it cannot be combined with --build full');
    expect(await refusal(['--no-threads', '--build', 'threads'])).toBe('--no-threads runs the no-threads build: it cannot be combined with --build threads');
  });

  test('recording, tracing and python on pywasi\'s own thread refuse the threads build, saying why', async () => {
    expect(await refusal(['--threads', '--record=run.log'])).toBe("--record cannot run the threads build (a run log holds one thread's calls): drop --threads, or give --no-threads");
    expect(await refusal(['--build', 'threads', '--trace'])).toBe("--trace cannot run the threads build (a run log holds one thread's calls): drop --threads, or give --no-threads");
    expect(await refusal(['--threads', '--no-keyboard-interrupt'])).toBe("--no-keyboard-interrupt cannot run the threads build (python on pywasi's own thread cannot start threads in workers): drop --threads, or give --no-threads");
  });

  test('any build whose module spawns threads is refused by them too: the module decides, not the name', async () => {
    // A module importing what a wasi-threads python.wasm imports: `wasi`.`thread-spawn` and a shared memory.
    const name = (text: string) => [text.length, ...Buffer.from(text)];
    const section = (id: number, body: number[]) => [id, body.length, ...body];
    const module = (imports: number[][]) =>
      Buffer.from([
        ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
        ...section(0, [...name('producers'), 0]), // a custom section before the imports
        ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7f]), // (i32) -> i32
        ...section(2, [imports.length, ...imports.flat()]),
      ]);
    const spawn = [...name('wasi'), ...name('thread-spawn'), 0x00, 0];
    const memory = [...name('env'), ...name('memory'), 0x02, 0x03, 1, 1]; // shared, 1..1 pages
    const write = (build: string, bytes: Buffer) => {
      mkdirSync(path.join(dir, `python-${build}`), { recursive: true });
      writeFileSync(path.join(dir, `python-${build}`, 'python.wasm'), bytes);
      return path.join(dir, `python-${build}`, 'python.wasm');
    };
    expect(spawnsThreads(write('web-threads', module([memory, spawn])))).toBe(true);
    expect(spawnsThreads(write('plain', module([[...name('wasi_snapshot_preview1'), ...name('sched_yield'), 0x00, 0]])))).toBe(false);
    expect(await refusal(['--build', 'web-threads', '--record=run.log'])).toBe(
      "--record cannot run the web-threads build: its python.wasm has threads (a run log holds one thread's calls); give --no-threads, or --build with a build without threads",
    );
    expect(await refusal(['--build', 'web-threads', '--no-keyboard-interrupt'])).toMatch(/^--no-keyboard-interrupt cannot run the web-threads build: its python.wasm has threads/);
  });

  test('default, the old name of the build without threads, is that build', async () => {
    const missing = `the no-threads build is not installed (no python.wasm at ${path.join(dir, 'python-no-threads', 'python.wasm')}): \`npm install @pywasi/python-no-threads\`, or in a clone of pywasi \`npx nx build python\``;
    expect(await refusal(['--build', 'default'])).toBe(missing);
    // It names the build --no-threads runs, so the two go together.
    expect(await refusal(['--no-threads', '--build', 'default'])).toBe(missing);
    expect(await refusal(['--threads', '--build', 'default'])).toBe('--threads runs the threads build: it cannot be combined with --build default');
  });
});
