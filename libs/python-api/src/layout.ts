// Where python.wasm and its standard library are on the host, and where the guest sees them.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** PYTHONHOME in the guest, as in CPython's own WASI layout. */
export const GUEST_PREFIX = '/usr/local';
/** Where the guest sees our sitecustomize.py (read-only). */
export const GUEST_SITE = '/pywasi-site';

// This module runs from the TypeScript sources (libs/python-api/src/) or bundled one level below
// dist/ (dist/apps/cli/main.js, dist/libs/python-api/index.js), with guest-site/ copied beside it.
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The host directory of sitecustomize.py. */
export const siteDir = fileURLToPath(new URL(FROM_SOURCES ? '../guest-site' : './guest-site', import.meta.url));

/** Where `nx build python` puts python.wasm and usr/local/lib/python311.zip; PYWASI_PYTHON_DIR
 * overrides it. */
export function defaultPythonDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['PYWASI_PYTHON_DIR'] || fileURLToPath(new URL(FROM_SOURCES ? '../../../dist/python' : '../../python', import.meta.url));
}

export interface PythonLayout {
  wasm: string;
  /** python.wasm prepared for start-up snapshots (see snapshot.ts). */
  resumableWasm: string;
  /** Host directory seen as /usr/local/lib: python311.zip and anything beside it. */
  libDir: string;
}

export function pythonLayout(distDir = defaultPythonDir()): PythonLayout {
  return { wasm: path.join(distDir, 'python.wasm'), resumableWasm: path.join(distDir, 'python-resumable.wasm'), libDir: path.join(distDir, 'usr', 'local', 'lib') };
}
