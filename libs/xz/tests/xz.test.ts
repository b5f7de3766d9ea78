// liblzma for wasm32-wasi, used as a C program outside this repository would use it:
// found through its pkg-config file, linked statically, run with `pywasi run`.
import { fileURLToPath } from 'node:url';
import { compileAndRun } from '../../../tools/testing/c-program.ts';

test('a C program compresses and decompresses with it under pywasi', async () => {
  const run = await compileAndRun({ sources: [fileURLToPath(new URL('./roundtrip.c', import.meta.url))], packages: ['liblzma'], projects: ['xz'] });
  expect({ exitCode: run.exitCode, pass: run.stdout.includes('PASS xz') }).toEqual({ exitCode: 0, pass: true });
  expect(run.stdout).toMatch(/liblzma 5\.4\.1/);
}, 120_000);
