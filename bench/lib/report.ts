// Printing benchmark results the same way everywhere: a table of wasm vs native figures, their
// ratio, and the goal each is held to. Every table printed is also a run for bench/results.json,
// saved there with --save (lib/results.ts).
import { round, saveRun, type ResultRow } from './results.ts';

export interface Row {
  name: string;
  wasm: number;
  native?: number;
  unit: string;
  /** How to judge: the wasm figure (or the ratio, when `goalOn` is 'ratio') against `goal`. */
  goal?: number;
  goalOn?: 'value' | 'ratio';
  /** 'max': lower is better (times, sizes); 'min': higher is better (throughput). */
  sense?: 'max' | 'min';
  /** The same figure for the peer (Pyodide), when measured; `peerGoal` is the least speed-up over
   * it (peer / wasm, lower figures being better) the row is held to. */
  peer?: number;
  peerGoal?: number;
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3));

/** The goal as text ("≤ 2×", "≥ 0.5×", "≤ 9 MiB") and whether the row meets it. */
export function judge(row: Row): { goal: string; verdict: 'PASS' | 'MISS' } | undefined {
  if (row.goal === undefined) return undefined;
  const subject = row.goalOn === 'ratio' ? ratio(row) : row.wasm;
  if (subject === undefined) return undefined;
  const ok = (row.sense ?? 'max') === 'max' ? subject <= row.goal : subject >= row.goal;
  const op = (row.sense ?? 'max') === 'max' ? '≤' : '≥';
  // A ratio, or a figure that is itself one (a speed-up): "≥ 4×", not "≥ 4 ×".
  const what = row.goalOn === 'ratio' || row.unit === '×' ? `${row.goal}×` : `${row.goal} ${row.unit}`;
  return { goal: `${op} ${what}`, verdict: ok ? 'PASS' : 'MISS' };
}

export function verdict(row: Row): string {
  const j = judge(row);
  return j ? `${j.verdict} (goal ${j.goal})` : '';
}

/** How many times the peer's figure is ours (> 1: we are faster, for times). */
export function peerSpeedup(row: Row): number | undefined {
  return row.peer !== undefined ? row.peer / row.wasm : undefined;
}

function peerVerdict(row: Row): string {
  const speedup = peerSpeedup(row);
  if (row.peerGoal === undefined || speedup === undefined) return '';
  return `${speedup >= row.peerGoal ? 'PASS' : 'MISS'} (goal ≥ ${row.peerGoal}× faster than the peer)`;
}

export function ratio(row: Row): number | undefined {
  return row.native ? row.wasm / row.native : undefined;
}

/** A printed row as results.json keeps it. */
export function resultRow(row: Row): ResultRow {
  const q = ratio(row);
  const j = judge(row);
  const s = peerSpeedup(row);
  return {
    name: row.name,
    value: round(row.wasm),
    unit: row.unit,
    ...(row.native !== undefined ? { against: round(row.native) } : {}),
    ...(q !== undefined ? { ratio: round(q) } : {}),
    ...(j ?? {}),
    ...(row.peer !== undefined ? { peer: round(row.peer) } : {}),
    ...(s !== undefined ? { peerSpeedup: round(s) } : {}),
    ...(row.peerGoal !== undefined && s !== undefined ? { peerGoal: `≥ ${row.peerGoal}×`, peerVerdict: s >= row.peerGoal ? ('PASS' as const) : ('MISS' as const) } : {}),
  };
}

export interface TableOptions {
  /** The id results.json keeps the table under (render.ts shows the latest run of each). */
  bench: string;
  /** The peer's name: two more columns, its figure and our speed-up over it. */
  peer?: string;
  /** What the "wasm" and "native" columns are, when not python.wasm and native python3.11. */
  columns?: { value: string; against?: string };
  /** A comparison, not the bench's own configuration: saved as history, never rendered as the latest. */
  partial?: boolean;
  /** Saved with the run: what a reader of the figures should know (the machine's load). */
  note?: string;
}

/** Prints the rows as a table, and saves them as a run of `options.bench` (with --save). */
export function printTable(title: string, rows: Row[], options: TableOptions): void {
  const { peer } = options;
  const peerHeads = peer ? [peer, `speed-up over ${peer}`] : [];
  const lines = [['', 'wasm', 'native', 'ratio', ...peerHeads, 'goal'], ...rows.map((r) => {
    const q = ratio(r);
    const s = peerSpeedup(r);
    const peerCells = peer ? [r.peer !== undefined ? `${fmt(r.peer)} ${r.unit}` : '-', s !== undefined ? `${s.toFixed(2)}×` : '-'] : [];
    const verdicts = [verdict(r), peerVerdict(r)].filter(Boolean).join('; ');
    return [r.name, `${fmt(r.wasm)} ${r.unit}`, r.native !== undefined ? `${fmt(r.native)} ${r.unit}` : '-', q !== undefined ? `${q.toFixed(2)}×` : '-', ...peerCells, verdicts];
  })];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  console.log(`\n${title}`);
  for (const [i, line] of lines.entries()) {
    console.log('  ' + line.map((cell, c) => (c === 0 || c === line.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
    if (i === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  }
  const columns = options.columns ?? { value: 'python.wasm', against: 'native python3.11' };
  saveRun({ bench: options.bench, title, columns: { ...columns, ...(peer ? { peer } : {}) }, rows: rows.map(resultRow), ...(options.partial ? { partial: true } : {}), ...(options.note ? { note: options.note } : {}) });
}

export function geometricMean(values: number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
