// Cold build time of each compiled Python package (libs/python-packages) and of the full build's
// relink: `nx build <package>` with its own cache skipped (CPython's SDK, the build tools and the
// C libraries it links are cache hits), its sdist already in the download cache; then the full
// build's link and wasm-opt, each alone. What a package edit costs, and what it never costs: CPython
// is not rebuilt for either.
//
//   npx tsx bench/package-builds.ts [package...] [--save]        (npm run bench:package-builds)
import { runNx, workspaceRoot } from '../tools/testing/nx.ts';
import { buildablePackages } from '../apps/cli/src/commands/composed-build.ts';
import { printTable, type Row } from './lib/report.ts';
import { benchArgs } from './lib/results.ts';

const packages = benchArgs().length ? benchArgs() : buildablePackages(workspaceRoot);

await runNx(['build', 'python-full']); // everything built and cached first, outside the timing
const rows: Row[] = [];
const cold = async (label: string, args: string[]) => {
  const run = await runNx([...args, '--skip-nx-cache', '--exclude-task-dependencies']);
  rows.push({ name: label, wasm: run.seconds, unit: 's' });
  console.log(`${label}: ${run.seconds.toFixed(1)} s`);
};
for (const name of packages) await cold(`nx build ${name}, cold`, ['run', `${name}:build`]);
await cold('python-full: link (the relink)', ['run', 'python-full:link']);
await cold('python-full: wasm-opt', ['run', 'python-full:optimize']);
printTable(`Cold package builds on this machine (${new Date().toISOString().slice(0, 10)})`, rows, { bench: 'package-builds', columns: { value: 'cold build' } });
