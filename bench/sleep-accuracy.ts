// How long time.sleep(0.2) lasts in python.wasm, as the guest measures it, against native:
// `npx tsx bench/sleep-accuracy.ts`. (The tests only assert that a sleep never returns early; how
// close it lands is a figure, held to a goal here, not in a test that would flake on 2 cores.)
import { execa } from 'execa';
import { join } from 'node:path';
import { printTable, type Row } from './lib/report.ts';
import { nativePython, pywasiPython, requirePythonWasm, workspaceRoot } from './lib/pythons.ts';

const script = join(workspaceRoot, 'libs/cpython/tests/py/sleep_timing.py');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function sleeps(command: string, args: string[]): Promise<number[]> {
  const run = await execa(command, args);
  const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { sleeps: { perf_counter: number }[] };
  return report.sleeps.map((s) => s.perf_counter);
}

export async function sleepRows(rounds = 3): Promise<Row[]> {
  requirePythonWasm();
  const native = await nativePython();
  const wasm: number[] = [];
  const nat: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Alternated, so that both see the same load on a shared machine.
    wasm.push(...(await sleeps(...pywasiPython([script]))));
    nat.push(...(await sleeps(native.command, [script])));
  }
  return [{ name: `time.sleep(0.2), median of ${wasm.length}`, wasm: median(wasm) * 1000, native: median(nat) * 1000, unit: 'ms', goal: 240, goalOn: 'value' }];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable('Sleep accuracy', await sleepRows(), { bench: 'sleep' });
}
