import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The monorepo this CLI lives in: where `nx` runs and where built artifacts are found. */
export const workspaceRoot = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

/** Where `nx build python` puts python.wasm and usr/local/lib/python311.zip; PYWASI_PYTHON_DIR overrides. */
export function pythonDistDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['PYWASI_PYTHON_DIR'] || join(workspaceRoot, 'dist', 'python');
}
