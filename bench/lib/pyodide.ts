// The peer a Node user would pick instead: npm `pyodide`, installed at a pinned version into a
// scratch directory in the cache (not a dependency of the workspace: 13 MiB nobody else needs),
// run on the same Node as pywasi by bench/lib/pyodide-run.mjs.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { pywasiCacheDir } from '../../tools/src/lib/cache-dir.ts';
import { node24, workspaceRoot } from './pythons.ts';

/** Pinned so that figures from two days compare; PYODIDE_VERSION tries another. */
export const PYODIDE_VERSION = process.env['PYODIDE_VERSION'] ?? '314.0.8';
const runner = join(workspaceRoot, 'bench/lib/pyodide-run.mjs');

/** Installs pyodide@PYODIDE_VERSION once into the cache; returns its directory. */
export async function installPyodide(): Promise<string> {
  const dir = join(pywasiCacheDir(), 'bench', `pyodide-${PYODIDE_VERSION}`);
  if (existsSync(join(dir, 'node_modules/pyodide/pyodide.asm.wasm'))) return dir;
  mkdirSync(dir, { recursive: true });
  console.log(`installing npm pyodide@${PYODIDE_VERSION} into ${dir} (once)`);
  const r = await execa('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', dir, `pyodide@${PYODIDE_VERSION}`], { reject: false, all: true });
  if (r.failed) throw new Error(`npm install pyodide@${PYODIDE_VERSION} failed: ${(r.all ?? '').split('\n').slice(-3).join(' ')}`);
  return dir;
}

/** `[command, args]` running `script args...` in Pyodide, with `cwd` (a host directory) mounted and
 * current: the same shape as pywasiPython, for the same suites. */
export async function pyodidePython(cwd: string, script: string, args: string[]): Promise<[string, string[]]> {
  const dir = await installPyodide();
  return [node24, [runner, join(dir, 'node_modules/pyodide/pyodide.mjs'), cwd, script, ...args]];
}
