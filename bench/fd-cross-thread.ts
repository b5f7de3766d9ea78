// What an fd_write costs when several guest threads share one fd table: `npm run bench:fd-threads`.
//
// Guest threads will each be a Node worker, and workers share no JavaScript objects, so the fd
// table (libs/wasi-host/src/fs/fd-table.ts) must be reached in one of two ways:
//   shared  its state (guest fd -> host fd, kind, flags, offset) in a SharedArrayBuffer under a
//           lock; every thread makes the host call itself (host fds belong to the process, so any
//           thread may write to one);
//   owner   every call is sent to the one thread that owns the table, which makes it and answers
//           (as sockets already are, through the channel: libs/wasi-host/src/channel/).
// This measures one 64-byte write to /dev/null each way, against the same write made directly by
// the calling thread (today's single-threaded guest), in one run. The goal: the shared table costs
// at most 1.25x the direct write.
import { closeSync, openSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { round, saveRun } from './lib/results.ts';

const GOAL = 1.25;
const N = Number(process.env['N'] ?? 200_000);
const ROUNDS = 5;

/** The worker: a guest thread. `mode` says how it reaches the table. */
const workerCode = `
const { workerData, parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { mode, n, sab, fd } = workerData;
const i32 = new Int32Array(sab);
const buf = Buffer.alloc(64, 120);
// [0] lock, [1] request flag, [2] reply flag, [4..] the entry: host fd, flags; [8..] offset (f64)
const f64 = new Float64Array(sab, 64, 1);
const t0 = process.hrtime.bigint();
for (let k = 0; k < n; k++) {
  if (mode === 'direct') {
    writeSync(fd, buf, 0, 64);
  } else if (mode === 'shared') {
    while (Atomics.compareExchange(i32, 0, 0, 1) !== 0) Atomics.wait(i32, 0, 1);
    const host = i32[4];
    writeSync(host, buf, 0, 64);
    f64[0] += 64;
    Atomics.store(i32, 0, 0);
    Atomics.notify(i32, 0, 1);
  } else {
    Atomics.store(i32, 2, 0);
    Atomics.store(i32, 1, 1);
    Atomics.notify(i32, 1, 1);
    while (Atomics.load(i32, 2) === 0) Atomics.wait(i32, 2, 0);
  }
}
parentPort.postMessage(Number(process.hrtime.bigint() - t0) / n);
`;

/** The owner thread of the "owner" mode: answers each request by making the write. */
const ownerCode = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { n, sab, fd } = workerData;
const i32 = new Int32Array(sab);
const buf = Buffer.alloc(64, 120);
for (let k = 0; k < n; k++) {
  while (Atomics.load(i32, 1) === 0) Atomics.wait(i32, 1, 0);
  Atomics.store(i32, 1, 0);
  writeSync(fd, buf, 0, 64);
  Atomics.store(i32, 2, 1);
  Atomics.notify(i32, 2, 1);
}
`;

function run(mode: 'direct' | 'shared' | 'owner', fd: number): Promise<number> {
  const sab = new SharedArrayBuffer(128);
  new Int32Array(sab)[4] = fd;
  const owner = mode === 'owner' ? new Worker(ownerCode, { eval: true, workerData: { n: N, sab, fd } }) : null;
  const guest = new Worker(workerCode, { eval: true, workerData: { mode, n: N, sab, fd } });
  return new Promise((resolve, reject) => {
    guest.once('message', (ns: number) => {
      void owner?.terminate();
      void guest.terminate();
      resolve(ns);
    });
    guest.once('error', reject);
    owner?.once('error', reject);
  });
}

async function main(): Promise<void> {
  const fd = openSync('/dev/null', 'w');
  try {
    console.log(`one 64-byte write to /dev/null from a worker, ${N} per run, best of ${ROUNDS} rounds in rotating order`);
    console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${availableParallelism()} CPUs)`);
    const modes = ['direct', 'shared', 'owner'] as const;
    const best: Record<string, number> = { direct: Infinity, shared: Infinity, owner: Infinity };
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < modes.length; i++) {
        const mode = modes[(i + round) % modes.length]!;
        best[mode] = Math.min(best[mode]!, await run(mode, fd));
      }
    }
    const direct = best['direct']!;
    console.log(`  direct (today: the guest's own thread)   ${direct.toFixed(0)} ns`);
    console.log(`  shared table (SharedArrayBuffer + lock)  ${best['shared']!.toFixed(0)} ns  ${(best['shared']! / direct).toFixed(2)}x`);
    console.log(`  sent to the owning thread and back       ${best['owner']!.toFixed(0)} ns  ${(best['owner']! / direct).toFixed(2)}x`);
    const ratio = best['shared']! / direct;
    console.log(`shared fd table vs direct: ${ratio.toFixed(2)}x (goal ≤ ${GOAL.toFixed(2)}) ${ratio <= GOAL ? 'PASS' : 'MISS'}`);
    saveRun({
      bench: 'fd-threads',
      title: `One 64-byte write to /dev/null from a worker, best of ${ROUNDS} rounds of ${N}`,
      columns: { value: 'this way', against: 'direct write' },
      rows: [
        { name: 'shared fd table (SharedArrayBuffer + lock)', value: round(best['shared']!), unit: 'ns', against: round(direct), ratio: round(ratio), goal: `≤ ${GOAL}×`, verdict: ratio <= GOAL ? 'PASS' : 'MISS' },
        { name: 'sent to the owning thread and back', value: round(best['owner']!), unit: 'ns', against: round(direct), ratio: round(best['owner']! / direct) },
      ],
    });
  } finally {
    closeSync(fd);
  }
}

await main();
