// The standard library as files. A build ships it as python311.zip (byte code) and, in a clone or
// the full build, python311-src.zip (sources). Runs on Node see it unpacked: once per installation
// and zip, into pywasi's cache, mounted read-only as the guest's /usr/local/lib. CPython then
// finds it where a native python has it (/usr/local/lib/python3.11), and everything that reads a
// module's file works as there: inspect.getsource, linecache, trace and pdb, modules that read
// their own source (argparse's tests, ast over the stdlib), imp and pkgutil finding modules by
// path, sys._stdlib_dir. Byte code goes to __pycache__ beside its source: the zip's .pyc files are
// unchecked hash-based (PEP 552), so an import never reads or compiles the source. A module the
// build ships no source for keeps its .pyc in place (a sourceless module, as CPython allows).
// `--stdlib-zip` (runPython's `stdlib: 'zip'`) keeps the zip, as WasmEdge runs have it.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import * as path from 'node:path';
import { crcName, fileStamp } from './cache-names.ts';
import { unzipSync } from 'fflate';

export const STDLIB_ZIP = 'python311.zip';
export const STDLIB_SOURCES_ZIP = 'python311-src.zip';
/** The directory CPython's getpath looks for under PYTHONHOME's lib/. */
const STDLIB_DIR = 'python3.11';
const CACHE_TAG = 'cpython-311';
/** Changes when the unpacked layout does: older trees are then unpacked again. */
const LAYOUT_VERSION = 1;

/** How a run sees the standard library: `files` (unpacked, the default on Node) or `zip` (the
 * build's zips as they are, as WasmEdge runs see them). */
export type StdlibLayout = 'files' | 'zip';

export class StdlibError extends Error {
  override readonly name = 'StdlibError';
}

/**
 * The host directory a run mounts as /usr/local/lib with the standard library as files, unpacked
 * from `libDir` (a build's usr/local/lib) into `cacheRoot` unless a current copy is there. One copy
 * per installation and zip: unpacking another zip for the same `libDir` removes the older copies.
 * A copy is complete or absent: it is written beside its place and renamed into it.
 */
export function stdlibFiles(libDir: string, cacheRoot: string): string {
  const zip = path.join(libDir, STDLIB_ZIP);
  const sources = path.join(libDir, STDLIB_SOURCES_ZIP);
  let key: string;
  try {
    key = JSON.stringify({ v: LAYOUT_VERSION, zip: fileStamp(zip), sources: existsSync(sources) ? fileStamp(sources) : null });
  } catch {
    throw new StdlibError(`${zip} is missing: the python build is incomplete (build it again, or reinstall its package)`);
  }
  const root = path.join(cacheRoot, 'stdlib');
  const installation = `python-${crcName(path.resolve(libDir))}`;
  const dir = path.join(root, `${installation}-${crcName(key)}`);
  if (existsSync(dir)) return dir;

  const partial = `${dir}.partial-${process.pid}-${Date.now()}`;
  try {
    mkdirSync(root, { recursive: true });
    unpack(libDir, zip, existsSync(sources) ? sources : undefined, partial);
    try {
      renameSync(partial, dir);
    } catch (error) {
      // Another run unpacked the same zip meanwhile: its copy is as good as this one.
      if (!existsSync(dir)) throw error;
    }
  } catch (error) {
    throw new StdlibError(`could not unpack the standard library of ${libDir} into ${root}: ${(error as Error).message}`);
  } finally {
    try {
      rmSync(partial, { recursive: true, force: true });
    } catch {
      // Nothing was written where nothing can be.
    }
  }
  // Older copies of this installation go; so do copies another run left half-written over an hour
  // ago (it was stopped), but not one being written now.
  const copy = new RegExp(`^${installation}-[0-9a-f]{8}$`);
  const abandoned = new RegExp(`^${installation}-[0-9a-f]{8}\\.partial-`);
  for (const entry of readdirSync(root)) {
    const at = path.join(root, entry);
    if (at === dir) continue;
    try {
      if (copy.test(entry) || (abandoned.test(entry) && Date.now() - statSync(at).mtimeMs > 3_600_000)) rmSync(at, { recursive: true, force: true });
    } catch {
      // Removed meanwhile by another run.
    }
  }
  return dir;
}

function unpack(libDir: string, zip: string, sources: string | undefined, into: string): void {
  const stdlib = path.join(into, STDLIB_DIR);
  const write = (relative: string, data: Uint8Array) => {
    const file = path.join(stdlib, relative);
    // An entry's name never leaves the tree (the zips are the build's own; this still holds).
    if (!file.startsWith(stdlib + path.sep)) throw new Error(`the zip names a file outside it: ${relative}`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, data);
  };
  const sourceFiles = new Set<string>();
  if (sources) {
    for (const [name, data] of Object.entries(unzipSync(readFileSync(sources)))) {
      if (name.endsWith('/')) continue;
      write(name, data);
      sourceFiles.add(name);
    }
  }
  for (const [name, data] of Object.entries(unzipSync(readFileSync(zip)))) {
    if (name.endsWith('/')) continue;
    const source = name.endsWith('.pyc') ? name.slice(0, -1) : undefined;
    if (source !== undefined && sourceFiles.has(source)) {
      const { dir, name: module } = path.posix.parse(name);
      write(path.posix.join(dir, '__pycache__', `${module}.${CACHE_TAG}.pyc`), data);
    } else if (!sourceFiles.has(name)) {
      write(name, data);
    }
  }
  // What else the build keeps beside the zips (built-in-packages.json) stays beside the tree.
  for (const entry of readdirSync(libDir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name !== STDLIB_ZIP && entry.name !== STDLIB_SOURCES_ZIP) copyFileSync(path.join(libDir, entry.name), path.join(into, entry.name));
  }
}
