// Whether the threaded python.wasm can be the default one (issue 35, item 4):
// `npx tsx bench/threads-default.ts [--rounds N] [--save]`.
//
// The threads build (dist/python-threads, `nx build python -c threads`; the default since this
// bench said it can be) against the build without threads (dist/python, `--no-threads`; "default"
// below and in the saved results, its name when this bench decided), both through `pywasi python` on the workspace's Node 24 and both from their
// start-up snapshots, taking turns (the order swaps each round, so a noisy neighbour slows both),
// ROUNDS times; a figure is the median of its runs. Each run is also timed in CPU time of the whole
// process (GNU time's user + system), which holds stiller than wall time on a machine others load.
//   pure:  every workload of bench/python/suite.py once after a warm-up, in one thread, timed
//          inside the interpreter (start-up not counted); goal: within 5%
//   start: `python -c pass`, the whole process; goal: within 10%
// The load average is printed, and saved with the run, before and after.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { median, printTable, type Row } from './lib/report.ts';
import { benchArgs } from './lib/results.ts';
import { node24, requirePythonWasm, workspaceRoot } from './lib/pythons.ts';

const args = benchArgs();
const ROUNDS = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : process.env['ROUNDS'] ?? 7);
if (!Number.isInteger(ROUNDS) || ROUNDS < 5) throw new Error('--rounds must be an integer ≥ 5 (a median of at least five)');
const TIME = '/usr/bin/time';
const bin = join(workspaceRoot, 'node_modules/.bin/pywasi');
const suite = join(workspaceRoot, 'bench/python/suite.py');
const threadsWasm = join(workspaceRoot, 'dist/python-threads/python.wasm');

const BUILDS = { threads: ['--build', 'threads'], default: ['--no-threads'] };
type Build = keyof typeof BUILDS;

interface Sample {
  wall: number;
  cpu: number;
  rssMiB: number;
  stdout: string;
}

/** One `pywasi python` run under GNU time. Any line on stderr fails it: a run that could not use
 * its snapshot says so there, and would be measuring something else. */
async function run(build: Build, pythonArgs: string[]): Promise<Sample> {
  const started = performance.now();
  const r = await execa(TIME, ['-f', '%U %S %M', node24, bin, 'python', ...BUILDS[build], ...pythonArgs], { reject: false });
  const wall = (performance.now() - started) / 1000;
  const lines = r.stderr.trim().split('\n');
  const [user, sys, kib] = (lines.pop() ?? '').split(' ').map(Number);
  if (r.exitCode !== 0 || lines.length > 0 || kib === undefined) throw new Error(`pywasi python ${[...BUILDS[build], ...pythonArgs].join(' ')}: exit ${r.exitCode}\n${r.stderr.slice(-2000)}`);
  return { wall, cpu: user! + sys!, rssMiB: kib / 1024, stdout: r.stdout };
}

/** Seconds inside the interpreter, by workload (suite.py prints one JSON line each). */
function workloadSeconds(stdout: string): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const line of stdout.split('\n').filter((l) => l.startsWith('{'))) {
    const { workload, seconds: s } = JSON.parse(line) as { workload: string; seconds: number };
    seconds.set(workload, s);
  }
  return seconds;
}

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');

async function main(): Promise<void> {
  requirePythonWasm();
  if (!existsSync(threadsWasm)) throw new Error(`${threadsWasm} is missing: run \`npx nx build python -c threads\` first`);
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: this bench reads CPU time from GNU time (apt-get install time)`);
  const loadBefore = load();
  console.log(`load average before: ${loadBefore} (1, 5, 15 min)`);
  // Each build makes its start-up snapshot (first run on this installation) before any timed run.
  for (const build of Object.keys(BUILDS) as Build[]) await run(build, ['-c', 'pass']);

  const samples = { pure: { threads: [] as Sample[], default: [] as Sample[] }, start: { threads: [] as Sample[], default: [] as Sample[] } };
  for (let r = 0; r < ROUNDS; r++) {
    const order: Build[] = r % 2 ? ['default', 'threads'] : ['threads', 'default'];
    for (const build of order) samples.pure[build].push(await run(build, [suite, '1']));
    for (const build of order) samples.start[build].push(await run(build, ['-c', 'pass']));
    process.stdout.write(`round ${r + 1}/${ROUNDS} done (load ${load()})\n`);
  }
  const loadAfter = load();
  console.log(`load average after: ${loadAfter}`);

  const pureSeconds = (s: Sample) => [...workloadSeconds(s.stdout).values()].reduce((a, b) => a + b, 0);
  const m = (xs: Sample[], f: (s: Sample) => number) => median(xs.map(f));
  const names = [...workloadSeconds(samples.pure.default[0]!.stdout).keys()];
  const rows: Row[] = [
    { name: `pure Python, one thread: the ${names.length} workloads of suite.py, s inside the interpreter`, wasm: m(samples.pure.threads, pureSeconds), native: m(samples.pure.default, pureSeconds), unit: 's', goal: 1.05, goalOn: 'ratio' },
    { name: 'pure Python: CPU time of the process', wasm: m(samples.pure.threads, (s) => s.cpu), native: m(samples.pure.default, (s) => s.cpu), unit: 's' },
    { name: 'start-up: python -c pass from the snapshot, wall', wasm: m(samples.start.threads, (s) => s.wall * 1000), native: m(samples.start.default, (s) => s.wall * 1000), unit: 'ms', goal: 1.1, goalOn: 'ratio' },
    { name: 'start-up: CPU time of the process', wasm: m(samples.start.threads, (s) => s.cpu * 1000), native: m(samples.start.default, (s) => s.cpu * 1000), unit: 'ms' },
    { name: 'start-up: peak RSS', wasm: m(samples.start.threads, (s) => s.rssMiB), native: m(samples.start.default, (s) => s.rssMiB), unit: 'MiB' },
    ...names.map((name) => ({ name: `  ${name}`, wasm: m(samples.pure.threads, (s) => workloadSeconds(s.stdout).get(name)!), native: m(samples.pure.default, (s) => workloadSeconds(s.stdout).get(name)!), unit: 's' })),
  ];
  // Each round's two runs side by side: a load that drifts between rounds cancels out of their ratio.
  const paired = (xs: Sample[], ys: Sample[], f: (s: Sample) => number) => median(xs.map((x, i) => f(x) / f(ys[i]!)));
  const pairedPure = paired(samples.pure.threads, samples.pure.default, pureSeconds);
  const pairedStart = paired(samples.start.threads, samples.start.default, (s) => s.wall);
  console.log(`\nmedian of each round's ratio (threads / default): pure ${pairedPure.toFixed(3)}×, start-up ${pairedStart.toFixed(3)}×`);
  console.log('columns: "wasm" is the threads build, "native" the default build');
  printTable(`The threads build against the default one: median of ${ROUNDS} alternated runs (Node 24)`, rows, {
    bench: 'threads-default',
    columns: { value: 'threads build', against: 'default build' },
    note: `load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}. Median of each round's ratio: pure ${pairedPure.toFixed(3)}×, start-up ${pairedStart.toFixed(3)}×`,
  });
}

await main();
