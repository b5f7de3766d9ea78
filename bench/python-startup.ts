// Start-up of `python -c pass`: the whole process, as a user waits for it, python.wasm through
// `pywasi python` against native CPython 3.11, median of several runs after a warm-up. Measured
// both from the start-up snapshot (the default) and from a fresh start (--no-preinit).
import { execa } from 'execa';
import { median, printTable } from './lib/report.ts';
import { nativePython, pywasiPython, requirePythonWasm } from './lib/pythons.ts';

const RUNS = Number(process.env['RUNS'] ?? 10);

async function timeCommand(command: string, args: string[]): Promise<number> {
  await execa(command, args); // warm-up: file cache, tsx's transform cache
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    await execa(command, args);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(samples);
}

export async function startupRows() {
  requirePythonWasm();
  const native = await nativePython();
  const [command, args] = pywasiPython(['-c', 'pass']);
  const wasm = await timeCommand(command, args);
  const fresh = await timeCommand(command, ['python', '--no-preinit', ...args.slice(1)]);
  const nat = await timeCommand(native.command, ['-c', 'pass']);
  return [
    { name: `python -c pass (median of ${RUNS})`, wasm, native: nat, unit: 'ms', goal: 150, goalOn: 'value' as const },
    { name: `python -c pass, --no-preinit (median of ${RUNS})`, wasm: fresh, native: nat, unit: 'ms' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable('Start-up', await startupRows());
}
