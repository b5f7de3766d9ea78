// What recording costs per host call, without the rest of a run (issue 36): recordImports around
// stand-in imports that answer at once, its log written to /dev/null. A whole run's CPU time on a
// loaded machine swings by more than the recorder costs; this does not.
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

const imports = {
  sched_yield: () => 0,
  fd_read: (_fd: number, _iovs: number, _count: number, nread: number) => (view.setUint32(nread, 4096, true), 0),
  clock_time_get: (_id: number, _precision: bigint, out: number) => (view.setBigUint64(out, 123n, true), 0),
};
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
  ];
  for (const [name, call, n] of cases) {
    const t = cpuMs();
    for (let i = 0; i < n; i++) call();
    if (round >= 2) best.set(name, Math.min(best.get(name) ?? Infinity, ((cpuMs() - t) * 1000) / n));
  }
  rec.finish({ outcome: 'exit', code: 0 });
}
for (const [name, us] of best) console.log(`${name}: ${us.toFixed(2)} µs of CPU per recorded call (best of ${ROUNDS - 2} rounds)`);
