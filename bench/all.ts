// Every Python benchmark in one run: `npm run bench`. (Sockets: `npm run bench:sockets`.)
import { printTable } from './lib/report.ts';
import { buildRows } from './python-build.ts';
import { startupRows } from './python-startup.ts';
import { workloadRows } from './python-workloads.ts';
import { nativePython } from './lib/pythons.ts';

const native = await nativePython();
console.log(`native: CPython ${native.version} (${native.command}); wasm: pywasi python`);
const build = await buildRows();
printTable('Build', build);
printTable('Start-up', await startupRows());
printTable('Pure-Python workloads (best of 3, timed inside the interpreter)', await workloadRows());
