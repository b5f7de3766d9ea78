import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// This module runs from the TypeScript sources (apps/cli/src/, in tests) or bundled: into the
// workspace's CLI (dist/apps/cli/main.js) or the installed package's (main.js), each with the
// package.json beside it.
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The CLI's package directory: package.json. */
export const packageDir = fileURLToPath(new URL(FROM_SOURCES ? '..' : '.', import.meta.url)).replace(/\/$/, '');

/** The monorepo this CLI lives in (where `nx` runs and built artifacts are found), or undefined
 * for an installed package. */
export function workspaceRoot(): string | undefined {
  const root = join(packageDir, FROM_SOURCES ? '../..' : '../../..');
  return existsSync(join(root, 'nx.json')) && existsSync(join(root, 'libs', 'cpython')) ? root : undefined;
}
