import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** A TZif version 2 file (RFC 8536): the transitions in both blocks (4-byte times, then 8-byte),
 * no leap seconds, then the POSIX rule for the times after the last transition. */
function tzif(types: { name: string; offset: number; isdst: boolean }[], transitions: [time: number, type: number][], footer: string): Buffer {
  const names = [...new Set(types.map((t) => t.name))];
  const chars = Buffer.from(names.map((n) => `${n}\0`).join(''), 'latin1');
  const block = (timeSize: 4 | 8) => {
    const header = Buffer.alloc(44);
    header.write('TZif2', 0, 'latin1');
    // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
    [0, 0, 0, transitions.length, types.length, chars.length].forEach((n, i) => header.writeUInt32BE(n, 20 + 4 * i));
    const times = Buffer.alloc(transitions.length * timeSize);
    transitions.forEach(([t], i) => (timeSize === 4 ? times.writeInt32BE(t, 4 * i) : times.writeBigInt64BE(BigInt(t), 8 * i)));
    const ttinfo = Buffer.alloc(types.length * 6);
    types.forEach((t, i) => {
      ttinfo.writeInt32BE(t.offset, 6 * i);
      ttinfo[6 * i + 4] = t.isdst ? 1 : 0;
      ttinfo[6 * i + 5] = chars.indexOf(`${t.name}\0`);
    });
    return Buffer.concat([header, times, Buffer.from(transitions.map(([, type]) => type)), ttinfo, chars]);
  };
  return Buffer.concat([block(4), block(8), Buffer.from(`\n${footer}\n`, 'latin1')]);
}

/** Europe/Paris with the 2025 and 2026 transitions: 2026-10-25T01:30Z is past the last one, where
 * libc reads the rule at the end. */
const PARIS_TZIF = tzif(
  [{ name: 'CET', offset: 3600, isdst: false }, { name: 'CEST', offset: 7200, isdst: true }],
  [[1743296400, 1], [1761440400, 0], [1774746000, 1], [1792890000, 0]],
  'CET-1CEST,M3.5.0,M10.5.0/3',
);

