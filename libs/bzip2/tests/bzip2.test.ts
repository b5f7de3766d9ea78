// libbz2 (bzip2) for wasm32-wasi, used as a C program outside this repository would use it:
// found through its pkg-config file, linked statically, run with `pywasi run`.
import { fileURLToPath } from 'node:url';
import { compileAndRun } from '../../../tools/testing/c-program.ts';

test('a C program compresses and decompresses with it under pywasi', async () => {
  const run = await compileAndRun({ sources: [fileURLToPath(new URL('./roundtrip.c', import.meta.url))], packages: ['bzip2'], projects: ['bzip2'] });
  expect({ exitCode: run.exitCode, pass: run.stdout.includes('PASS bzip2') }).toEqual({ exitCode: 0, pass: true });
  expect(run.stdout).toMatch(/bzip2 1\.0\.8/);
}, 120_000);
