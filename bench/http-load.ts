// An asyncio HTTP server under load: libs/cpython/tests/py/asyncio_http.py in python.wasm (`pywasi
// python`) and on native python3.11, each loaded by `wrk` (Debian's package) at 50, 1,000 and
// 10,000 connections, the two taking turns at each level. Prints requests/s, the errors the
// server logged and the client's socket errors; then the memory of an idle connection and the
// server's memory before and after 5,000 quick connect/close cycles.
// Goals: zero server errors at every level; wasm >= 0.5x native at 1,000 connections.
//
//   npx tsx bench/http-load.ts [--quick] [--seconds N] [--save]        (npm run bench:http)
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { nativePython, pywasiPython, requirePythonWasm, workspaceRoot } from './lib/pythons.ts';
import { printTable, type Row } from './lib/report.ts';
import { groupRssKiB } from './lib/process-group.ts';
import { runWrk, requireWrk, type WrkResult } from './lib/wrk.ts';
import { freePort } from '../libs/cpython/tests/harness.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const secondsAt = argv.indexOf('--seconds');
const SECONDS = secondsAt >= 0 ? Number(argv[secondsAt + 1]) : quick ? 3 : 8;
const LEVELS = quick ? [50, 1000] : [50, 1000, 10_000];
const IDLE = quick ? 500 : 2000;
const CHURN = 5000;
const script = join(workspaceRoot, 'libs/cpython/tests/py/asyncio_http.py');

interface Server {
  name: 'wasm' | 'native';
  child: ResultPromise;
  port: number;
  stderr: () => string;
}

async function startServer(name: Server['name'], native: string): Promise<Server> {
  const port = await freePort();
  const [cmd, args] = name === 'wasm' ? pywasiPython([script, String(port)]) : [native, [script, String(port)]];
  const child = execa(cmd, args, { reject: false, detached: true, stdin: 'ignore', buffer: false });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('READY')) resolve();
    });
    void child.then((r) => reject(new Error(`${name} server exited (${r.exitCode}) before it was ready:\n${err}`)));
  });
  return { name, child, port, stderr: () => err };
}

function stopServer(s: Server): Promise<unknown> {
  try {
    process.kill(-s.child.pid!, 'SIGTERM');
  } catch {
    // gone
  }
  return s.child;
}

/** The server's counters; `open` includes the connection asking for them. A server that died
 * is reported with the end of what it wrote to stderr. */
async function stats(port: number): Promise<{ open: number; served: number; errors: number }> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/stats`, { headers: { connection: 'close' } });
    return (await response.json()) as { open: number; served: number; errors: number };
  } catch (error) {
    const server = [servers.wasm, servers.native].find((s) => s.port === port);
    const tail = server ? server.stderr().trim().split('\n').slice(-8).join('\n') : '';
    throw new Error(`${server?.name ?? 'the'} server on port ${port} does not answer (${String(error)})${tail ? `; its stderr ends with:\n${tail}` : ''}`);
  }
}

const wrk = (bin: string, port: number, connections: number): Promise<WrkResult> => runWrk(bin, port, connections, SECONDS);

/** Opens `count` connections that send nothing, waits until the server holds them all, returns a
 * closer. */
async function idleConnections(port: number, count: number): Promise<() => Promise<void>> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    sockets.push(s);
    if (i % 200 === 199) await new Promise((r) => setTimeout(r, 20));
  }
  const deadline = Date.now() + 60_000;
  while ((await stats(port)).open - 1 < count) {
    if (Date.now() > deadline) throw new Error(`the server did not accept ${count} idle connections within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return async () => {
    for (const s of sockets) s.destroy();
    while ((await stats(port)).open > 1) await new Promise((r) => setTimeout(r, 100));
  };
}

/** Waits until the server holds no connection but the asking one (a server loaded with 10,000
 * connections is still closing them when wrk has finished); returns the seconds it took. */
