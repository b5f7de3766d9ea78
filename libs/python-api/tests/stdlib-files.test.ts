// The standard library as files: a build's zips unpacked once per installation into the cache,
// byte code in __pycache__ beside its source, a copy complete or absent.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { strToU8, zipSync } from 'fflate';
import { stdlibFiles, StdlibError } from '../src/stdlib-files.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-stdlib-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A build's usr/local/lib: python311.zip (byte code, data), python311-src.zip (sources) unless
 * `sources` is false, and a file beside them. */
function buildLib(options: { sources?: boolean; marker?: string } = {}): string {
  const lib = mkdtempSync(path.join(scratch, 'lib-'));
  const pyc = (text: string) => strToU8(`pyc of ${text}`);
  writeFileSync(
    path.join(lib, 'python311.zip'),
    zipSync({
      'os.pyc': pyc('os'),
      'json/__init__.pyc': pyc('json'),
      'json/decoder.pyc': pyc(options.marker ?? 'json.decoder'),
      '_sysconfigdata__wasi_wasm32-wasi.pyc': pyc('sysconfigdata'),
      'lib2to3/Grammar.pickle': strToU8('grammar'),
    }),
  );
  if (options.sources !== false) {
    writeFileSync(path.join(lib, 'python311-src.zip'), zipSync({ 'os.py': strToU8('# os'), 'json/__init__.py': strToU8('# json'), 'json/decoder.py': strToU8('# decoder') }));
  }
  writeFileSync(path.join(lib, 'built-in-packages.json'), '[]');
  return lib;
}

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();

describe('stdlibFiles', () => {
  test('sources with their byte code in __pycache__, sourceless modules and data in place, other files beside', () => {
    const cache = mkdtempSync(path.join(scratch, 'cache-'));
    const dir = stdlibFiles(buildLib(), cache);
    expect(files(dir)).toEqual([
      'built-in-packages.json',
      'python3.11/__pycache__/os.cpython-311.pyc',
      'python3.11/_sysconfigdata__wasi_wasm32-wasi.pyc',
      'python3.11/json/__init__.py',
      'python3.11/json/__pycache__/__init__.cpython-311.pyc',
      'python3.11/json/__pycache__/decoder.cpython-311.pyc',
      'python3.11/json/decoder.py',
      'python3.11/lib2to3/Grammar.pickle',
      'python3.11/os.py',
    ]);
    expect(readFileSync(path.join(dir, 'python3.11/json/__pycache__/decoder.cpython-311.pyc'), 'utf8')).toBe('pyc of json.decoder');
    expect(readFileSync(path.join(dir, 'python3.11/json/decoder.py'), 'utf8')).toBe('# decoder');
  });

  test('without a sources zip, every module is its .pyc in place', () => {
    const dir = stdlibFiles(buildLib({ sources: false }), mkdtempSync(path.join(scratch, 'cache-')));
    expect(files(path.join(dir, 'python3.11'))).toEqual(['_sysconfigdata__wasi_wasm32-wasi.pyc', 'json/__init__.pyc', 'json/decoder.pyc', 'lib2to3/Grammar.pickle', 'os.pyc']);
  });

  test('a current copy is used again; a changed zip is unpacked anew and the old copy removed', () => {
    const cache = mkdtempSync(path.join(scratch, 'cache-'));
    const lib = buildLib();
    const first = stdlibFiles(lib, cache);
    const written = statSync(path.join(first, 'python3.11/os.py')).mtimeMs;
    expect(stdlibFiles(lib, cache)).toBe(first);
    expect(statSync(path.join(first, 'python3.11/os.py')).mtimeMs).toBe(written);

    // The build is made again with another decoder: same place, another zip.
    const rebuilt = buildLib({ marker: 'a newer decoder' });
    for (const name of ['python311.zip', 'python311-src.zip']) writeFileSync(path.join(lib, name), readFileSync(path.join(rebuilt, name)));
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(lib, 'python311.zip'), later, later);
    const second = stdlibFiles(lib, cache);
    expect(second).not.toBe(first);
    expect(readFileSync(path.join(second, 'python3.11/json/__pycache__/decoder.cpython-311.pyc'), 'utf8')).toBe('pyc of a newer decoder');
    expect(existsSync(first)).toBe(false);
    // Nothing half-written is left beside the copies.
    expect(readdirSync(path.join(cache, 'stdlib'))).toEqual([path.basename(second)]);
  });

  test("another run's copy being written is left alone; one abandoned an hour ago goes", () => {
    const cache = mkdtempSync(path.join(scratch, 'cache-'));
    const lib = buildLib();
    const first = stdlibFiles(lib, cache);
    const writing = `${first.replace(/-[0-9a-f]{8}$/, '-0badc0de')}.partial-1-1`;
    const abandoned = `${first.replace(/-[0-9a-f]{8}$/, '-0badc0de')}.partial-2-2`;
    for (const dir of [writing, abandoned]) mkdirSync(dir);
    const hoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(abandoned, hoursAgo, hoursAgo);
    rmSync(first, { recursive: true });
    const again = stdlibFiles(lib, cache);
    expect(readdirSync(path.join(cache, 'stdlib')).sort()).toEqual([path.basename(again), path.basename(writing)].sort());
  });

  test('two installations keep a copy each', () => {
    const cache = mkdtempSync(path.join(scratch, 'cache-'));
    const a = stdlibFiles(buildLib(), cache);
    const b = stdlibFiles(buildLib(), cache);
    expect(a).not.toBe(b);
    expect(readdirSync(path.join(cache, 'stdlib')).sort()).toEqual([path.basename(a), path.basename(b)].sort());
  });

  test('a build without its zip is an error that names the file', () => {
    const lib = mkdtempSync(path.join(scratch, 'empty-'));
    expect(() => stdlibFiles(lib, mkdtempSync(path.join(scratch, 'cache-')))).toThrow(new StdlibError(`${path.join(lib, 'python311.zip')} is missing: the python build is incomplete (build it again, or reinstall its package)`));
  });

  test('a cache that cannot be written is an error that names it, and leaves nothing behind', () => {
    const blocked = path.join(scratch, 'not-a-directory');
    writeFileSync(blocked, '');
    expect(() => stdlibFiles(buildLib(), blocked)).toThrow(StdlibError);
    expect(() => stdlibFiles(buildLib(), blocked)).toThrow(`into ${path.join(blocked, 'stdlib')}`);
    const corrupt = mkdtempSync(path.join(scratch, 'lib-'));
    writeFileSync(path.join(corrupt, 'python311.zip'), 'not a zip');
    const cache = mkdtempSync(path.join(scratch, 'cache-'));
    expect(() => stdlibFiles(corrupt, cache)).toThrow(StdlibError);
    mkdirSync(path.join(cache, 'stdlib'), { recursive: true });
    expect(readdirSync(path.join(cache, 'stdlib'))).toEqual([]);
  });
});
