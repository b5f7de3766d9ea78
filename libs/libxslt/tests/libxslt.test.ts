// libxslt and libexslt for wasm32-wasi, used as a C program outside this repository would use
// them: found through their pkg-config files (libexslt's requires libxslt's, libxml2's, zlib's),
// linked statically, run with `pywasi run`.
import { fileURLToPath } from 'node:url';
import { compileAndRun } from '../../../tools/testing/c-program.ts';

test('a C program applies a stylesheet with EXSLT functions with it under pywasi', async () => {
  const run = await compileAndRun({ sources: [fileURLToPath(new URL('./transform.c', import.meta.url))], packages: ['libexslt'], projects: ['libxslt', 'libxml2', 'zlib'] });
  expect(run.stdout.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
  expect({ exitCode: run.exitCode, pass: run.stdout.includes('PASS libxslt') }).toEqual({ exitCode: 0, pass: true });
  expect(run.stdout).toMatch(/libxslt 10135, libexslt 820/);
}, 120_000);
