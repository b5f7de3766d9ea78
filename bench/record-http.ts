// What recording costs an asyncio HTTP server (issue 36): libs/cpython/tests/py/asyncio_http.py
// in python.wasm, one server recording (`pywasi python --record=FILE`) and one not, loaded in turn
// by `wrk` (Debian's package) with 50 keep-alive connections, the order rotating each round.
// Prints requests/s of each (median of the rounds) against the goal (recording ≤ 15% fewer), the
// CPU time each server's processes used per request served (steadier than requests/s on a machine
// others load: recording is CPU work), and the log's size per 1,000 requests: the recording
// server's log, less the log of a server started and stopped with no load (its start-up), over the
// requests it served.
//
//   npx tsx bench/record-http.ts [--rounds N] [--seconds N] [--save]
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freePort } from '../libs/cpython/tests/harness.ts';
import { pywasiPython, requirePythonWasm, workspaceRoot } from './lib/pythons.ts';
import { round, saveRun, type ResultRow } from './lib/results.ts';
import { median } from './lib/report.ts';
import { groupCpuSeconds } from './lib/process-group.ts';
import { requireWrk, runWrk } from './lib/wrk.ts';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const ROUNDS = option('--rounds', 5);
const SECONDS = option('--seconds', 5);
if (!Number.isInteger(ROUNDS) || ROUNDS < 5) throw new Error('--rounds must be an integer ≥ 5 (a median of at least five)');
if (!Number.isInteger(SECONDS) || SECONDS < 1) throw new Error('--seconds must be a whole number of seconds ≥ 1');
const CONNECTIONS = 50;
const GOAL = 0.85;
const script = join(workspaceRoot, 'libs/cpython/tests/py/asyncio_http.py');

interface Server {
  child: ResultPromise;
  port: number;
}

async function startServer(record: string | null): Promise<Server> {
  const port = await freePort();
  const [cmd, args] = pywasiPython([...(record ? [`--record=${record}`] : []), script, String(port)]);
  // Its own process group: SIGINT reaches pywasi and the Node it hands over to.
  const child = execa(cmd, args, { reject: false, detached: true, stdin: 'ignore', buffer: false });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('READY')) resolve();
    });
    void child.then((r) => reject(new Error(`the server exited (${r.exitCode}) before it was ready:\n${err}`)));
  });
  return { child, port };
}

/** Ctrl-C: python.wasm takes it as a KeyboardInterrupt, the script ends, the log gets its end. */
async function stopServer(s: Server): Promise<void> {
  try {
    process.kill(-s.child.pid!, 'SIGINT');
  } catch {
    // gone
  }
  const result = await s.child;
  if (result.exitCode !== 0) throw new Error(`the server on port ${s.port} ended with ${result.exitCode ?? result.signal} on SIGINT, not 0`);
}

async function served(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/stats`, { headers: { connection: 'close' } });
  return ((await response.json()) as { served: number }).served;
}

/** One turn of wrk against a server: its requests/s, and the CPU µs the server used per request. */
async function wrk(bin: string, s: Server): Promise<{ rps: number; cpuUs: number }> {
  const cpu = groupCpuSeconds(s.child.pid!);
  const { rps, stdout } = await runWrk(bin, s.port, CONNECTIONS, SECONDS);
  const used = groupCpuSeconds(s.child.pid!) - cpu;
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1]);
  if (!Number.isFinite(rps) || !requests) throw new Error(`wrk printed no Requests/sec or request count:\n${stdout}`);
  return { rps, cpuUs: (used / requests) * 1e6 };
}

requirePythonWasm();
const wrkBin = requireWrk();
const scratch = mkdtempSync(join(tmpdir(), 'pywasi-bench-record-http-'));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`asyncio HTTP server in python.wasm, recording and not: wrk -c ${CONNECTIONS}, ${SECONDS} s a turn, ${ROUNDS} rounds; load average at start: ${load()}`);
try {
  // The log of a run with no load: what start-up and shutdown put in every log.
  const idleLog = join(scratch, 'idle.log');
  await stopServer(await startServer(idleLog));
  const idleBytes = statSync(idleLog).size;

  const log = join(scratch, 'loaded.log');
  const plain = await startServer(null);
  const recording = await startServer(log);
  const rps = { plain: [] as number[], recording: [] as number[] };
  const cpuUs = { plain: [] as number[], recording: [] as number[] };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of r % 2 ? (['recording', 'plain'] as const) : (['plain', 'recording'] as const)) {
        const turn = await wrk(wrkBin, mode === 'plain' ? plain : recording);
        rps[mode].push(turn.rps);
        cpuUs[mode].push(turn.cpuUs);
      }
    }
  } finally {
    await stopServer(plain);
  }
  const requests = await served(recording.port);
  await stopServer(recording);
  const perThousand = ((statSync(log).size - idleBytes) / requests) * 1000;

  const p = median(rps.plain);
  const rec = median(rps.recording);
  const ratio = rec / p;
  const verdict = ratio >= GOAL ? 'PASS' : 'MISS';
  console.log(`requests/s: ${p.toFixed(0)} not recording, ${rec.toFixed(0)} recording (${ratio.toFixed(3)}×, goal ≥ ${GOAL}×: ≤ 15% fewer) ${verdict}`);
  const cpuRatio = median(cpuUs.recording) / median(cpuUs.plain);
  console.log(`CPU per request: ${median(cpuUs.plain).toFixed(1)} µs not recording, ${median(cpuUs.recording).toFixed(1)} µs recording (${cpuRatio.toFixed(3)}×)`);
  console.log(`log: ${(perThousand / 1024).toFixed(1)} KiB per 1,000 requests (${requests} requests served; the log ${statSync(log).size} bytes, of which ${idleBytes} start-up)`);
  console.log(`load average at end: ${load()}`);
  const rows: ResultRow[] = [
    { name: `asyncio HTTP, wrk -c ${CONNECTIONS}: recording`, value: round(rec), unit: 'req/s', against: round(p), ratio: round(ratio), goal: `≥ ${GOAL}×`, verdict },
    { name: `asyncio HTTP, wrk -c ${CONNECTIONS}: recording, CPU time of the server per request`, value: round(median(cpuUs.recording)), unit: 'µs', against: round(median(cpuUs.plain)), ratio: round(cpuRatio) },
    { name: 'asyncio HTTP: log size per 1,000 requests', value: Math.round(perThousand), unit: 'bytes' },
  ];
  saveRun({ bench: 'record-http', title: `Recording an asyncio HTTP server (pywasi python --record): median of ${ROUNDS} alternated wrk runs`, columns: { value: 'recording', against: 'not recording' }, rows });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
