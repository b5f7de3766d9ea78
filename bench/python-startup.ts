// Start-up of `python -c pass`: the whole process, as a user waits for it, against `node -e ""`
// on the same Node (the floor of anything started on Node) and native CPython 3.11. Medians of
// RUNS runs after a warm-up, the commands taking turns; peak RSS from GNU time.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { median, printTable, type Row, type TableOptions } from './lib/report.ts';
import { nativePython, node24, requirePythonWasm, workspaceRoot } from './lib/pythons.ts';

export const STARTUP_TABLE: TableOptions = { bench: 'python-startup', columns: { value: 'pywasi python', against: 'the row\'s baseline' } };

const RUNS = Number(process.env['RUNS'] ?? 10);
const TIME = '/usr/bin/time';
const bin = join(workspaceRoot, 'node_modules/.bin/pywasi');

export interface Sample {
  ms: number;
  maxRssMiB: number;
  stdout: string;
}

/** One run under GNU time: wall time measured here, peak RSS as time reports it (KiB). */
export async function sample(command: string, args: string[], env?: Record<string, string>): Promise<Sample> {
  const started = process.hrtime.bigint();
  const r = await execa(TIME, ['-f', '%M', command, ...args], { reject: false, ...(env ? { env } : {}) });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.exitCode}: ${r.stderr.split('\n').slice(-3).join(' ')}`);
  const kib = Number(r.stderr.trim().split('\n').at(-1));
  return { ms, maxRssMiB: kib / 1024, stdout: r.stdout.trim() };
}

export async function startupRows(): Promise<Row[]> {
  requirePythonWasm();
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: the start-up bench reads peak memory from GNU time (apt-get install time)`);
  const native = await nativePython();
  const commands = {
    node: [node24, ['-e', '']],
    pywasi: [node24, [bin, 'python', '-c', 'pass']],
    fresh: [node24, [bin, 'python', '--no-preinit', '-c', 'pass']],
    node20: ['node', [bin, 'python', '-c', 'pass']],
    native: [native.command, ['-c', 'pass']],
  } satisfies Record<string, [string, string[]]>;
  const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, [] as Sample[]])) as Record<keyof typeof commands, Sample[]>;
  for (const [command, args] of Object.values(commands)) await sample(command, args); // warm-up: file cache, snapshot
  for (let i = 0; i < RUNS; i++) {
    for (const [name, [command, args]] of Object.entries(commands)) samples[name as keyof typeof commands].push(await sample(command, args));
  }
  const ms = (k: keyof typeof commands) => median(samples[k].map((s) => s.ms));
  const rss = (k: keyof typeof commands) => median(samples[k].map((s) => s.maxRssMiB));
  const node = ms('node');
  return [
    { name: `python -c pass vs node -e "" (Node 24, median of ${RUNS})`, wasm: ms('pywasi'), native: node, unit: 'ms', goal: 2, goalOn: 'ratio' },
    { name: 'python -c pass vs native python3.11', wasm: ms('pywasi'), native: ms('native'), unit: 'ms' },
    { name: 'python -c pass, --no-preinit, vs node -e ""', wasm: ms('fresh'), native: node, unit: 'ms' },
    { name: "python -c pass started by the machine's Node 20 (re-executes Node 24)", wasm: ms('node20'), native: node, unit: 'ms' },
    { name: 'peak RSS: python -c pass vs node -e "" (MiB above it ≤ 30)', wasm: rss('pywasi'), native: rss('node'), unit: 'MiB', goal: Math.round(rss('node') + 30), goalOn: 'value' },
    { name: 'peak RSS: native python3.11', wasm: rss('native'), unit: 'MiB' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable('Start-up', await startupRows(), STARTUP_TABLE);
}