/** What tests/tz.c prints for each TZ (after its "TZ=..." line). */
const PARIS = [
  'localtime 2026-01-15T12:00:00Z = 2026-01-15 13:00:00 CET +0100 isdst=0',
  'localtime 2026-03-29T00:59:59Z = 2026-03-29 01:59:59 CET +0100 isdst=0',
  'localtime 2026-03-29T01:00:00Z = 2026-03-29 03:00:00 CEST +0200 isdst=1',
  'localtime 2026-03-29T01:30:00Z = 2026-03-29 03:30:00 CEST +0200 isdst=1',
  'localtime 2026-10-25T00:30:00Z = 2026-10-25 02:30:00 CEST +0200 isdst=1',
  'localtime 2026-10-25T01:30:00Z = 2026-10-25 02:30:00 CET +0100 isdst=0',
  'localtime 2027-07-01T12:00:00Z = 2027-07-01 14:00:00 CEST +0200 isdst=1',
  'mktime 2026-01-15 12:00 isdst=-1 = 2026-01-15T11:00:00Z CET isdst=0',
  'mktime 2026-03-29 03:30 isdst=-1 = 2026-03-29T01:30:00Z CEST isdst=1',
  'mktime 2026-07-01 12:00 isdst=-1 = 2026-07-01T10:00:00Z CEST isdst=1',
  'mktime 2026-10-25 02:30 isdst=1 = 2026-10-25T00:30:00Z CEST isdst=1',
  'mktime 2026-10-25 02:30 isdst=0 = 2026-10-25T01:30:00Z CET isdst=0',
];
const UTC = [
  'localtime 2026-01-15T12:00:00Z = 2026-01-15 12:00:00 UTC +0000 isdst=0',
  'localtime 2026-03-29T00:59:59Z = 2026-03-29 00:59:59 UTC +0000 isdst=0',
  'localtime 2026-03-29T01:00:00Z = 2026-03-29 01:00:00 UTC +0000 isdst=0',
  'localtime 2026-03-29T01:30:00Z = 2026-03-29 01:30:00 UTC +0000 isdst=0',
  'localtime 2026-10-25T00:30:00Z = 2026-10-25 00:30:00 UTC +0000 isdst=0',
  'localtime 2026-10-25T01:30:00Z = 2026-10-25 01:30:00 UTC +0000 isdst=0',
  'localtime 2027-07-01T12:00:00Z = 2027-07-01 12:00:00 UTC +0000 isdst=0',
  'mktime 2026-01-15 12:00 isdst=-1 = 2026-01-15T12:00:00Z UTC isdst=0',
  'mktime 2026-03-29 03:30 isdst=-1 = 2026-03-29T03:30:00Z UTC isdst=0',
  'mktime 2026-07-01 12:00 isdst=-1 = 2026-07-01T12:00:00Z UTC isdst=0',
  'mktime 2026-10-25 02:30 isdst=1 = 2026-10-25T02:30:00Z UTC isdst=0',
  'mktime 2026-10-25 02:30 isdst=0 = 2026-10-25T02:30:00Z UTC isdst=0',
];
const PLUS_0530 = [
  'localtime 2026-01-15T12:00:00Z = 2026-01-15 17:30:00 +0530 +0530 isdst=0',
  'localtime 2026-03-29T00:59:59Z = 2026-03-29 06:29:59 +0530 +0530 isdst=0',
  'localtime 2026-03-29T01:00:00Z = 2026-03-29 06:30:00 +0530 +0530 isdst=0',
  'localtime 2026-03-29T01:30:00Z = 2026-03-29 07:00:00 +0530 +0530 isdst=0',
  'localtime 2026-10-25T00:30:00Z = 2026-10-25 06:00:00 +0530 +0530 isdst=0',
  'localtime 2026-10-25T01:30:00Z = 2026-10-25 07:00:00 +0530 +0530 isdst=0',
  'localtime 2027-07-01T12:00:00Z = 2027-07-01 17:30:00 +0530 +0530 isdst=0',
  'mktime 2026-01-15 12:00 isdst=-1 = 2026-01-15T06:30:00Z +0530 isdst=0',
  'mktime 2026-03-29 03:30 isdst=-1 = 2026-03-28T22:00:00Z +0530 isdst=0',
  'mktime 2026-07-01 12:00 isdst=-1 = 2026-07-01T06:30:00Z +0530 isdst=0',
  'mktime 2026-10-25 02:30 isdst=1 = 2026-10-24T21:00:00Z +0530 isdst=0',
  'mktime 2026-10-25 02:30 isdst=0 = 2026-10-24T21:00:00Z +0530 isdst=0',
];

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

  it('localtime, mktime and strftime %Z/%z follow TZ: a POSIX rule, a zone file (by name, path, from the environment), UTC when none is found', async () => {
    const work = mkdtempSync(join(tmpdir(), 'pywasi-tz-'));
    try {
      const toolchain = readToolchainManifest(workspaceRoot);
      const wasm = join(work, 'tz.wasm');
      await execa(toolchain.tools.clang, [
        '--target=wasm32-wasi', `--sysroot=${sysroot}`, ...(toolchain.targetFlags ?? []), '-std=c11', '-O2', '-Wall', '-Wextra', '-Werror',
        join(workspaceRoot, 'libs/wasi-libc/tests/tz.c'), '-o', wasm,
      ]);
      // Reading zone files takes nothing beyond preview1 (the module must still load on WasmEdge).
      const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasm)));
      expect([...new Set(imports.map((i) => i.module))]).toEqual(['wasi_snapshot_preview1']);

      // The guest's /usr/share/zoneinfo: the Paris above (the host may have no tz database) and
      // files that are not zones.
      const zoneinfo = join(work, 'zoneinfo');
      mkdirSync(join(zoneinfo, 'Europe'), { recursive: true });
      mkdirSync(join(zoneinfo, 'Bad'));
      writeFileSync(join(zoneinfo, 'Europe/Paris'), PARIS_TZIF);
      writeFileSync(join(zoneinfo, 'Bad/Short'), PARIS_TZIF.subarray(0, 60));
      writeFileSync(join(zoneinfo, 'Bad/Magic'), Buffer.concat([Buffer.from('XXXX'), PARIS_TZIF.subarray(4)]));
      writeFileSync(join(zoneinfo, 'Bad/Empty'), '');
      // The host's own Paris too, when it has one, by absolute path.
      const hostParis = existsSync('/usr/share/zoneinfo/Europe/Paris');
      if (!hostParis) console.log('no /usr/share/zoneinfo/Europe/Paris here: the tz test reads only the zone file it makes');

      // tz.c reports the TZ of its environment, then sets each argument in turn.
      const run = async (flags: string[], tzs: string[]) => {
        const result = await execa(process.execPath, [join(workspaceRoot, 'tools/testing/run-wasi.mjs'), ...flags, wasm, work, 'tz', ...tzs], { reject: false });
        expect(result.stderr).not.toMatch(/RuntimeError|unreachable/);
        expect(result.exitCode).toBe(0);
        const blocks: [string, string[]][] = [];
        for (const line of result.stdout.split('\n')) {
          if (line.startsWith('TZ=')) blocks.push([line, []]);
          else blocks.at(-1)?.[1].push(line);
        }
        return blocks;
      };
      const mounted = ['--dir', `/usr/share/zoneinfo=${zoneinfo}`, ...(hostParis ? ['--dir', '/host-zoneinfo=/usr/share/zoneinfo'] : [])];

      expect(await run([...mounted, '--env', 'TZ=CET-1CEST,M3.5.0,M10.5.0/3'], [
        'Europe/Paris', ':Europe/Paris', '/usr/share/zoneinfo/Europe/Paris', ...(hostParis ? ['/host-zoneinfo/Europe/Paris'] : []),
        '<+0530>-5:30', 'Europe/Nowhere', 'Bad/Short', 'Bad/Magic', 'Bad/Empty', '/usr/share/zoneinfo/Europe', '../Europe/Paris', '', 'CET-1CEST,M3.5.0,M10.5.0/3',
      ])).toEqual([
        ['TZ=CET-1CEST,M3.5.0,M10.5.0/3', PARIS],
        ['TZ=Europe/Paris', PARIS],
        ['TZ=:Europe/Paris', PARIS],
        ['TZ=/usr/share/zoneinfo/Europe/Paris', PARIS],
        ...(hostParis ? [['TZ=/host-zoneinfo/Europe/Paris', PARIS] as [string, string[]]] : []),
        ['TZ=<+0530>-5:30', PLUS_0530],
        // A missing zone, files that are not zones, a directory, a name with dots: UTC.
        ['TZ=Europe/Nowhere', UTC],
        ['TZ=Bad/Short', UTC],
        ['TZ=Bad/Magic', UTC],
        ['TZ=Bad/Empty', UTC],
        ['TZ=/usr/share/zoneinfo/Europe', UTC],
        ['TZ=../Europe/Paris', UTC],
        ['TZ=', UTC],
        // Back from a zone file to the rule.
        ['TZ=CET-1CEST,M3.5.0,M10.5.0/3', PARIS],
      ]);
      // A zone named by the environment, as a host passes TZ to python.wasm.
      expect(await run([...mounted, '--env', 'TZ=Europe/Paris'], [])).toEqual([['TZ=Europe/Paris', PARIS]]);
      // Nothing mounted: no TZ (libc tries /etc/localtime), a zone name: UTC.
      expect(await run([], ['Europe/Paris'])).toEqual([['TZ=(unset)', UTC], ['TZ=Europe/Paris', UTC]]);
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
