// Runs a WASI command module with plain node:wasi: stdout/stderr inherited, one pre-opened
// directory mapped to /out, exit code propagated. Used by tests that check a sysroot on its own,
// before any pywasi host is involved.
// Usage: run-wasi.mjs [--dir <guest>=<host>]... [--env <name>=<value>]... <module> <out dir> [args...]
// (--dir pre-opens more directories; --env gives the guest a variable: its environment is empty
// otherwise).
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
while (argv[0] === '--dir' || argv[0] === '--env') {
  const [flag, value = ''] = argv.splice(0, 2);
  const at = value.indexOf('=');
  if (at <= 0) throw new Error(`${flag} wants <name>=<value>, got ${JSON.stringify(value)}`);
  (flag === '--dir' ? preopens : env)[value.slice(0, at)] = value.slice(at + 1);
}
const [modulePath, outDir, ...args] = argv;
const wasi = new WASI({ version: 'preview1', args, env, preopens: { ...preopens, '/out': outDir }, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(modulePath));
const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
