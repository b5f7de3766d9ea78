// libjpeg-turbo for wasm32-wasi, used as a C program outside this repository would use it: found
// through its pkg-config file, linked statically, run with `pywasi run`. Its error handler
// longjmps, as Pillow's does: compiled with wasm exception handling and linked with libsetjmp.
import { fileURLToPath } from 'node:url';
import { compileAndRun } from '../../../tools/testing/c-program.ts';

test('a C program compresses and decompresses JPEGs in memory with it under pywasi, and catches its errors', async () => {
  const run = await compileAndRun({
    sources: [fileURLToPath(new URL('./roundtrip.c', import.meta.url))],
    packages: ['libjpeg'],
    projects: ['libjpeg-turbo'],
    flags: ['-mexception-handling', '-mllvm', '-wasm-enable-sjlj', '-lsetjmp'],
  });
  expect(run.stdout.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
  expect({ exitCode: run.exitCode, pass: run.stdout.includes('PASS libjpeg-turbo') }).toEqual({ exitCode: 0, pass: true });
  expect(run.stdout).toMatch(/^not a JPEG: Not a JPEG file: starts with 0x47 0x49$/m);
  expect(run.stdout).toMatch(/libjpeg-turbo 2001005/);
}, 120_000);
