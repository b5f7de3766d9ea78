// OpenSSL for wasm32-wasi, used as a C program outside this repository would use it: found through
// its pkg-config files (openssl -> libssl -> libcrypto -> wasmedge-sock), linked statically, run
// with `pywasi run`: digests, host entropy, TLS 1.3 over a socket pair with the name checked.
import { fileURLToPath } from 'node:url';
import { compileAndRun } from '../../../tools/testing/c-program.ts';

test('a C program hashes, draws entropy and speaks TLS 1.3 over sockets, refusing a wrong host name', async () => {
  const run = await compileAndRun({ sources: [fileURLToPath(new URL('./tls.c', import.meta.url))], packages: ['openssl'], projects: ['openssl', 'wasmedge-sock'] });
  expect(run.stdout.split('\n').filter((l) => l.startsWith('FAIL'))).toEqual([]);
  expect({ exitCode: run.exitCode, pass: run.stdout.includes('PASS openssl') }).toEqual({ exitCode: 0, pass: true });
  expect(run.stdout).toMatch(/^OpenSSL 3\.5\.7 /m);
}, 120_000);
