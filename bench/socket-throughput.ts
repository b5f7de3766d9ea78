// Loopback TCP benchmark: bench/socket/throughput.c under `pywasi run` (wasm32-wasi with
// libwasmedge_sock, through the real CLI) against the same program compiled natively, in one run,
// against the same Node peer. Prints a table with ratios and the goals:
//   throughput (send, recv) >= 0.5x native; echo round trip <= 3x native.
//
//   npx tsx bench/socket-throughput.ts [--quick] [--runs N] [--save]
//   npm run bench:sockets
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSocketLibrary, compileGuest, WORKSPACE_ROOT } from '../libs/wasmedge-sock/tests/compile-guest.ts';
import { startPeer, type PeerMode } from './socket/peer.ts';
import { round, saveRun } from './lib/results.ts';

const run = promisify(execFile);

interface Result {
  mode: string;
  bytes: number;
  ops: number;
  seconds: number;
  mib_per_s: number;
  us_per_op: number;
}

interface Case {
  label: string;
  mode: PeerMode;
  args: string[];
  recvBytes?: number;
  /** Which figure the goal compares, and how. */
  metric: 'mib_per_s' | 'us_per_op';
  goal?: { kind: 'min-ratio' | 'max-ratio'; ratio: number; text: string };
}

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const runsArg = argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(argv[runsArg + 1]) : quick ? 1 : 3;
const MIB = quick ? 64 : 256;

const CASES: Case[] = [
  { label: 'send 64 KiB writes', mode: 'send', args: ['send', String(MIB), '65536'], metric: 'mib_per_s', goal: { kind: 'min-ratio', ratio: 0.5, text: '>= 0.5x native' } },
  { label: 'recv 64 KiB reads', mode: 'recv', args: ['recv', '65536'], recvBytes: MIB << 20, metric: 'mib_per_s', goal: { kind: 'min-ratio', ratio: 0.5, text: '>= 0.5x native' } },
  { label: 'echo round trip 64 B', mode: 'echo', args: ['echo', quick ? '2000' : '10000', '64'], metric: 'us_per_op', goal: { kind: 'max-ratio', ratio: 3, text: '<= 3x native' } },
  { label: 'connect+echo+close', mode: 'connect', args: ['connect', quick ? '200' : '1000'], metric: 'us_per_op' },
];

async function build(): Promise<{ wasm: string; native: string }> {
  const out = join(WORKSPACE_ROOT, 'build', 'bench', 'socket');
  mkdirSync(out, { recursive: true });
  const src = join(WORKSPACE_ROOT, 'bench', 'socket', 'throughput.c');
  const socketLib = await buildSocketLibrary();
  const [wasm, native] = await Promise.all([
    compileGuest({ sources: [src], output: join(out, 'throughput.wasm'), socketLib, cflags: ['-O2', '-std=c11'] }),
    compileGuest({ sources: [src], output: join(out, 'throughput-native'), target: 'native', cflags: ['-O2', '-std=c11'] }),
  ]);
  return { wasm, native };
}

async function runClient(cmd: string, args: string[]): Promise<Result> {
  try {
    const { stdout } = await run(cmd, args, { maxBuffer: 1 << 20, timeout: 300_000 });
    const line = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(line) as Result;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr?.trim() || err.message}`);
  }
}

function better(metric: Case['metric'], a: Result, b: Result): Result {
  return metric === 'mib_per_s' ? (a.mib_per_s >= b.mib_per_s ? a : b) : a.us_per_op <= b.us_per_op ? a : b;
}

function fmt(metric: Case['metric'], r: Result): string {
  return metric === 'mib_per_s' ? `${r.mib_per_s.toFixed(0)} MiB/s` : `${r.us_per_op.toFixed(1)} us`;
}

async function main(): Promise<number> {
  process.stdout.write('building throughput.c (native and wasm32-wasi)...\n');
  const { wasm, native } = await build();
  const cli = join(WORKSPACE_ROOT, 'apps', 'cli', 'bin', 'pywasi.js');
  // Best of RUNS for each side, alternating native and wasm so both see the same machine load.
  const rows: { c: Case; native: Result; wasm: Result }[] = [];
  for (const c of CASES) {
    const peer = await startPeer(c.mode, c.recvBytes);
    try {
      const host = ['127.0.0.1', String(peer.port)];
      let nat: Result | undefined;
      let was: Result | undefined;
      for (let i = 0; i < RUNS; i++) {
        const n = await runClient(native, [...host, ...c.args]);
        const w = await runClient(process.execPath, [cli, 'run', '--net', 'loopback', '--', wasm, ...host, ...c.args]);
        nat = nat ? better(c.metric, nat, n) : n;
        was = was ? better(c.metric, was, w) : w;
      }
      rows.push({ c, native: nat!, wasm: was! });
    } finally {
      await peer.close();
    }
  }

  const table = rows.map(({ c, native: n, wasm: w }) => {
    const ratio = c.metric === 'mib_per_s' ? w.mib_per_s / n.mib_per_s : w.us_per_op / n.us_per_op;
    let verdict = '';
    if (c.goal) {
      const ok = c.goal.kind === 'min-ratio' ? ratio >= c.goal.ratio : ratio <= c.goal.ratio;
      verdict = `${ok ? 'PASS' : 'MISS'} (${c.goal.text})`;
    }
    return { benchmark: c.label, native: fmt(c.metric, n), wasm: fmt(c.metric, w), ratio: `${ratio.toFixed(2)}x`, goal: verdict, ok: !verdict.startsWith('MISS') };
  });
  const cols = ['benchmark', 'native', 'wasm', 'ratio', 'goal'] as const;
  const widths = cols.map((k) => Math.max(k.length, ...table.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((s, i) => s.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`\nloopback TCP, best of ${RUNS}; wasm = pywasi run on Node ${process.versions.node} (CLI picks its Node)\n`);
  process.stdout.write(line([...cols]) + '\n' + line(widths.map((w) => '-'.repeat(w))) + '\n');
  for (const r of table) process.stdout.write(line(cols.map((k) => r[k])) + '\n');
  saveRun({
    bench: 'sockets',
    title: `Loopback TCP, a C client: wasm32-wasi under pywasi run against the same program native, best of ${RUNS}`,
    columns: { value: 'pywasi run (wasm)', against: 'native' },
    rows: rows.map(({ c, native: n, wasm: w }) => {
      const [value, against, unit] = c.metric === 'mib_per_s' ? [w.mib_per_s, n.mib_per_s, 'MiB/s'] : [w.us_per_op, n.us_per_op, 'µs'];
      const ratio = value / against;
      const ok = c.goal && (c.goal.kind === 'min-ratio' ? ratio >= c.goal.ratio : ratio <= c.goal.ratio);
      return {
        name: c.label,
        value: round(value),
        unit,
        against: round(against),
        ratio: round(ratio),
        ...(c.goal ? { goal: `${c.goal.kind === 'min-ratio' ? '≥' : '≤'} ${c.goal.ratio}×`, verdict: ok ? ('PASS' as const) : ('MISS' as const) } : {}),
      };
    }),
  });
  const connect = rows.find((r) => r.c.mode === 'connect');
  if (connect) process.stdout.write(`\nconnect rate: native ${(1e6 / connect.native.us_per_op).toFixed(0)}/s, wasm ${(1e6 / connect.wasm.us_per_op).toFixed(0)}/s\n`);
  return table.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
