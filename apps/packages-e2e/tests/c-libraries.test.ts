// The wasm libraries as a builder of another language runtime gets them: `npm run pack`'s
// tarballs of the sysroot, the socket library and zlib unpacked into a directory outside the
// workspace, a C program compiled there against them alone (clang, --sysroot and pkg-config: no
// path into the workspace), then run with `pywasi run` against a Node server.
import { execa } from 'execa';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { readToolchainManifest } from '../../../tools/src/lib/toolchain-manifest.ts';
import { LIB_TARBALLS } from '../../../tools/src/plugin/targets/pack-target.ts';
import { workspaceRoot } from '../../../tools/testing/nx.ts';

const tarballsDir = path.join(workspaceRoot, LIB_TARBALLS);

/** Unpacks `<name>-<version>-wasm32-wasi.tar.gz` into `into`; returns its top directory. */
async function unpack(name: string, into: string): Promise<string> {
  const found = readdirSync(tarballsDir).filter((f) => f.startsWith(`${name}-`) && f.endsWith('-wasm32-wasi.tar.gz') && /^\d/.test(f.slice(name.length + 1)));
  if (found.length !== 1) throw new Error(`expected one ${name}-<version>-wasm32-wasi.tar.gz in ${tarballsDir}, found ${found.join(', ') || 'none'}: run \`npm run pack\``);
  await execa('tar', ['-xzf', path.join(tarballsDir, found[0]!), '-C', into]);
  return path.join(into, found[0]!.replace(/\.tar\.gz$/, ''));
}

const PROGRAM = String.raw`
/* zlib round trip, a setjmp/longjmp escape, a name lookup and a TCP send: the three tarballs. */
#include <arpa/inet.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

static jmp_buf escape;

static void fail_deep(int n) {
    if (n == 0) longjmp(escape, 3);
    fail_deep(n - 1);
}

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    const char *text = "the same bytes, squeezed and restored, the same bytes, squeezed and restored";
    unsigned char packed[256], restored[256];
    uLongf packed_len = sizeof packed, restored_len = sizeof restored;
    if (compress(packed, &packed_len, (const Bytef *)text, strlen(text)) != Z_OK) return 3;
    if (uncompress(restored, &restored_len, packed, packed_len) != Z_OK) return 4;
    printf("zlib %s: %lu -> %lu bytes, round trip %s\n", zlibVersion(), (unsigned long)strlen(text),
           (unsigned long)packed_len, restored_len == strlen(text) && memcmp(restored, text, restored_len) == 0 ? "ok" : "broken");

    int jumped = setjmp(escape);
    if (jumped == 0) fail_deep(50);
    printf("longjmp returned %d\n", jumped);

    struct addrinfo hints = {0}, *found = NULL;
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo("localhost", argv[1], &hints, &found) != 0) return 5;
    char address[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &((struct sockaddr_in *)found->ai_addr)->sin_addr, address, sizeof address);
    printf("localhost is %s\n", address);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, found->ai_addr, found->ai_addrlen) != 0) return 6;
    char line[64];
    int n = snprintf(line, sizeof line, "crc32 %08lx\n", crc32(0, (const Bytef *)text, strlen(text)));
    if (send(fd, line, (size_t)n, 0) != n) return 7;
    close(fd);
    freeaddrinfo(found);
    return 0;
}
`;

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-c-libs-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test('a C program builds against the unpacked sysroot, wasmedge-sock and zlib tarballs alone, and runs with pywasi run', async () => {
  const sysroot = path.join(await unpack('wasi-libc', scratch), 'sysroot');
  const libs = [await unpack('wasmedge-sock', scratch), await unpack('zlib', scratch)];
  writeFileSync(path.join(scratch, 'program.c'), PROGRAM);

  // pkg-config sees only the unpacked libraries' .pc files, which are relocatable.
  const pkgEnv = { PKG_CONFIG_LIBDIR: libs.map((l) => path.join(l, 'lib/pkgconfig')).join(':'), PKG_CONFIG_PATH: '' };
  const flags = (await execa('pkg-config', ['--cflags', '--libs', 'wasmedge-sock', 'zlib'], { env: pkgEnv, cwd: scratch })).stdout.split(/\s+/).filter(Boolean);
  const clang = readToolchainManifest(workspaceRoot).tools.clang;
  const compile = ['--target=wasm32-wasi', `--sysroot=${sysroot}`, '-O2', '-Wall', '-Wextra', '-Werror', '-mexception-handling', '-mllvm', '-wasm-enable-sjlj', 'program.c', ...flags, '-lsetjmp', '-o', 'program.wasm'];
  expect(compile.filter((a) => a.includes(workspaceRoot))).toEqual([]);
  await execa(clang, compile, { cwd: scratch, env: pkgEnv });

  let received = '';
  const server = net.createServer((s) => s.setEncoding('utf8').on('data', (d: string) => (received += d)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as net.AddressInfo).port;
    const run = await execa(process.execPath, [path.join(workspaceRoot, 'apps/cli/bin/pywasi.js'), 'run', '--', path.join(scratch, 'program.wasm'), String(port)], { reject: false });
    expect({ exit: run.exitCode, stderr: run.stderr }).toEqual({ exit: 0, stderr: '' });
    expect(run.stdout).toMatch(/^zlib 1\.2\.13: 76 -> \d+ bytes, round trip ok\nlongjmp returned 3\nlocalhost is 127\.0\.0\.1$/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toMatch(/^crc32 [0-9a-f]{8}\n$/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}, 120_000);
