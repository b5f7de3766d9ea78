// Pure-Python workloads (bench/python/*.py), timed inside each interpreter (best of N after a
// warm-up), python.wasm against native CPython 3.11 in the same run; geometric mean of the ratios.
import { join } from 'node:path';
import { execa } from 'execa';
import { geometricMean, printTable, type Row } from './lib/report.ts';
import { nativePython, pywasiPython, requirePythonWasm, workspaceRoot } from './lib/pythons.ts';

const REPEAT = process.env['REPEAT'] ?? '3';
const suite = join(workspaceRoot, 'bench/python/suite.py');

interface Timing {
  workload: string;
  seconds: number;
  result: string;
}

async function runSuite(command: string, args: string[]): Promise<Map<string, Timing>> {
  const { stdout } = await execa(command, args, { cwd: join(workspaceRoot, 'bench/python') });
  const timings = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Timing);
  return new Map(timings.map((t) => [t.workload, t]));
}

export async function workloadRows(): Promise<Row[]> {
  requirePythonWasm();
  const native = await nativePython();
  const wasm = await runSuite(...pywasiPython([suite, REPEAT]));
  const nat = await runSuite(native.command, [suite, REPEAT]);
  const rows: Row[] = [];
  for (const [name, w] of wasm) {
    const n = nat.get(name);
    if (!n) throw new Error(`workload ${name} missing from the native run`);
    if (n.result !== w.result) throw new Error(`workload ${name}: python.wasm computed ${w.result}, native ${n.result}`);
    rows.push({ name, wasm: w.seconds * 1000, native: n.seconds * 1000, unit: 'ms' });
  }
  const mean = geometricMean(rows.map((r) => r.wasm / r.native!));
  rows.push({ name: 'geometric mean of ratios', wasm: mean, native: 1, unit: '×', goal: 1.3, goalOn: 'ratio' });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const native = await nativePython();
  printTable(`Pure-Python workloads (native: CPython ${native.version}; wasm: pywasi python)`, await workloadRows());
}
