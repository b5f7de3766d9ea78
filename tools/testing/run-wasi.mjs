// Runs a WASI command module with plain node:wasi: stdout/stderr inherited, one pre-opened
// directory mapped to /out, exit code propagated. Used by tests that check a sysroot on its own,
// before any pywasi host is involved.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [modulePath, outDir, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args, env: {}, preopens: { '/out': outDir }, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(modulePath));
const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
