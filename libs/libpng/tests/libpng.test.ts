// libpng for wasm32-wasi, used as a C program outside this repository would use it: found through
// its pkg-config file (which carries the setjmp flags and requires zlib's), linked statically, run
// with `pywasi run`.
import { fileURLToPath } from 'node:url';
import { compileAndRun } from '../../../tools/testing/c-program.ts';

test('a C program writes and reads PNGs in memory with it under pywasi, and catches its errors', async () => {
  const run = await compileAndRun({ sources: [fileURLToPath(new URL('./roundtrip.c', import.meta.url))], packages: ['libpng'], projects: ['libpng', 'zlib'] });
  expect(run.stdout.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
  expect({ exitCode: run.exitCode, pass: run.stdout.includes('PASS libpng') }).toEqual({ exitCode: 0, pass: true });
  expect(run.stdout).toMatch(/^not a PNG: Not a PNG file$/m);
  expect(run.stdout).toMatch(/libpng 1\.6\.39/);
}, 120_000);
