import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { runNx, tryNx, workspaceRoot } from '../../../tools/testing/nx.ts';
import { downloadsDir } from '../../../tools/src/lib/cache-dir.ts';
import { sha256OfFile } from '../../../tools/src/lib/download.ts';
import { prepareSource, SOURCE_STAMP, type SourcePin } from '../../../tools/src/lib/pinned-source.ts';
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
      'libwasi-emulated-process-clocks.a', 'libwasi-emulated-mman.a', 'libsetjmp.a', 'libm.a', 'libpthread.a', 'libdl.a']) {
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

  it('setjmp/longjmp: with wasm exception handling and libsetjmp they jump; without, <setjmp.h> says how', async () => {
    const work = mkdtempSync(join(tmpdir(), 'pywasi-setjmp-'));
    try {
      const toolchain = readToolchainManifest(workspaceRoot);
      const source = join(workspaceRoot, 'libs/wasi-libc/tests/setjmp.c');
      const wasm = join(work, 'setjmp.wasm');
      const base = ['--target=wasm32-wasi', `--sysroot=${sysroot}`, ...(toolchain.targetFlags ?? []), '-O2', '-Wall', '-Wextra', '-Werror'];
      await execa(toolchain.tools.clang, [...base, '-mexception-handling', '-mllvm', '-wasm-enable-sjlj', source, '-lsetjmp', '-o', wasm]);
      const run = await execa(process.execPath, [join(workspaceRoot, 'tools/testing/run-wasi.mjs'), wasm, work, 'setjmp'], { reject: false });
      expect(run.stdout.split('\n')).toEqual([
        'deep: setjmp returned 42 after 1001 frames, count 2',
        'zero: longjmp(env, 0) made setjmp return 1',
        'nested: returned 9',
      ]);
      expect(run.exitCode).toBe(0);

      const without = await execa(toolchain.tools.clang, [...base, '-c', source, '-o', join(work, 'setjmp.o')], { reject: false });
      expect(without.exitCode).not.toBe(0);
      expect(without.stderr).toContain('compile with -mexception-handling -mllvm -wasm-enable-sjlj and link with -lsetjmp');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);

  it('is a cache hit the second time', async () => {
    const { seconds, output } = await runNx(['build', 'wasi-libc']);
    expect(output).toMatch(/nx run wasi-libc:build\s+\[(local cache|existing outputs match the cache, left as is)\]/);
    // The build prepares its tree itself: a hit runs no source step at all.
    expect(output).not.toMatch(/nx run wasi-libc:source/);
    console.log(`no-op nx build wasi-libc: ${seconds.toFixed(1)} s (the no-op build goal is checked by bench/python-build.ts)`);
  }, 60_000);

  it('a patch edit re-extracts the source, and the build hashes the patches (on a scratch copy)', async () => {
    // Nx's side: the patches are inputs of the source target and of the build, which prepares the tree.
    const nxInputs = async (target: string) =>
      JSON.parse((await execa('npx', ['nx', 'show', 'target', 'inputs', target, '--json'], { cwd: workspaceRoot, env: { NX_DAEMON: 'false' } })).stdout) as Record<string, unknown>;
    expect((await nxInputs('wasi-libc:source'))['files']).toContain('libs/wasi-libc/patches/0001-sockaddr-un-sun-path.patch');
    expect((await nxInputs('wasi-libc:build'))['files']).toContain('libs/wasi-libc/patches/0001-sockaddr-un-sun-path.patch');

    // The executor's side, on copies: an edited patch gives a new stamp and a fresh extraction.
    const work = mkdtempSync(join(tmpdir(), 'pywasi-patch-edit-'));
    const patches = join(work, 'patches');
    cpSync(join(workspaceRoot, 'libs/wasi-libc/patches'), patches, { recursive: true });
    const descriptor = JSON.parse(readFileSync(join(workspaceRoot, 'libs/wasi-libc/native.json'), 'utf8')) as { source: SourcePin };
    const lines: string[] = [];
    const prepare = () => prepareSource(descriptor.source, { downloadsDir: downloadsDir(), destDir: join(work, 'src'), patchesDir: patches, log: (l) => lines.push(l) });
    await prepare();
    const before = readFileSync(join(work, 'src', SOURCE_STAMP), 'utf8');
    const patch = join(patches, '0001-sockaddr-un-sun-path.patch');
    // Text before the first "---" is a patch's description: the change is harmless but real.
    writeFileSync(patch, readFileSync(patch, 'utf8').replace('\n\n', '\n(edited by the test)\n\n'));
    lines.length = 0;
    await prepare();
    expect(readFileSync(join(work, 'src', SOURCE_STAMP), 'utf8')).not.toBe(before);
    expect(lines.join('\n')).toMatch(/applying 0001-sockaddr-un-sun-path\.patch/);
    rmSync(work, { recursive: true, force: true });
  }, 5 * 60_000);

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
