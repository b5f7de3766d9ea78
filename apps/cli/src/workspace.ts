import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// This module runs from the TypeScript sources (apps/cli/src/, in tests) or bundled into the built
// CLI (dist/apps/cli/main.js, with package.json copied beside it).
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The CLI's package directory: package.json. */
export const packageDir = fileURLToPath(new URL(FROM_SOURCES ? '..' : '.', import.meta.url)).replace(/\/$/, '');

/** The monorepo this CLI lives in: where `nx` runs and where built artifacts are found. */
export const workspaceRoot = join(packageDir, FROM_SOURCES ? '../..' : '../../..');

