import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// This module runs from the TypeScript sources (apps/cli/src/, in tests) or bundled into the built
// CLI (dist/apps/cli/main.js, with package.json and guest-site/ copied beside it).
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The CLI's package directory: package.json, guest-site/. */
export const packageDir = fileURLToPath(new URL(FROM_SOURCES ? '..' : '.', import.meta.url)).replace(/\/$/, '');

/** The monorepo this CLI lives in: where `nx` runs and where built artifacts are found. */
export const workspaceRoot = join(packageDir, FROM_SOURCES ? '../..' : '../../..');

/** Where `nx build python` puts python.wasm and usr/local/lib/python311.zip; PYWASI_PYTHON_DIR overrides. */
export function pythonDistDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['PYWASI_PYTHON_DIR'] || join(workspaceRoot, 'dist', 'python');
}
