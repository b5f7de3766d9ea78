// libxml2 for wasm32-wasi, used as a C program outside this repository would use it: found
// through its pkg-config file (which requires zlib's), linked statically, run with `pywasi run`.
import { fileURLToPath } from 'node:url';
import { compileAndRun } from '../../../tools/testing/c-program.ts';

test('a C program parses XML, runs XPath, decodes windows-1252 and writes gzip with it under pywasi', async () => {
  const run = await compileAndRun({ sources: [fileURLToPath(new URL('./xpath.c', import.meta.url))], packages: ['libxml-2.0'], projects: ['libxml2', 'zlib'] });
  expect(run.stdout.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
  expect({ exitCode: run.exitCode, pass: run.stdout.includes('PASS libxml2') }).toEqual({ exitCode: 0, pass: true });
  expect(run.stdout).toMatch(/libxml2 20914/);
}, 120_000);
