// `nx build wasi-host`: prebuilt plain-JS bundle of the guest worker in dist/libs/wasi-host, with
// the manifest runWasi checks before using it (a stale bundle is never run; see src/bundle.mjs).
import { rmSync } from 'node:fs';
import { GUEST_WORKER_ENTRY, buildBundle, prebuiltDir } from '../src/bundle.mjs';

rmSync(prebuiltDir, { recursive: true, force: true });
const file = await buildBundle('guest-worker', prebuiltDir, GUEST_WORKER_ENTRY);
console.log(`wasi-host: ${file}`);
