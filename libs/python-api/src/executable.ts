// sys.executable names a file the guest can open: python.wasm itself, at PYTHON_PROGRAM.
//
// A native python's sys.executable is its own binary, and programs read it (platform.libc_ver()
// and platform.architecture() open it; scripts test that it exists). The guest sees python.wasm
// there, read-only, through a directory in pywasi's cache that holds it as `python3`: a hard link
// to the build's module (a copy where the cache is on another file system), made at first use
// and again when the build changes.
import { copyFileSync, linkSync, mkdirSync, renameSync, rmSync, statSync, utimesSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { crcName } from './cache-names.ts';
import { cacheDir } from './snapshot.ts';

/** The same file, or a copy that is still the module's (size and modification time). */
const current = (copy: Stats, module: Stats): boolean =>
  (copy.ino === module.ino && copy.dev === module.dev) || (copy.size === module.size && Math.round(copy.mtimeMs) === Math.round(module.mtimeMs));

/**
 * A host directory holding `program` (PYTHON_PROGRAM's name, python3) as the python.wasm module
 * `wasm`, to be seen at PYTHON_PROGRAM's directory; undefined when it cannot be made (the guest's
 * sys.executable then names no file, as before).
 */
export function executableDir(wasm: string, program: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  // One directory per build (a workspace, an installed package), as for snapshots.
  const dir = path.join(cacheDir(env), 'bin', `python-${crcName(wasm)}`);
  const file = path.join(dir, program);
  try {
    const module = statSync(wasm);
    try {
      if (current(statSync(file), module)) return dir;
    } catch {
      // not made yet
    }
    mkdirSync(dir, { recursive: true });
    // Made beside it, then renamed over it: a run that starts meanwhile sees one or the other.
    const made = `${file}.${process.pid}.tmp`;
    rmSync(made, { force: true });
    try {
      linkSync(wasm, made);
    } catch {
      copyFileSync(wasm, made);
      utimesSync(made, module.atime, module.mtime);
    }
    renameSync(made, file);
    return dir;
  } catch {
    return undefined;
  }
}
