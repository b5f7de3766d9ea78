// Every Python benchmark in one run: `npm run bench` (-- --quick leaves out the ~10 min cold
// build). Sockets: `npm run bench:sockets`.
import { printTable } from './lib/report.ts';
import { coldBuildRows } from './cold-build.ts';
import { buildRows } from './python-build.ts';
import { startupRows } from './python-startup.ts';
import { PEER, workloadRows, workloadsTitle } from './python-workloads.ts';
import { nativePython } from './lib/pythons.ts';

const quick = process.argv.includes('--quick');
const native = await nativePython();
console.log(`native: CPython ${native.version} (${native.command}); wasm: pywasi python; peer: npm ${PEER}, same Node (24)`);
printTable('Build', await buildRows());
printTable('Start-up', await startupRows());
printTable(workloadsTitle, await workloadRows(), PEER);
if (!quick) printTable('Cold build ("native": the time before)', await coldBuildRows());
