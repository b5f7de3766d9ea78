// setjmp/longjmp for the sysroot: what the chosen way (wasm exception handling, libsetjmp) costs
// against the other (binaryen's Asyncify, as ruby.wasm does), measured on lua.wasm, whose errors
// are longjmps. Three builds of the same linked module:
//   - wasm EH: dist/lua/lua.wasm as shipped (wasm-opt -O2, exnref);
//   - no setjmp: EH stripped (a Lua error would trap): the floor, what any setjmp costs above it;
//   - Asyncify: the stripped module instrumented by `wasm-opt --asyncify`: the least Asyncify
//     costs (a working setjmp on it would add its runtime and unwinds on top).
// Sizes, and a workload that never throws (bench/lua/workload.lua), the builds taking turns.
//
//   npx tsx bench/lua-setjmp.ts
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { planWasmOpt } from '../tools/src/lib/wasm-opt.ts';
import { runNx, workspaceRoot } from '../tools/testing/nx.ts';
import { node24 } from './lib/pythons.ts';
import { printTable, type Row } from './lib/report.ts';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const linked = join(workspaceRoot, 'build/lua/src/src/lua');
const shipped = join(workspaceRoot, 'dist/lua/lua.wasm');
const workload = join(workspaceRoot, 'bench/lua/workload.lua');
const cli = join(workspaceRoot, 'apps/cli/bin/pywasi.js');

await runNx(['run-many', '-t', 'build', '-p', 'lua', 'pywasi']);
const work = mkdtempSync(join(tmpdir(), 'pywasi-lua-setjmp-'));
try {
  const wasmOpt = async (input: string, output: string, flags: string[]) => {
    const step = planWasmOpt(input, output, flags, work);
    await execa(step.command, step.args, { cwd: step.cwd });
  };
  const stripped = join(work, 'lua-no-setjmp.wasm');
  const asyncified = join(work, 'lua-asyncify.wasm');
  await wasmOpt(linked, stripped, ['--strip-eh', '-O2', '--strip-debug', '--strip-producers']);
  await wasmOpt(stripped, asyncified, ['--asyncify', '-O2']);
  const builds = [
    { name: 'wasm EH (shipped)', file: shipped },
    { name: 'no setjmp (floor)', file: stripped },
    { name: 'Asyncify (instrumentation only)', file: asyncified },
  ];
  const best = new Map(builds.map((b) => [b.name, { calls: Infinity, strings: Infinity }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const build of builds) {
      const run = await execa(process.execPath, [cli, 'run', '--dir', join(workspaceRoot, 'bench/lua'), '--', build.file, workload]);
      const match = /calls ([\d.]+) strings ([\d.]+)/.exec(run.stdout);
      if (!match) throw new Error(`${build.name}: unexpected output ${run.stdout}`);
      const b = best.get(build.name)!;
      b.calls = Math.min(b.calls, Number(match[1]));
      b.strings = Math.min(b.strings, Number(match[2]));
    }
  }
  const floor = best.get('no setjmp (floor)')!;
  const floorSize = statSync(stripped).size;
  const rows: Row[] = builds.flatMap((build) => {
    const b = best.get(build.name)!;
    return [
      { name: `${build.name}: size`, wasm: statSync(build.file).size / 1024, native: floorSize / 1024, unit: 'KiB' },
      { name: `${build.name}: calls (fib 27)`, wasm: b.calls * 1000, native: floor.calls * 1000, unit: 'ms' },
      { name: `${build.name}: strings`, wasm: b.strings * 1000, native: floor.strings * 1000, unit: 'ms' },
    ];
  });
  printTable(`setjmp/longjmp strategies on lua.wasm, against the build without setjmp ("native" column), Node ${(await execa(node24, ['--version'])).stdout}, best of ${ROUNDS} (${new Date().toISOString().slice(0, 10)})`, rows, { bench: 'lua-setjmp', columns: { value: 'this build', against: 'no setjmp' } });
} finally {
  rmSync(work, { recursive: true, force: true });
}
