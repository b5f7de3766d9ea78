// What guest threads buy (issue 35, item 6): `npx tsx bench/threads-http.ts [--rounds N] [--save]`
// (npm run bench:threads-http; --quick: one short round, for trying the bench, never saved).
//
// bench/python/threads/threads_bench.py runs in the threads build of python.wasm (`pywasi python
// --build threads`, on the workspace's Node 24) and in native python3.11, the two taking turns (the
// order swaps each round, as does the order of the cases inside a run), ROUNDS times:
//   fetch  200 URLs from a Node HTTP server in this process that answers each after 20 ms, with
//          urllib.request, by a ThreadPoolExecutor of 1 and of 8 threads. The figure is 8 threads'
//          speed-up over 1 thread, each pool new, its threads' start timed with it as a program
//          pays for it (goal for python.wasm: ≥ 4×; 8× is the ceiling the delay sets); then the
//          same by pools whose threads have all started (a guest thread is a Node worker: its
//          start costs far more than a native thread's). The server counts the requests it holds
//          at once, so the table shows that the threads overlap.
//   cpu    two pure-Python loops, in two threads at once against one after the other in one thread:
//          the GIL lets one thread run at a time, so expect ~1×. Informative, no goal.
// Times are measured inside the interpreter (start-up not counted); a figure is the median of the
// rounds, a speed-up the median of each run's own (its two cases ran seconds apart in one process).
// The load average is printed, and saved with the run, before and after.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { median, printTable, type Row } from './lib/report.ts';
import { benchArgs, SAVE } from './lib/results.ts';
import { nativePython, node24, workspaceRoot } from './lib/pythons.ts';

const args = benchArgs();
const quick = args.includes('--quick');
const ROUNDS = quick ? 1 : Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : process.env['ROUNDS'] ?? 5);
if (quick && SAVE) throw new Error('--quick runs are too short to keep: drop --save, or --quick for a full run');
if (!quick && (!Number.isInteger(ROUNDS) || ROUNDS < 5)) throw new Error('--rounds must be an integer ≥ 5 (a median of at least five)');
const URLS = quick ? 40 : 200;
const DELAY_MS = 20;
const THREADS = 8;
const GOAL = 4;
/** Iterations of each of the two loops: ~0.4 s of python.wasm each on this 2-core VM, idle. */
const SPIN = quick ? 300_000 : 3_000_000;
const bin = join(workspaceRoot, 'node_modules/.bin/pywasi');
const script = join(workspaceRoot, 'bench/python/threads/threads_bench.py');
const threadsWasm = join(workspaceRoot, 'dist/python-threads/python.wasm');

type Interpreter = 'wasm' | 'native';
type Case = `fetch:${number}` | `cpu:${1 | 2}`;

interface Measurement {
  case: 'fetch' | 'cpu';
  threads: number;
  seconds: number;
  /** fetch: the seconds by a pool already started, and the most requests the server held at once
   * meanwhile. */
  warm?: number;
  peak?: number;
}

/** The server the scripts fetch from: /N answers "N" after DELAY_MS; /peak answers at once with
 * the most requests held at once since the last /peak, and starts counting again. */
