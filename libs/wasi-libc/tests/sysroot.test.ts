import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { runNx, tryNx, workspaceRoot } from '../../../tools/testing/nx.ts';
import { sha256OfFile } from '../../../tools/src/lib/download.ts';
import { readToolchainManifest } from '../../../tools/src/lib/toolchain-manifest.ts';

const sysroot = join(workspaceRoot, 'dist/libs/wasi-libc/sysroot');
const WASI_LIBC_SHA256 = '8f9b802736a856942839d32966937c389f46e9f156415a549a6675b7535e5f74';

describe('wasi-libc sysroot', () => {
  beforeAll(async () => {
    const { seconds } = await runNx(['build', 'wasi-libc']);
    console.log(`nx build wasi-libc: ${seconds.toFixed(1)} s (a cold build compiles all of wasi-libc; a warm one is a cache hit)`);
  }, 20 * 60_000);

  it('has libc, the start files and the emulation and placeholder libraries', () => {
    const lib = join(sysroot, 'lib/wasm32-wasi');
    for (const file of ['libc.a', 'crt1-command.o', 'libwasi-emulated-signal.a', 'libwasi-emulated-getpid.a',
      'libwasi-emulated-process-clocks.a', 'libwasi-emulated-mman.a', 'libm.a', 'libpthread.a', 'libdl.a']) {
      expect(statSync(join(lib, file)).isFile()).toBe(true);
    }
    expect(readFileSync(join(sysroot, 'include/__struct_sockaddr_un.h'), 'utf8')).toMatch(/char sun_path\[108\];/);
  });

  it('compiles a C program that prints, writes a pre-opened dir and exits with a code under node:wasi', async () => {
    const work = mkdtempSync(join(tmpdir(), 'pywasi-sysroot-'));
    const toolchain = readToolchainManifest(workspaceRoot);
    const wasm = join(work, 'smoke.wasm');
    await execa(toolchain.tools.clang, [
      '--target=wasm32-wasi', `--sysroot=${sysroot}`, '-O2', '-Wall', '-Wextra', '-Werror',
      join(workspaceRoot, 'libs/wasi-libc/tests/smoke.c'), '-o', wasm,
    ]);
    const outDir = join(work, 'out');
    await execa('mkdir', [outDir]);

    const run = await execa(process.execPath, [join(workspaceRoot, 'tools/testing/run-wasi.mjs'), wasm, outDir, 'smoke', '42'], { reject: false });
    expect(run.stdout).toBe('hello from wasm32-wasi, smoke');
    expect(run.exitCode).toBe(42);
    expect(readFileSync(join(outDir, 'written.txt'), 'utf8')).toBe('sun_path holds 108 bytes\n');
  }, 60_000);

  it('is a cache hit the second time', async () => {
    const { seconds, output } = await runNx(['build', 'wasi-libc']);
    for (const target of ['source', 'build']) {
      expect(output).toMatch(new RegExp(`nx run wasi-libc:${target}\\s+\\[(local cache|existing outputs match the cache, left as is)\\]`));
    }
    console.log(`no-op nx build wasi-libc: ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(10);
  }, 60_000);

  it('rebuilds when a patch changes', async () => {
    const patch = join(workspaceRoot, 'libs/wasi-libc/patches/0001-sockaddr-un-sun-path.patch');
    const original = readFileSync(patch, 'utf8');
    try {
      // Text before the first "---" is a patch's description: the change is harmless but real.
      writeFileSync(patch, original.replace('\n\n', `\n(edited by the test at ${new Date().toISOString()})\n\n`));
      const { output } = await runNx(['build', 'wasi-libc']);
      expect(output).not.toMatch(/nx run wasi-libc:build\s+\[/);
      expect(output).toMatch(/applying 0001-sockaddr-un-sun-path\.patch/);
      expect(output).toMatch(/\$ make -j\d+ CC=/);
    } finally {
      writeFileSync(patch, original);
    }
  }, 20 * 60_000);

  it('rejects a tampered tarball in the download cache; the next run fetches a good copy', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'pywasi-cache-'));
    const file = 'wasi-libc_0.0~git20220510.9886d3d.orig.tar.xz';
    mkdirSync(join(cacheDir, 'downloads'));
    writeFileSync(join(cacheDir, 'downloads', file), 'not the pinned tarball');
    const env = { PYWASI_CACHE_DIR: cacheDir };

    const tampered = await tryNx(['run', 'wasi-libc:source', '--skip-nx-cache'], env);
    expect(tampered.ok).toBe(false);
    expect(tampered.output).toMatch(new RegExp(`sha256 mismatch for ${cacheDir}/downloads/${file.replaceAll('.', '\\.')}`));
    expect(tampered.output).toMatch(new RegExp(`expected ${WASI_LIBC_SHA256}`));
    expect(tampered.output).not.toMatch(/extracting/);

    const refetched = await runNx(['run', 'wasi-libc:source', '--skip-nx-cache'], env);
    expect(refetched.output).toMatch(/downloading .*wasi-libc_0\.0(~|%7e)git20220510\.9886d3d\.orig\.tar\.xz/);
    expect(refetched.output).toMatch(/sha256 ok/);
    expect(await sha256OfFile(join(cacheDir, 'downloads', file))).toBe(WASI_LIBC_SHA256);
  }, 5 * 60_000);
});
