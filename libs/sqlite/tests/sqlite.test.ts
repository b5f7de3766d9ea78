// SQLite for wasm32-wasi, used as a C program outside this repository would use it: found through
// its pkg-config file, linked statically, run with `pywasi run` (its database in the guest's /tmp).
import { fileURLToPath } from 'node:url';
import { compileAndRun } from '../../../tools/testing/c-program.ts';

test('a C program keeps a database on disk; two connections lock each other as on Linux; the dot-file VFS by name', async () => {
  const run = await compileAndRun({ sources: [fileURLToPath(new URL('./database.c', import.meta.url))], packages: ['sqlite3'], projects: ['sqlite'] });
  expect(run.stdout.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
  expect({ exitCode: run.exitCode, pass: run.stdout.includes('PASS sqlite') }).toEqual({ exitCode: 0, pass: true });
  expect(run.stdout).toMatch(/sqlite 3\.40\.1/);
}, 120_000);