function startServer(): Promise<{ server: Server; base: string }> {
  let open = 0;
  let peak = 0;
  const server = createServer((request, response) => {
    if (request.url === '/peak') {
      response.end(String(peak));
      peak = 0;
      return;
    }
    open++;
    peak = Math.max(peak, open);
    setTimeout(() => {
      open--;
      response.end((request.url ?? '/').slice(1));
    }, DELAY_MS);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

/** One run of the script: its measurements, in the order of `cases`. Any line on stderr fails a
 * python.wasm run: a run that could not use its snapshot, or lost a thread, says so there. */
async function run(interpreter: Interpreter, native: string, base: string, cases: Case[]): Promise<Measurement[]> {
  const scriptArgs = [script, base, String(URLS), String(SPIN), ...cases];
  const [cmd, cmdArgs] = interpreter === 'wasm' ? [node24, [bin, 'python', '--build', 'threads', ...scriptArgs]] : [native, scriptArgs];
  const r = await execa(cmd, cmdArgs, { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0 || r.stderr.trim()) throw new Error(`${interpreter}: ${cmd} ${cmdArgs.join(' ')}: exit ${r.exitCode}\n${r.stderr.slice(-2000)}`);
  const got = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Measurement);
  if (got.length !== cases.length) throw new Error(`${interpreter}: expected ${cases.length} measurements, got ${got.length}:\n${r.stdout}`);
  return got;
}

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');

/** Which threads build ran: its file's hash and time, for the saved note. */
function buildId(): string {
  const hash = createHash('sha256').update(readFileSync(threadsWasm)).digest('hex').slice(0, 12);
  return `dist/python-threads/python.wasm sha256 ${hash}…, built ${statSync(threadsWasm).mtime.toISOString().slice(0, 16)}Z`;
}

async function main(): Promise<void> {
  if (!existsSync(threadsWasm)) throw new Error(`${threadsWasm} is missing: run \`npx nx build python -c threads\` first`);
  const native = await nativePython();
  const build = buildId();
  const { server, base } = await startServer();
  const loadBefore = load();
  console.log(`python.wasm (${build}) vs ${native.command} ${native.version}; ${URLS} URLs answered after ${DELAY_MS} ms each; ${ROUNDS} rounds`);
  console.log(`load average before: ${loadBefore} (1, 5, 15 min)`);
  const runs: Record<Interpreter, Measurement[][]> = { wasm: [], native: [] };
  try {
    // The threads build makes its start-up snapshot (first run on this installation) before any round.
    await execa(node24, [bin, 'python', '--build', 'threads', '-c', 'pass']);
    for (let r = 0; r < ROUNDS; r++) {
      const interpreters: Interpreter[] = r % 2 ? ['native', 'wasm'] : ['wasm', 'native'];
      const cases: Case[] = r % 2 ? [`fetch:${THREADS}`, 'fetch:1', 'cpu:2', 'cpu:1'] : ['fetch:1', `fetch:${THREADS}`, 'cpu:1', 'cpu:2'];
      for (const interpreter of interpreters) runs[interpreter].push(await run(interpreter, native.command, base, cases));
      console.log(`round ${r + 1}/${ROUNDS} done (load ${load()})`);
    }
  } finally {
    server.close();
  }
  const loadAfter = load();
  console.log(`load average after: ${loadAfter}`);

  const pick = (ms: Measurement[], kind: Measurement['case'], threads: number) => ms.find((m) => m.case === kind && m.threads === threads)!;
  const seconds = (i: Interpreter, kind: Measurement['case'], threads: number) => median(runs[i].map((ms) => pick(ms, kind, threads).seconds));
  const warm = (i: Interpreter, threads: number) => median(runs[i].map((ms) => pick(ms, 'fetch', threads).warm!));
  const speedup = (i: Interpreter, kind: Measurement['case'], one: number, many: number, f = (m: Measurement) => m.seconds) =>
    median(runs[i].map((ms) => f(pick(ms, kind, one)) / f(pick(ms, kind, many))));
  const warmSpeedup = (i: Interpreter) => speedup(i, 'fetch', 1, THREADS, (m) => m.warm!);
  const peak = (i: Interpreter) => Math.min(...runs[i].map((ms) => pick(ms, 'fetch', THREADS).peak!));
  const rows: Row[] = [
    { name: `fetch ${URLS} URLs (${DELAY_MS} ms each), 1 thread`, wasm: seconds('wasm', 'fetch', 1), native: seconds('native', 'fetch', 1), unit: 's' },
    { name: `fetch ${URLS} URLs, ${THREADS} threads (ThreadPoolExecutor)`, wasm: seconds('wasm', 'fetch', THREADS), native: seconds('native', 'fetch', THREADS), unit: 's' },
    { name: `fetch: speed-up of ${THREADS} threads over 1`, wasm: speedup('wasm', 'fetch', 1, THREADS), native: speedup('native', 'fetch', 1, THREADS), unit: '×', goal: GOAL, sense: 'min' },
    { name: 'the same fetches by pools already started: 1 thread', wasm: warm('wasm', 1), native: warm('native', 1), unit: 's' },
    { name: `  ${THREADS} threads`, wasm: warm('wasm', THREADS), native: warm('native', THREADS), unit: 's' },
    { name: `  speed-up of ${THREADS} threads over 1`, wasm: warmSpeedup('wasm'), native: warmSpeedup('native'), unit: '×' },
    { name: `  ${THREADS} threads: requests the server held at once (least of the rounds)`, wasm: peak('wasm'), native: peak('native'), unit: 'requests' },
    { name: 'CPU-bound: two loops in one thread', wasm: seconds('wasm', 'cpu', 1), native: seconds('native', 'cpu', 1), unit: 's' },
    { name: 'CPU-bound: the two loops in two threads at once', wasm: seconds('wasm', 'cpu', 2), native: seconds('native', 'cpu', 2), unit: 's' },
    { name: 'CPU-bound: speed-up of 2 threads over 1 (the GIL: ~1×)', wasm: speedup('wasm', 'cpu', 1, 2), native: speedup('native', 'cpu', 1, 2), unit: '×' },
  ];
  printTable(`Threads: ${URLS} fetches by 1 and ${THREADS} threads, a CPU-bound pair; median of ${ROUNDS} alternated runs (Node 24)`, rows, {
    bench: 'threads-http',
    columns: { value: 'python.wasm, threads build', against: 'native python3.11' },
    note: `load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}. ${build}`,
  });
}

await main();
