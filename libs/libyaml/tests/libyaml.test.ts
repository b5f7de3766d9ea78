// LibYAML for wasm32-wasi, used as a C program outside this repository would use it: found
// through its pkg-config file, linked statically, run with `pywasi run`.
import { fileURLToPath } from 'node:url';
import { compileAndRun } from '../../../tools/testing/c-program.ts';

test('a C program parses, loads and emits YAML with it under pywasi', async () => {
  const run = await compileAndRun({ sources: [fileURLToPath(new URL('./parse.c', import.meta.url))], packages: ['yaml-0.1'], projects: ['libyaml'] });
  expect(run.stdout.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
  expect({ exitCode: run.exitCode, pass: run.stdout.includes('PASS libyaml') }).toEqual({ exitCode: 0, pass: true });
  expect(run.stdout).toMatch(/libyaml 0\.2\.5/);
}, 120_000);
