// numpy in python.wasm (the full build by default: numpy 2.1.3 built in, no BLAS) against native
// numpy 2.1.3 on Debian's python3.11 (the manylinux wheel, OPENBLAS_NUM_THREADS=1), one workload
// script for both, taking turns, best of the turns per workload (in CPU time, see WORKLOADS). Goals: elementwise and
// reductions ≤ 3× native. Also start-up and peak RSS of `import numpy` in that build against the
// default build's `python -c pass`.
//   npx tsx bench/numpy.ts [--build NAME] [--save]        (npm run bench:numpy; RUNS=N turns, default 5)
// --build NAME measures dist/python-NAME instead (a build with numpy made by `pywasi build --with
// numpy --name NAME`); its runs are saved as comparisons (partial), the full build's stay the bench's.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { median, printTable, type Row } from './lib/report.ts';
import { nativePython, node24, workspaceRoot } from './lib/pythons.ts';
import { sample } from './python-startup.ts';

const { values: args } = parseArgs({ options: { build: { type: 'string', default: 'full' }, save: { type: 'boolean' } } });
const build = args.build;
const TURNS = Number(process.env['RUNS'] ?? 5);
const buildDir = join(workspaceRoot, `dist/python-${build}`);
if (!existsSync(join(buildDir, 'python.wasm'))) {
  const how = build === 'full' ? 'npx nx build python-full' : `node apps/cli/bin/pywasi.js build --with numpy --name ${build}`;
  console.error(`${buildDir}/python.wasm is missing: run \`${how}\` first`);
  process.exit(2);
}

// Native numpy of the same version, pinned: the wheel PyPI serves for CPython 3.11 on x86_64.
const NUMPY_WHEEL = 'numpy==2.1.3 --hash=sha256:bc6f24b3d1ecc1eebfbf5d6051faa49af40b03be1aaa781ebdadcbc090b4539b';

// Each workload is timed in CPU time of the process (time.process_time), not wall time: on a
// shared machine the wall time of a millisecond-long call mostly measures the neighbours' builds
// (best-of-5 wall times of one build varied 2× between runs on this VM; CPU times by a few %).
const WORKLOADS = `
import json, time, numpy as np
rng = np.random.default_rng(1)
a = rng.random(1_000_000); b = rng.random(1_000_000)
i = rng.integers(0, 1 << 30, 1_000_000, dtype=np.int32); j = i[::-1].copy()
m = rng.random((300, 300))
def best(f, n=5):
    times = []
    for _ in range(n):
        t = time.process_time(); f(); times.append(time.process_time() - t)
    return min(times) * 1000
print(json.dumps({
  "elementwise": best(lambda: (a * b + a) / (b + 1.0)),
  "integers": best(lambda: i * 3 + j),
  "reductions": best(lambda: (a.sum(), a.mean(), a.std(), a.max())),
  "sort": best(lambda: np.sort(a), 3),
  "matmul": best(lambda: m @ m, 3),
}))
`;

const scratch = mkdtempSync(join(tmpdir(), 'pywasi-bench-numpy-'));
try {
  const native = await nativePython();
  const deps = join(scratch, 'native-numpy');
  const requirements = join(scratch, 'requirements.txt');
  writeFileSync(requirements, `${NUMPY_WHEEL}\n`);
  await execa(native.command, ['-m', 'pip', 'install', '--quiet', '--no-deps', '--only-binary', ':all:', '--require-hashes', '--target', deps, '-r', requirements]);
  const script = join(scratch, 'workloads.py');
  writeFileSync(script, WORKLOADS);

  const wasmRun = async () => JSON.parse((await execa(node24, [join(workspaceRoot, 'apps/cli/bin/pywasi.js'), 'python', '--build', build, script], { cwd: scratch, env: { PYWASI_NODE: 'current' } })).stdout) as Record<string, number>;
  const nativeRun = async () => JSON.parse((await execa(native.command, [script], { env: { PYTHONPATH: deps, OPENBLAS_NUM_THREADS: '1' } })).stdout) as Record<string, number>;
  const wasm: Record<string, number[]> = {};
  const host: Record<string, number[]> = {};
  for (let i = 0; i < TURNS; i++) {
    for (const [run, into] of [[wasmRun, wasm], [nativeRun, host]] as const) {
      for (const [k, v] of Object.entries(await run())) (into[k] ??= []).push(v);
    }
  }
  const best = (xs: number[] | undefined) => Math.min(...(xs ?? [NaN]));
  const rows: Row[] = [
    { name: 'elementwise: (a*b + a) / (b + 1), 1M float64 (best)', wasm: best(wasm['elementwise']), native: best(host['elementwise']), unit: 'ms', goal: 3, goalOn: 'ratio' },
    { name: 'integers: i*3 + j, 1M int32 (best)', wasm: best(wasm['integers']), native: best(host['integers']), unit: 'ms' },
    { name: 'reductions: sum, mean, std, max of 1M (best)', wasm: best(wasm['reductions']), native: best(host['reductions']), unit: 'ms', goal: 3, goalOn: 'ratio' },
    { name: 'np.sort of 1M float64 (best)', wasm: best(wasm['sort']), native: best(host['sort']), unit: 'ms' },
    { name: '300×300 matmul (no BLAS here; OpenBLAS, 1 thread, native) (best)', wasm: best(wasm['matmul']), native: best(host['matmul']), unit: 'ms' },
  ];

  // Start-up: the build importing numpy, against the default build starting.
  const pywasi = join(workspaceRoot, 'apps/cli/bin/pywasi.js');
  const env = { PYWASI_NODE: 'current' };
  await sample(node24, [pywasi, 'python', '--build', build, '-c', 'import numpy'], env); // the build's snapshot made
  const built: { ms: number[]; rss: number[] } = { ms: [], rss: [] };
  const base: { ms: number[]; rss: number[] } = { ms: [], rss: [] };
  for (let i = 0; i < TURNS * 2; i++) {
    const f = await sample(node24, [pywasi, 'python', '--build', build, '-c', 'import numpy'], env);
    const d = await sample(node24, [pywasi, 'python', '-c', 'pass'], env);
    built.ms.push(f.ms); built.rss.push(f.maxRssMiB); base.ms.push(d.ms); base.rss.push(d.maxRssMiB);
  }
  rows.push(
    { name: `\`--build ${build} -c "import numpy"\` vs default \`-c pass\`: start-up (median)`, wasm: median(built.ms), native: median(base.ms), unit: 'ms' },
    { name: 'the same: peak RSS (median)', wasm: median(built.rss), native: median(base.rss), unit: 'MiB' },
  );
  printTable(`numpy ${'2.1.3'} in python.wasm (${build} build) vs native numpy on ${native.command} ${native.version}, ${TURNS} turns`, rows, { bench: 'numpy', columns: { value: 'python.wasm', against: 'native / default build' }, partial: build !== 'full' });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
