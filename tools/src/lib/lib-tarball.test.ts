import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { packLibrary, packedFiles } from './lib-tarball.ts';

let work = '';
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'lib-tarball-'));
  const lib = join(work, 'built');
  mkdirSync(join(lib, 'include'), { recursive: true });
  mkdirSync(join(lib, 'lib/pkgconfig'), { recursive: true });
  writeFileSync(join(lib, 'include/demo.h'), 'int demo(void);\n');
  writeFileSync(join(lib, 'lib/libdemo.a'), 'archive bytes');
  writeFileSync(join(lib, 'lib/libdemo.la'), `libdir='${work}/stage/lib'\n`);
  writeFileSync(join(lib, 'lib/pkgconfig/demo.pc'), 'prefix=${pcfiledir}/../..\nLibs: -L${prefix}/lib -ldemo\n');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

test('packs headers, archives and .pc files under <name>-<version>-<target>/, leaving libtool archives out', async () => {
  const packed = await packLibrary({ from: join(work, 'built'), name: 'demo', version: '1.2', target: 'wasm32-wasi', outputDir: work, forbidden: ['/nowhere'] });
  expect(packed.file).toBe(join(work, 'demo-1.2-wasm32-wasi.tar.gz'));
  const listing = (await execa('tar', ['-tzvf', packed.file])).stdout.split('\n');
  expect(listing.filter((l) => l.startsWith('-')).map((l) => l.split(/\s+/).at(-1)).sort()).toEqual([
    'demo-1.2-wasm32-wasi/include/demo.h',
    'demo-1.2-wasm32-wasi/lib/libdemo.a',
    'demo-1.2-wasm32-wasi/lib/pkgconfig/demo.pc',
  ]);
  expect(listing.every((l) => l.includes(' 0/0 ') && l.includes('1970-01-01'))).toBe(true);
});

test('the same library packs to the same bytes', async () => {
  const first = await packLibrary({ from: join(work, 'built'), name: 'demo', version: '1', target: 'wasm32-wasi', outputDir: join(work), forbidden: [] });
  const firstSha = sha(first.file);
  const second = await packLibrary({ from: join(work, 'built'), name: 'demo', version: '1', target: 'wasm32-wasi', outputDir: join(work), forbidden: [] });
  expect(sha(second.file)).toBe(firstSha);
});

test('a text file naming a path of this machine is refused, naming the file and the fix', () => {
  writeFileSync(join(work, 'built/lib/pkgconfig/demo.pc'), `prefix=${work}/stage\n`);
  expect(() => packedFiles(join(work, 'built'), [work])).toThrow(/lib\/pkgconfig\/demo\.pc names .*a path of this machine.*prefix=\$\{pcfiledir\}\/\.\.\/\.\./);
});

test('a library that was not built is an error saying so', () => {
  expect(() => packedFiles(join(work, 'missing'), [])).toThrow(/does not exist: build the library first/);
});
