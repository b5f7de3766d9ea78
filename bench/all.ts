// Every Python benchmark in one run: `npm run bench` (-- --quick leaves out the ~10 min cold
// build). Sockets: `npm run bench:sockets`. With --save, each table is appended to bench/results.json.
import { printTable } from './lib/report.ts';
import { COLD_BUILD_TABLE, coldBuildRows } from './cold-build.ts';
import { BUILD_TABLE, buildRows } from './python-build.ts';
import { STARTUP_TABLE, startupRows } from './python-startup.ts';
import { PEER, WORKLOADS_TABLE, workloadRows, workloadsTitle } from './python-workloads.ts';
import { nativePython } from './lib/pythons.ts';

const quick = process.argv.includes('--quick');
const native = await nativePython();
console.log(`native: CPython ${native.version} (${native.command}); wasm: pywasi python; peer: npm ${PEER}, same Node (24)`);
printTable('Build', await buildRows(), BUILD_TABLE);
printTable('Start-up', await startupRows(), STARTUP_TABLE);
printTable(workloadsTitle, await workloadRows(), WORKLOADS_TABLE);
if (!quick) printTable('Cold build ("native": the time before)', await coldBuildRows(), COLD_BUILD_TABLE);
