// Renders bench/results.json into the docs: the README's performance table (a few headline rows)
// and, in docs/benchmarks.md, every bench's latest full table. Each figure carries the date and the
// machine of its run. A run marked `partial` (part of a bench, or a comparison made by hand) is
// history: it is never taken as a bench's latest.
//
//   npx tsx bench/render.ts            (npm run bench:render) rewrites both between their markers
//   npx tsx bench/render.ts --check    exits with 1 when either is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readResults, type BenchRun, type Machine, type ResultRow } from './lib/results.ts';

const WORKSPACE = fileURLToPath(new URL('..', import.meta.url));
const README = path.join(WORKSPACE, 'README.md');
const BENCHMARKS = path.join(WORKSPACE, 'docs/benchmarks.md');

interface Headline {
  bench: string;
  row: RegExp;
  label: string;
  /** What the row is compared with, when the run's column name says too little. */
  against?: string;
  /** 'peer': the row against the peer (Pyodide) instead of against native. */
  show?: 'peer';
}

/** The README's rows: what each goal is about, one or two rows per bench. */
const HEADLINES: Headline[] = [
  { bench: 'python-startup', row: /^python -c pass vs node -e ""/, label: 'Start-up, `pywasi python -c pass`', against: '`node -e ""`' },
  { bench: 'python-startup', row: /^peak RSS: python -c pass vs node -e ""/, label: 'Peak memory of that run', against: '`node -e ""`' },
  { bench: 'interrupt-cost', row: /start-up/, label: 'What Ctrl-C as KeyboardInterrupt costs: start-up', against: 'before it (python on the calling thread)' },
  { bench: 'interrupt-cost', row: /peak RSS/, label: 'and peak memory', against: 'before it' },
  { bench: 'python-workloads', row: /^geometric mean/, label: 'Pure-Python suite (bench/python), geometric mean of time ratios', against: 'native python3.11' },
  { bench: 'python-workloads', row: /^geometric mean/, label: 'The same suite against Pyodide', show: 'peer' },
  { bench: 'tls', row: /^download .*default/, label: 'TLS download, each side\'s default suite', against: 'native python3.11 without assembly' },
  { bench: 'tls', row: /^full handshake.*X25519 both sides/, label: 'TLS full handshake, X25519 both sides', against: 'native python3.11' },
  { bench: 'http-load', row: /^1000 connections/, label: 'asyncio HTTP server, 1,000 connections', against: 'native python3.11' },
  { bench: 'fs', row: /^files: total/, label: '5,000 small files: create, read, stat, unlink', against: 'the node:wasi host' },
  { bench: 'fs', row: /^walk: total/, label: '`os.walk` of 10,000 entries', against: 'the node:wasi host' },
  { bench: 'numpy', row: /^elementwise/, label: 'numpy (full build): elementwise ops on 1M float64', against: 'native numpy 2.1.3' },
  { bench: 'numpy', row: /^reductions/, label: 'numpy: sum, mean, std, max of 1M float64', against: 'native numpy 2.1.3' },
  { bench: 'packages', row: /^@pywasi\/python@/, label: '`@pywasi/python` tarball (python.wasm, stdlib)', against: 'npm `pyodide`' },
  { bench: 'cold-build', row: /cold, wall/, label: 'Cold build, `nx build cpython`', against: 'the build before the performance work' },
];

/** docs/benchmarks.md's order; benches not named here follow in alphabetical order. */
const ORDER = ['python-startup', 'interrupt-cost', 'python-workloads', 'tls', 'http-load', 'sockets', 'fs', 'fs-calls', 'fd-threads', 'threads-default', 'threads-http', 'sleep', 'numpy', 'packages', 'python-build', 'cold-build', 'lib-builds', 'package-builds', 'lua-setjmp', 'runpython', 'ci', 'container-verify'];

/** The latest run of each bench that is not partial. */
export function latestRuns(runs: BenchRun[]): Map<string, BenchRun> {
  const latest = new Map<string, BenchRun>();
  for (const run of runs) {
    if (run.partial) continue;
    const seen = latest.get(run.bench);
    if (!seen || Date.parse(run.date) >= Date.parse(seen.date)) latest.set(run.bench, run);
  }
  return latest;
}

export function num(n: number): string {
  return Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : String(n);
}

function figure(n: number, unit: string): string {
  return unit.startsWith('×') ? `${num(n)}${unit}` : `${num(n)} ${unit}`;
}

function judged(goal: string | undefined, verdict: string | undefined): string {
  return goal ? `${goal}${verdict ? `: ${verdict}` : ''}` : '';
}

export function machineName(m: Machine): string {
  if (m.name) return m.name;
  const os = m.os?.split(',')[0];
  return [m.cores ? `${m.cores}-core` : '', os ?? ''].filter(Boolean).join(' ') || 'unknown machine';
}

