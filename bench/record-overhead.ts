// What recording a run costs (issue 36): `npx tsx bench/record-overhead.ts [--rounds N] [--only start,pure,files] [--save]`
// (`npm run bench:record` runs it, then bench/record-http.ts).
//
// The same `pywasi python` runs with and without `--record=FILE`, taking turns (the order rotates
// each round, so a noisy neighbour slows both), ROUNDS times; a figure is the median of its runs.
// Each run is timed twice: as the workload reports (inside the interpreter, or the wall time), and
// in CPU time of the whole process (GNU time's user + system): recording is CPU work, and CPU
// time holds still on a machine loaded by others where wall time does not.
//   start:  `python -c pass`, the whole process (recording hashes the module and snapshot first)
//   pure:   pure-Python workloads of bench/python/suite.py, timed inside the interpreter (few host
//           calls, but python.wasm asks sched_yield at every check for signals)
//   files:  bench/python/fs/fs_workloads.py's files workload (create, write, read, stat, unlink):
//           host calls all the way, each recorded with the bytes it moved
// Also: the log's size per workload, and the replay's wall time against the recorded run's.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { pywasiPython, requirePythonWasm, workspaceRoot } from './lib/pythons.ts';
import { round, saveRun, type ResultRow } from './lib/results.ts';
import { median } from './lib/report.ts';

const ROUNDS = Number(process.argv.includes('--rounds') ? process.argv[process.argv.indexOf('--rounds') + 1] : process.env['ROUNDS'] ?? 5);
if (!Number.isInteger(ROUNDS) || ROUNDS < 5) throw new Error('--rounds must be an integer ≥ 5 (a median of at least five)');
const ONLY = process.argv.includes('--only') ? (process.argv[process.argv.indexOf('--only') + 1] ?? '').split(',') : null;
const PURE = ['richards', 'nbody', 'json_roundtrip', 'regex', 'generators'];
const FILES = { count: 400, size: 4096 };

interface Workload {
  /** What --only names it by. */
  key: string;
  name: string;
  goal: number;
  args: (work: string) => string[];
  /** The figure of one run: seconds inside the interpreter, or null for the wall time. */
  figure: (stdout: string) => number | null;
}

const sumJsonSeconds = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .reduce((s, l) => s + (JSON.parse(l) as { seconds: number }).seconds, 0);

const WORKLOADS: Workload[] = [
  { key: 'start', name: 'start (-c pass, wall)', goal: 1.15, args: () => ['-c', 'pass'], figure: () => null },
  { key: 'pure', name: `pure (${PURE.join(', ')})`, goal: 1.05, args: () => [join(workspaceRoot, 'bench/python/suite.py'), '1', ...PURE], figure: sumJsonSeconds },
  { key: 'files', name: `files (${FILES.count} × ${FILES.size} B)`, goal: 1.15, args: (work) => [join(workspaceRoot, 'bench/python/fs/fs_workloads.py'), work, 'files', String(FILES.count), String(FILES.size)], figure: sumJsonSeconds },
];

const unknown = ONLY?.filter((k) => !WORKLOADS.some((w) => w.key === k)) ?? [];
if (unknown.length) throw new Error(`--only ${unknown.join(',')}: no such workload (the workloads are ${WORKLOADS.map((w) => w.key).join(', ')})`);


const GNU_TIME = '/usr/bin/time';

async function timed(args: string[], cwd: string): Promise<{ wall: number; cpu: number; stdout: string }> {
  const [command, base] = pywasiPython(args);
  const started = performance.now();
  const { stdout, stderr } = await execa(GNU_TIME, ['-f', 'cpu %U %S', command, ...base], { cwd });
  const [, user, sys] = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr) ?? [];
  if (user === undefined) throw new Error(`${GNU_TIME} did not report the CPU time: ${stderr.slice(-200)}`);
  return { wall: (performance.now() - started) / 1000, cpu: Number(user) + Number(sys!), stdout };
}

async function main(): Promise<void> {
  requirePythonWasm();
  const scratch = mkdtempSync(join(tmpdir(), 'pywasi-bench-record-'));
  const rows: ResultRow[] = [];
  try {
    // The start-up snapshot exists before the first timed run.
    await timed(['-c', 'pass'], scratch);
    for (const w of WORKLOADS.filter((x) => !ONLY || ONLY.includes(x.key))) {
      const plain: number[] = [];
      const recorded: number[] = [];
      const cpu = { plain: [] as number[], record: [] as number[] };
      const replays: number[] = [];
      const recordedWalls: number[] = [];
      let logBytes = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 ? ['record', 'plain'] : ['plain', 'record'];
        for (const mode of order) {
          const work = mkdtempSync(join(scratch, 'work-'));
          const log = join(scratch, 'run.log');
          const { wall, cpu: cpuSeconds, stdout } = await timed([...(mode === 'record' ? [`--record=${log}`] : []), ...w.args(work)], scratch);
          const value = w.figure(stdout) ?? wall;
          (mode === 'record' ? recorded : plain).push(value);
          cpu[mode as 'plain' | 'record'].push(cpuSeconds);
          if (mode === 'record') {
            recordedWalls.push(wall);
            logBytes = statSync(log).size;
            const [pywasi] = pywasiPython([]);
            const started = performance.now();
            await execa(pywasi, ['replay', log], { cwd: scratch });
            replays.push((performance.now() - started) / 1000);
            rmSync(log);
          }
          rmSync(work, { recursive: true, force: true });
        }
      }
      const p = median(plain);
      const rec = median(recorded);
      const ratio = rec / p;
      rows.push({ name: `${w.name}: recording`, value: round(rec), unit: 's', against: round(p), ratio: round(ratio), goal: `≤ ${w.goal}×`, verdict: ratio <= w.goal ? 'PASS' : 'MISS' });
      const cpuRatio = median(cpu.record) / median(cpu.plain);
      rows.push({ name: `${w.name}: recording, CPU time of the process`, value: round(median(cpu.record)), unit: 's', against: round(median(cpu.plain)), ratio: round(cpuRatio), goal: `≤ ${w.goal}×`, verdict: cpuRatio <= w.goal ? 'PASS' : 'MISS' });
      rows.push({ name: `${w.name}: replay (wall) against the recorded run (wall)`, value: round(median(replays)), unit: 's', against: round(median(recordedWalls)), ratio: round(median(replays) / median(recordedWalls)) });
      rows.push({ name: `${w.name}: log size`, value: logBytes, unit: 'bytes' });
      console.log(`${w.name}: ${p.toFixed(4)} s plain, ${rec.toFixed(4)} s recording (${ratio.toFixed(3)}×, goal ≤ ${w.goal}×); CPU ${median(cpu.plain).toFixed(2)} s plain, ${median(cpu.record).toFixed(2)} s recording (${cpuRatio.toFixed(3)}×); replay ${median(replays).toFixed(3)} s wall against ${median(recordedWalls).toFixed(3)} s; log ${logBytes} bytes`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  saveRun({ bench: 'record-overhead', title: `Recording a run (pywasi python --record): median of ${ROUNDS} alternated runs`, columns: { value: 'recording', against: 'not recording' }, rows });
}

await main();
