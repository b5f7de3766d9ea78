// Cold build time of each wasm library and of lua.wasm: `nx build <lib>` with its own cache skipped (its
// dependencies, the toolchain and the sysroot, are cache hits), its pinned source already in the
// download cache. Prints the seconds of each and of the C test that exercises it.
//
//   npx tsx bench/lib-builds.ts [lib...] [--save]        (npm run bench:libs; default: all of them)
import { runNx } from '../tools/testing/nx.ts';
import { printTable, type Row } from './lib/report.ts';
import { benchArgs } from './lib/results.ts';

const LIBS = ['zlib', 'libuuid', 'bzip2', 'xz', 'sqlite', 'openssl', 'libyaml', 'libxml2', 'libxslt', 'lua'];
const libs = benchArgs().length ? benchArgs() : LIBS;

const rows: Row[] = [];
for (const lib of libs) {
  await runNx(['build', lib]); // dependencies built and cached first, outside the timing
  // Both targets of a split build (make, then wasm-opt), its other dependencies excluded.
  const cold = await runNx(['run-many', '-t', 'make', 'build', '-p', lib, '--skip-nx-cache', '--exclude-task-dependencies']);
  rows.push({ name: `nx build ${lib}, cold`, wasm: cold.seconds, unit: 's' });
  console.log(`${lib}: ${cold.seconds.toFixed(1)} s`);
}
printTable(`Cold builds on this machine (${new Date().toISOString().slice(0, 10)})`, rows, { bench: 'lib-builds', columns: { value: 'cold build' } });
