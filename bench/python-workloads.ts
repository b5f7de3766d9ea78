// Pure-Python workloads (bench/python/*.py), timed inside each interpreter: python.wasm through
// `pywasi python`, native CPython 3.11, and the peer (npm `pyodide` on the same Node). The three
// take turns, ROUNDS times, each run timing every workload REPEAT times after a warm-up; a
// workload's figure is its best time over all of them. Geometric mean of the ratios at the end.
import { join } from 'node:path';
import { execa } from 'execa';
import { geometricMean, printTable, type Row, type TableOptions } from './lib/report.ts';
import { nativePython, pywasiPython, requirePythonWasm, workspaceRoot } from './lib/pythons.ts';
import { PYODIDE_VERSION, pyodidePython } from './lib/pyodide.ts';

const REPEAT = process.env['REPEAT'] ?? '3';
const ROUNDS = Number(process.env['ROUNDS'] ?? 2);
const suiteDir = join(workspaceRoot, 'bench/python');
const suite = join(suiteDir, 'suite.py');
export const PEER = `pyodide ${PYODIDE_VERSION}`;
export const WORKLOADS_TABLE: TableOptions = { bench: 'python-workloads', peer: PEER };

interface Timing {
  workload: string;
  seconds: number;
  result: string;
}

/** `optimized`: python.wasm with --optimize (no baseline compiler, see apps/cli's python help). */
type Interpreter = 'wasm' | 'optimized' | 'native' | 'peer';

async function runSuite(command: string, args: string[]): Promise<Timing[]> {
  const { stdout } = await execa(command, args, { cwd: suiteDir });
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((line) => JSON.parse(line) as Timing);
}

export async function workloadRows(): Promise<Row[]> {
  requirePythonWasm();
  const native = await nativePython();
  const commands: Partial<Record<Interpreter, [string, string[]]>> = {
    wasm: pywasiPython([suite, REPEAT]),
    optimized: pywasiPython(['--optimize', suite, REPEAT]),
    native: [native.command, [suite, REPEAT]],
  };
  try {
    commands.peer = await pyodidePython(suiteDir, suite, [REPEAT]);
  } catch (error) {
    console.log(`${PEER}: not measured: ${(error as Error).message}`);
  }
  const best = new Map<string, Partial<Record<Interpreter, Timing>>>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [who, [command, args]] of Object.entries(commands) as [Interpreter, [string, string[]]][]) {
      for (const t of await runSuite(command, args)) {
        const entry = best.get(t.workload) ?? {};
        if (!entry[who] || t.seconds < entry[who].seconds) entry[who] = t;
        best.set(t.workload, entry);
      }
    }
  }
  const rows: Row[] = [];
  const optimizedRatios: number[] = [];
  for (const [name, { wasm, optimized, native: nat, peer }] of best) {
    if (!wasm || !nat) throw new Error(`workload ${name} missing from the ${wasm ? 'native' : 'wasm'} run`);
    if (nat.result !== wasm.result) throw new Error(`workload ${name}: python.wasm computed ${wasm.result}, native ${nat.result}`);
    if (peer && peer.result !== wasm.result) throw new Error(`workload ${name}: ${PEER} computed ${peer.result}, python.wasm ${wasm.result}`);
    if (optimized && optimized.result !== wasm.result) throw new Error(`workload ${name}: --optimize computed ${optimized.result}, without it ${wasm.result}`);
    if (optimized) optimizedRatios.push(optimized.seconds / nat.seconds);
    rows.push({ name, wasm: wasm.seconds * 1000, native: nat.seconds * 1000, unit: 'ms', ...(peer ? { peer: peer.seconds * 1000 } : {}) });
  }
  const mean = geometricMean(rows.map((r) => r.wasm / r.native!));
  const peerMean = rows.every((r) => r.peer !== undefined) ? geometricMean(rows.map((r) => r.peer! / r.native!)) : undefined;
  rows.push({
    name: 'geometric mean of ratios',
    wasm: mean,
    native: 1,
    unit: '×',
    goal: 1.3,
    goalOn: 'ratio',
    ...(peerMean !== undefined ? { peer: peerMean, peerGoal: 1.25 } : {}),
  });
  if (optimizedRatios.length === rows.length - 1) {
    rows.push({
      name: 'the same, python.wasm with --optimize',
      wasm: geometricMean(optimizedRatios),
      native: 1,
      unit: '×',
      goal: 1.3,
      goalOn: 'ratio',
      ...(peerMean !== undefined ? { peer: peerMean, peerGoal: 1.25 } : {}),
    });
  }
  return rows;
}

export const workloadsTitle = `Pure-Python workloads (best of ${ROUNDS} alternated runs × ${REPEAT}, timed inside each interpreter)`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const native = await nativePython();
  console.log(`native: CPython ${native.version} (${native.command}); wasm: pywasi python; peer: npm ${PEER}, same Node`);
  printTable(workloadsTitle, await workloadRows(), WORKLOADS_TABLE);
}
