// What recording costs per host call, without the rest of a run (issue 36): recordImports around
// stand-in imports that answer at once, its log written to /dev/null. A whole run's CPU time on a
// loaded machine swings by more than the recorder costs; this does not. Besides single calls, the
// calls an asyncio HTTP server makes per request under `wrk -c 50` (bench/record-http.ts), counted
// in a log of it: a sched_yield, a sock_recv of the request, a sock_send of the response, half a
// clock_time_get and a third of a poll_oneoff over 51 sockets that answers 3 events.
//
//   npx tsx bench/record-calls.ts        (prints µs of CPU per call, best of 7 rounds)
import { openSync } from 'node:fs';
import { GuestMemory } from '../libs/wasi-host/src/abi/guest-memory.ts';
import { LOG_VERSION } from '../libs/wasi-host/src/record/format.ts';
import { Recorder, recordImports, type RecordInit } from '../libs/wasi-host/src/record/recorder.ts';

const memory = new WebAssembly.Memory({ initial: 64 });
const mem = new GuestMemory(() => memory);
const view = new DataView(memory.buffer);
// fd_read's one iovec at 1024: 4 KiB at 8192, filled as bench/python/fs/fs_workloads.py fills files.
view.setUint32(1024, 8192, true);
view.setUint32(1028, 4096, true);
new Uint8Array(memory.buffer, 8192, 4096).set(Buffer.from('00000042|'.repeat(456).slice(0, 4096)));

// sock_recv's iovec at 1040 (the request wrk sends, at 16384), sock_send's at 1056 (a response, at
// 131072), poll_oneoff's 51 subscriptions at 200000 and its events at 300000.
const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n');
const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!');
view.setUint32(1040, 16384, true);
view.setUint32(1044, 65536, true);
new Uint8Array(memory.buffer, 16384, REQUEST.length).set(REQUEST);
view.setUint32(1056, 131072, true);
view.setUint32(1060, RESPONSE.length, true);
new Uint8Array(memory.buffer, 131072, RESPONSE.length).set(RESPONSE);
const SUBSCRIPTIONS = 51;
for (let i = 0; i < SUBSCRIPTIONS; i++) {
  view.setBigUint64(200000 + i * 48, BigInt(i + 1), true); // userdata
  view.setUint8(200000 + i * 48 + 8, i === 0 ? 0 : 1); // a clock, then fd_read subscriptions
  view.setUint32(200000 + i * 48 + 16, i + 5, true);
}

const imports = {
  sched_yield: () => 0,
  fd_read: (_fd: number, _iovs: number, _count: number, nread: number) => (view.setUint32(nread, 4096, true), 0),
  clock_time_get: (_id: number, _precision: bigint, out: number) => (view.setBigUint64(out, 123n, true), 0),
  sock_recv: (_fd: number, _iovs: number, _count: number, _flags: number, nread: number, roflags: number) => (view.setUint32(nread, REQUEST.length, true), view.setUint16(roflags, 0, true), 0),
  sock_send: (_fd: number, _iovs: number, _count: number, _flags: number, nwritten: number) => (view.setUint32(nwritten, RESPONSE.length, true), 0),
  poll_oneoff: (_in: number, out: number, _n: number, nevents: number) => {
    for (let i = 0; i < 3; i++) view.setBigUint64(out + i * 32, BigInt(i + 2), true);
    view.setUint32(nevents, 3, true);
    return 0;
  },
};

type Calls = Record<keyof typeof imports, (...args: Array<number | bigint>) => number>;
/** 20 requests' calls (see the top). */
function requests(w: Calls): void {
  for (let i = 0; i < 20; i++) {
    if (i % 3 === 0) w.poll_oneoff(200000, 300000, SUBSCRIPTIONS, 2064);
    w.sched_yield();
    w.sock_recv(7, 1040, 1, 0, 2048, 2052);
    if (i % 2 === 0) w.clock_time_get(1, 1n, 4096);
    w.sock_send(7, 1056, 1, 0, 2056);
  }
}
const names = Object.keys(imports);
const init: RecordInit = {
  fd: openSync('/dev/null', 'w'),
  file: '/dev/null',
  maxBytes: 2 ** 50,
  header: { format: LOG_VERSION, created: new Date().toISOString(), module: { name: 'stand-in', sha256: '', size: 0 }, args: [], env: {}, host: { node: process.version, platform: process.platform } },
};
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const ROUNDS = 9; // the first two warm up
const best = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  const rec = new Recorder(init, names);
  const w = recordImports(imports as never, names, mem, { argv: [], environ: [] }, rec, false);
  const cases: Array<[string, () => unknown, number]> = [
    ['sched_yield', () => w['sched_yield']!(), 300_000],
    ['fd_read of 4 KiB', () => w['fd_read']!(3, 1024, 1, 2048), 20_000],
    ['clock_time_get', () => w['clock_time_get']!(1, 1000n, 4096), 200_000],
    ["an HTTP request's calls", () => requests(w as Calls), 5_000],
    ["an HTTP request's calls, not recorded", () => requests(imports as Calls), 5_000],
  ];
  for (const [name, call, n] of cases) {
    const t = cpuMs();
    for (let i = 0; i < n; i++) call();
    // requests() makes 20 requests' calls.
    const per = name.startsWith('an HTTP') ? n * 20 : n;
    if (round >= 2) best.set(name, Math.min(best.get(name) ?? Infinity, ((cpuMs() - t) * 1000) / per));
  }
  rec.finish({ outcome: 'exit', code: 0 });
}
for (const [name, us] of best) console.log(`${name}: ${us.toFixed(2)} µs of CPU per ${name.startsWith('an HTTP') ? 'request' : 'recorded call'} (best of ${ROUNDS - 2} rounds)`);