async function drained(port: number): Promise<number> {
  const start = Date.now();
  const deadline = start + 300_000;
  while ((await stats(port)).open > 1) {
    if (Date.now() > deadline) throw new Error(`the server still holds connections 300 s after the load ended`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return (Date.now() - start) / 1000;
}

async function churn(port: number, cycles: number): Promise<void> {
  for (let i = 0; i < cycles; i++) {
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.destroy());
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
  }
}

const settle = () => new Promise((r) => setTimeout(r, 1000));

requirePythonWasm();
const wrkBin = requireWrk();
const native = await nativePython();
console.log(`asyncio HTTP server: python.wasm (pywasi python) vs ${native.command} ${native.version}; wrk ${SECONDS} s per level, backlog 4,096`);
console.log(`load average at start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);

const servers: Record<Server['name'], Server> = { wasm: await startServer('wasm', native.command), native: await startServer('native', native.command) };
const rows: Row[] = [];
const errorRows: string[] = [];
try {
  for (const [i, level] of LEVELS.entries()) {
    const order: Server[] = i % 2 === 0 ? [servers.wasm, servers.native] : [servers.native, servers.wasm];
    const got: Partial<Record<Server['name'], WrkResult>> = {};
    for (const s of order) {
      got[s.name] = await wrk(wrkBin, s.port, level);
      await settle();
    }
    rows.push({
      name: `${level} connections`,
      wasm: got.wasm!.rps,
      native: got.native!.rps,
      unit: 'req/s',
      sense: 'min',
      ...(level === 1000 ? { goal: 0.5, goalOn: 'ratio' as const } : {}),
    });
    for (const s of order) {
      const st = await stats(s.port);
      errorRows.push(`  ${String(level).padStart(6)} connections, ${s.name.padEnd(6)}: server errors logged ${st.errors}, wrk socket errors ${got[s.name]!.socketErrors}, non-2xx ${got[s.name]!.non2xx}`);
    }
  }
  printTable(`requests per second (wrk -c N, ${SECONDS} s)`, rows, { bench: 'http-load' });
  console.log('\nerrors (goal: zero server errors at every level)');
  for (const line of errorRows) console.log(line);

  console.log(`\nmemory (resident, the server's process group)`);
  for (const s of [servers.wasm, servers.native]) {
    const drainSeconds = await drained(s.port);
    if (drainSeconds >= 1) console.log(`  ${s.name.padEnd(6)}: took ${drainSeconds.toFixed(0)} s more to close the last level's connections`);
    await settle();
    const before = groupRssKiB(s.child.pid!);
    const close = await idleConnections(s.port, IDLE);
    const held = groupRssKiB(s.child.pid!);
    await close();
    const beforeChurn = groupRssKiB(s.child.pid!);
    await churn(s.port, CHURN);
    await settle();
    const afterChurn = groupRssKiB(s.child.pid!);
    const alive = (await fetch(`http://127.0.0.1:${s.port}/`)).status;
    console.log(
      `  ${s.name.padEnd(6)}: ${((held - before) / IDLE).toFixed(1)} KiB per idle connection (${IDLE} held: ${(before / 1024).toFixed(0)} -> ${(held / 1024).toFixed(0)} MiB); ` +
        `${CHURN} connect/close cycles: ${(beforeChurn / 1024).toFixed(0)} -> ${(afterChurn / 1024).toFixed(0)} MiB, then GET / = ${alive}`,
    );
  }
  const logged = { wasm: servers.wasm.stderr().trim(), native: servers.native.stderr().trim() };
  for (const [name, text] of Object.entries(logged)) {
    const lines = text ? text.split('\n') : [];
    console.log(`\n${name} server stderr: ${lines.length} lines${lines.length ? `, first: ${lines.slice(0, 3).join(' | ')}` : ''}`);
  }
  const wasmErrors = (await stats(servers.wasm.port)).errors;
  console.log(`\nwasm server errors over the whole run: ${wasmErrors} (goal 0) ${wasmErrors === 0 ? 'PASS' : 'MISS'}`);
} finally {
  await Promise.all([stopServer(servers.wasm), stopServer(servers.native)]);
}
