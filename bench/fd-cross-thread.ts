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
import { runWasi } from '../libs/wasi-host/src/run-wasi.ts';
import { wat } from '../tools/testing/wat.ts';

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

/**
 * The same write made by a guest through the host's fd_write (libs/wasi-host): a module without
 * threads (its own fd table, as every run before threads) and a wasi-threads module (the table its
 * threads share), each timing its N calls itself with clock_time_get; ns per call.
 */
async function throughHost(threads: boolean, fd: number): Promise<number> {
  const memory = threads ? '(import "env" "memory" (memory 1 1 shared))' : '(memory (export "memory") 1)';
  const spawn = threads ? '(import "wasi" "thread-spawn" (func $spawn (param i32) (result i32))) (func (export "wasi_thread_start") (param i32 i32))' : '';
  const module = await wat(
    `(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
      ${memory} ${spawn}
      (func (export "_start") (local $i i32)
        (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 64))
        (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 200)))
        (loop $l
          (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const ${N}))))
        (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 208)))
        ;; the elapsed ns at 216, written to fd 2
        (i64.store (i32.const 216) (i64.sub (i64.load (i32.const 208)) (i64.load (i32.const 200))))
        (i32.store (i32.const 8) (i32.const 216)) (i32.store (i32.const 12) (i32.const 8))
        (drop (call $write (i32.const 2) (i32.const 8) (i32.const 1) (i32.const 16)))))`,
    { threads },
  );
  let elapsed = 0n;
  await runWasi({ module, stdout: fd, stderr: (b) => (elapsed = Buffer.from(b).readBigUInt64LE(0)) });
  return Number(elapsed) / N;
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
    const host = { plain: Infinity, threads: Infinity };
    for (let round = 0; round < ROUNDS; round++) {
      host.plain = Math.min(host.plain, await throughHost(false, fd));
      host.threads = Math.min(host.threads, await throughHost(true, fd));
    }
    const direct = best['direct']!;
    console.log(`  direct (today: the guest's own thread)   ${direct.toFixed(0)} ns`);
    console.log(`  shared table (SharedArrayBuffer + lock)  ${best['shared']!.toFixed(0)} ns  ${(best['shared']! / direct).toFixed(2)}x`);
    console.log(`  sent to the owning thread and back       ${best['owner']!.toFixed(0)} ns  ${(best['owner']! / direct).toFixed(2)}x`);
    console.log(`the same write by a guest through the host's fd_write:`);
    console.log(`  a module without threads                 ${host.plain.toFixed(0)} ns`);
    console.log(`  a wasi-threads module                    ${host.threads.toFixed(0)} ns  ${(host.threads / host.plain).toFixed(2)}x`);
    const ratio = best['shared']! / direct;
    console.log(`shared fd table vs direct: ${ratio.toFixed(2)}x (goal ≤ ${GOAL.toFixed(2)}) ${ratio <= GOAL ? 'PASS' : 'MISS'}`);
    saveRun({
      bench: 'fd-threads',
      title: `One 64-byte write to /dev/null from a worker, best of ${ROUNDS} rounds of ${N}`,
      columns: { value: 'this way', against: 'direct write' },
      rows: [
        { name: 'shared fd table (SharedArrayBuffer + lock)', value: round(best['shared']!), unit: 'ns', against: round(direct), ratio: round(ratio), goal: `≤ ${GOAL}×`, verdict: ratio <= GOAL ? 'PASS' : 'MISS' },
        { name: 'sent to the owning thread and back', value: round(best['owner']!), unit: 'ns', against: round(direct), ratio: round(best['owner']! / direct) },
        { name: "host fd_write, wasi-threads module (vs a module without threads)", value: round(host.threads), unit: 'ns', against: round(host.plain), ratio: round(host.threads / host.plain) },
      ],
    });
  } finally {
    closeSync(fd);
  }
}

await main();