/** "2026-12-04", or "2026-12-04 08:47 UTC" with `time`. */
function when(date: string, time = false): string {
  const [day, clock] = date.split('T');
  return time && clock ? `${day} ${clock.slice(0, 5)} UTC` : day!;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

function table(head: string[], body: string[][]): string {
  return [head, head.map(() => '---'), ...body].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n');
}

export function renderHeadlines(runs: BenchRun[], warn: (line: string) => void = () => {}): string {
  const latest = latestRuns(runs);
  const body: string[][] = [];
  for (const h of HEADLINES) {
    const run = latest.get(h.bench);
    const row = run?.rows.find((r) => h.row.test(r.name));
    if (!run || !row) {
      warn(`no ${run ? `row matching ${h.row}` : 'run'} of bench ${h.bench}: "${h.label}" left out`);
      continue;
    }
    const measured = `${when(run.date)}, ${machineName(run.machine)}`;
    if (h.show === 'peer') {
      if (row.peer === undefined) {
        warn(`bench ${h.bench}: "${row.name}" has no peer figure: "${h.label}" left out`);
        continue;
      }
      const ours = row.unit === '×' ? `${num(row.value)}× native's time` : figure(row.value, row.unit);
      const theirs = row.unit === '×' ? `${num(row.peer)}× native's time` : figure(row.peer, row.unit);
      const speed = row.peerSpeedup !== undefined ? `${num(row.peerSpeedup)}× its speed` : '';
      body.push([h.label, ours, `${run.columns?.peer ?? 'peer'}: ${theirs}`, speed, judged(row.peerGoal, row.peerVerdict), measured]);
      continue;
    }
    const ours = row.unit === '×' ? `${num(row.value)}× native's time` : figure(row.value, row.unit);
    const againstName = h.against ?? run.columns?.against ?? '';
    let against = againstName;
    if (row.against !== undefined && row.unit !== '×') against = `${againstName}: ${figure(row.against, row.unit)}`;
    else if (h.bench === 'packages') {
      const peer = run.rows.find((r) => r.name.startsWith('peer:'));
      if (peer) against = `${againstName}: ${figure(peer.value, peer.unit)}`;
    }
    const ratio = row.ratio !== undefined && row.unit !== '×' ? `${num(row.ratio)}×` : '';
    body.push([h.label, ours, against, ratio, judged(row.goal, row.verdict), measured]);
  }
  return table(['', 'pywasi', 'against', 'ratio', 'goal', 'measured'], body);
}

function runTable(run: BenchRun): string {
  const rows = run.rows;
  const has = (k: keyof ResultRow) => rows.some((r) => r[k] !== undefined);
  const alsoKeys = [...new Set(rows.flatMap((r) => Object.keys(r.also ?? {})))];
  const cols = run.columns ?? { value: 'value' };
  const head = ['', cols.value];
  if (has('against')) head.push(cols.against ?? 'against');
  head.push(...alsoKeys);
  if (has('ratio')) head.push('ratio');
  if (has('peer')) head.push(cols.peer ?? 'peer', `speed-up over ${cols.peer ?? 'the peer'}`);
  if (has('goal') || has('peerGoal')) head.push('goal');
  const body = rows.map((r) => {
    const line = [r.name, figure(r.value, r.unit)];
    if (has('against')) line.push(r.against !== undefined ? figure(r.against, r.unit) : '');
    for (const k of alsoKeys) line.push(r.also?.[k] !== undefined ? (k === 'files' ? num(r.also[k]!) : figure(r.also[k]!, r.unit)) : '');
    if (has('ratio')) line.push(r.ratio !== undefined ? `${num(r.ratio)}×` : '');
    if (has('peer')) line.push(r.peer !== undefined ? figure(r.peer, r.unit) : '', r.peerSpeedup !== undefined ? `${num(r.peerSpeedup)}×` : '');
    if (has('goal') || has('peerGoal')) line.push([judged(r.goal, r.verdict), r.peerGoal ? `over the peer ${judged(r.peerGoal, r.peerVerdict)}` : ''].filter(Boolean).join('; '));
    return line;
  });
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
  const m = run.machine;
  const machine = [machineName(m), m.cpu, m.node ? `Node ${m.node.replace(/^v/, '')}` : ''].filter(Boolean).join(', ');
  return [
    `### ${run.title}`,
    '',
    `\`${run.bench}\`, ${when(run.date, true)}, ${machine}: \`${run.command}\`${run.source ? ` (${run.source})` : ''}.${run.note ? ` ${run.note}.` : ''}`,
    '',
    table(head, body),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}

export function renderAll(runs: BenchRun[]): string {
  const latest = latestRuns(runs);
  const rank = (b: string) => (ORDER.includes(b) ? ORDER.indexOf(b) : ORDER.length);
  const benches = [...latest.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const older = runs.length - latest.size;
  return [...benches.map((b) => runTable(latest.get(b)!)), `${older} older or partial runs are in bench/results.json.`].join('\n\n');
}

/** `text` with what stands between the lines `<!-- name:start -->` and `<!-- name:end -->` replaced
 * (each marker alone on its line, so that prose may quote them). */
export function replaceBetween(text: string, name: string, body: string, file: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const lines = text.split('\n');
  const i = lines.indexOf(start);
  const j = lines.indexOf(end, i + 1);
  if (i < 0 || j < 0) throw new Error(`${file}: no ${start} ... ${end} lines`);
  return [...lines.slice(0, i + 1), body, ...lines.slice(j)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  const runs = readResults();
  const targets: [string, string, string][] = [
    [README, 'bench', renderHeadlines(runs, (line) => console.log(`bench:render: ${line}`))],
    [BENCHMARKS, 'bench:all', renderAll(runs)],
  ];
  let stale = false;
  for (const [file, name, body] of targets) {
    const before = readFileSync(file, 'utf8');
    const after = replaceBetween(before, name, body, file);
    if (after === before) continue;
    stale = true;
    if (!check) writeFileSync(file, after);
    console.log(`${check ? 'out of date' : 'rendered'}: ${path.relative(WORKSPACE, file)}`);
  }
  if (check && stale) process.exitCode = 1;
}
