// `pywasi python`'s choice of build: --threads is --build threads, and a build that is not there
// is named with the command that makes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CliError } from '../cli-error.ts';
import { buildProgram } from '../main.ts';

describe('pywasi python --threads', () => {
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

  test('runs the threads build, and says how to build it when it is missing', async () => {
    const error = await run(['--threads', '-c', 'pass']);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toBe(`the threads build is not built (no python.wasm at ${path.join(dir, 'python-threads', 'python.wasm')}): in a clone, \`npx nx build python -c threads\``);
    expect((error as CliError).exitCode).toBe(1);
  });

  test('cannot be combined with another --build', async () => {
    const error = await run(['--threads', '--build', 'full', '-c', 'pass']);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toBe('--threads runs the threads build: it cannot be combined with --build full');
  });
});
