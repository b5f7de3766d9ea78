// wasi-threads on the host (src/threads/): each spawned thread a worker over the run's shared
// memory; ids, the cap, proc_exit and traps from any thread, the memory's maximum, and a run's end
// (timeout, abort) stopping every thread. The guests are small WAT modules: threads that add to a
// counter in shared memory and wake the main thread, which waits with memory.atomic.wait32.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { runWasi, WasiInterruptedError, WasiLimitError, WasiModuleError, WasiTrapError } from '../src/run-wasi.ts';
import { Interrupter } from '../src/interrupts.ts';
import { WASM_PAGE } from '../src/memory-limit.ts';
import { wat } from '../../../tools/testing/wat.ts';

/** A wasi-threads module: `main` is `_start`'s body, `thread` `wasi_thread_start`'s ($tid, $arg).
 * Memory: [0] a counter, [4] how many threads finished, [8] the tids seen (a bit each), [12] a gate
 * threads may wait on, [16] the last thread-spawn result; [64..] scratch. */
const threadsModule = (main: string, thread: string, memory = '1 1') =>
  wat(
    `(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_open" (func $sock_open (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_connect" (func $sock_connect (param i32 i32 i32) (result i32)))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "env" "memory" (memory ${memory} shared))
  ;; Opens "d/<name at 512, 1 byte>" in the preopen for reading and writing (created, truncated);
  ;; the fd, or exits 98.
  (func $open (param $name i32) (result i32)
    (i32.store8 (i32.const 500) (i32.const 100)) (i32.store8 (i32.const 501) (i32.const 47)) (i32.store8 (i32.const 502) (local.get $name))
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 500) (i32.const 3) (i32.const 9) (i64.const 102) (i64.const 0) (i32.const 0) (i32.const 504))
      (then (call $exit (i32.const 98))))
    (i32.load (i32.const 504)))
  ;; Writes the 2 bytes of $text (little-endian: "ab" is 0x6261) to $fd; the errno.
  (func $write2 (param $fd i32) (param $text i32) (result i32) (local $at i32)
    (local.set $at (i32.add (i32.const 600) (i32.mul (local.get $fd) (i32.const 16))))
    (i32.store16 (i32.add (local.get $at) (i32.const 8)) (local.get $text))
    (i32.store (local.get $at) (i32.add (local.get $at) (i32.const 8))) (i32.store (i32.add (local.get $at) (i32.const 4)) (i32.const 2))
    (call $fd_write (local.get $fd) (local.get $at) (i32.const 1) (i32.add (local.get $at) (i32.const 12))))
  ;; A TCP socket connected to 127.0.0.1:$port, with $at..$at+16 as scratch; the fd, or exits 96
  ;; (sock_open failed) or 97 (connect failed).
  (func $connect (param $port i32) (param $at i32) (result i32)
    (if (call $sock_open (i32.const 1) (i32.const 2) (local.get $at)) (then (call $exit (i32.const 96))))
    (i32.store (i32.add (local.get $at) (i32.const 4)) (i32.const 0x0100007f))
    (i32.store (i32.add (local.get $at) (i32.const 8)) (i32.add (local.get $at) (i32.const 4)))
    (i32.store (i32.add (local.get $at) (i32.const 12)) (i32.const 4))
    (if (call $sock_connect (i32.load (local.get $at)) (i32.add (local.get $at) (i32.const 8)) (local.get $port)) (then (call $exit (i32.const 97))))
    (i32.load (local.get $at)))
  ;; Reads 2 bytes from $fd (iovec at 600 + 16 * fd, like $write2); they, or -errno.
  (func $read2 (param $fd i32) (result i32) (local $at i32) (local $err i32)
    (local.set $at (i32.add (i32.const 600) (i32.mul (local.get $fd) (i32.const 16))))
    (i32.store (local.get $at) (i32.add (local.get $at) (i32.const 8))) (i32.store (i32.add (local.get $at) (i32.const 4)) (i32.const 2))
    (local.set $err (call $fd_read (local.get $fd) (local.get $at) (i32.const 1) (i32.add (local.get $at) (i32.const 12))))
    (if (result i32) (local.get $err)
      (then (i32.sub (i32.const 0) (local.get $err)))
      (else (i32.load16_u (i32.add (local.get $at) (i32.const 8))))))
  ;; Sleeps $ms milliseconds (a relative MONOTONIC clock subscription at 256, main thread only).
  (func $sleep (param $ms i32)
    (i64.store (i32.const 256) (i64.const 1)) (i32.store8 (i32.const 264) (i32.const 0))
    (i32.store (i32.const 272) (i32.const 1)) (i64.store (i32.const 280) (i64.mul (i64.extend_i32_u (local.get $ms)) (i64.const 1000000)))
    (i64.store (i32.const 288) (i64.const 0)) (i32.store16 (i32.const 296) (i32.const 0))
    (drop (call $poll (i32.const 256) (i32.const 320) (i32.const 1) (i32.const 384))))
  (func $finished
    (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 4) (i32.const -1))))
  ;; Waits until [4] reaches $n.
  (func $wait_finished (param $n i32) (local $done i32)
    (block $out (loop $again
      (local.set $done (i32.atomic.load (i32.const 4)))
      (br_if $out (i32.ge_u (local.get $done) (local.get $n)))
      (drop (memory.atomic.wait32 (i32.const 4) (local.get $done) (i64.const -1)))
      (br $again))))
  ;; Waits forever (until the run ends it).
  (func $forever (loop $again (drop (memory.atomic.wait32 (i32.const 12) (i32.const 0) (i64.const -1))) (br $again)))
  ;; Spawns $n threads with args 1..n; exits 99 if one is refused.
  (func $spawn_n (param $n i32) (local $i i32)
    (loop $again
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.le_s (call $spawn (local.get $i)) (i32.const 0)) (then (call $exit (i32.const 99))))
      (br_if $again (i32.lt_u (local.get $i) (local.get $n)))))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32) ${thread})
  (func (export "_start") ${main}))`,
    { threads: true },
  );

// Each thread is a worker that loads the host from its TypeScript sources: ~0.5 s apiece here.
jest.setTimeout(60_000);

describe('wasi-threads', () => {
  test('spawned threads share the memory, with unique ids, and wake the main thread', async () => {
    const module = await threadsModule(
      `(call $spawn_n (i32.const 8)) (call $wait_finished (i32.const 8))
       ;; the sum of the args (36) if every tid 1..8 was seen exactly once, else 1
       (if (i32.ne (i32.atomic.load (i32.const 8)) (i32.const 0x1fe)) (then (call $exit (i32.const 1))))
       (call $exit (i32.atomic.load (i32.const 0)))`,
      `(drop (i32.atomic.rmw.add (i32.const 0) (local.get $arg)))
       (drop (i32.atomic.rmw.or (i32.const 8) (i32.shl (i32.const 1) (local.get $tid))))
       (call $finished)`,
    );
    expect(await runWasi({ module })).toBe(36);
  });

  test("what a thread writes reaches stdout before the run's promise settles", async () => {
    // Each thread writes "t\n" (iovec at 64 -> bytes at 72), then finishes; main exits 0 after all.
    const module = await threadsModule(
      `(i32.store (i32.const 64) (i32.const 72)) (i32.store (i32.const 68) (i32.const 2)) (i32.store16 (i32.const 72) (i32.const 0x0a74))
       (call $spawn_n (i32.const 4)) (call $wait_finished (i32.const 4)) (call $exit (i32.const 0))`,
      `(drop (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 128))) (call $finished)`,
    );
    let out = '';
    expect(await runWasi({ module, stdout: (b) => (out += Buffer.from(b).toString()) })).toBe(0);
    expect(out).toBe('t\n'.repeat(4));
  });

  test('past maxThreads running threads, thread-spawn fails and one line names the option', async () => {
    // Two threads wait on the gate; the third spawn's result goes to [16]; main exits 1 if it failed.
    const module = await threadsModule(
      `(call $spawn_n (i32.const 2))
       (i32.store (i32.const 16) (call $spawn (i32.const 3)))
       (drop (call $spawn (i32.const 4)))
       (call $exit (i32.lt_s (i32.load (i32.const 16)) (i32.const 0)))`,
      `(call $forever)`,
    );
    let err = '';
    expect(await runWasi({ module, maxThreads: 2, stderr: (b) => (err += Buffer.from(b).toString()) })).toBe(1);
    expect(err).toBe('pywasi: a thread was refused: 2 threads are running, the most this run allows (raise it with the maxThreads option, or --max-threads)\n');
    await expect(runWasi({ module, maxThreads: 0 })).rejects.toThrow(new RangeError('runWasi: maxThreads must be an integer from 1 to 4096, got 0'));
  });

  test('threads that ended leave their place under the cap', async () => {
    // Three threads one after another under a cap of one. A thread holds its place until its
    // worker's call returns, just after it signalled, so main retries a refused spawn after 1 ms
    // (as a program retries pthread_create on EAGAIN); it exits with the sum of the args. The
    // count lives in memory at 20, not in a local: Node 20's V8 (11.3) reads such a local back as
    // 0 after the timed memory.atomic.wait32 in this loop (reproduced without the host, with a
    // plain JS thread-spawn; Node 24 is right).
    const module = await threadsModule(
      `(loop $again
         (i32.store (i32.const 20) (i32.add (i32.load (i32.const 20)) (i32.const 1)))
         (loop $retry
           (if (i32.le_s (call $spawn (i32.load (i32.const 20))) (i32.const 0))
             (then (drop (memory.atomic.wait32 (i32.const 12) (i32.const 0) (i64.const 1000000))) (br $retry))))
         (call $wait_finished (i32.load (i32.const 20)))
         (br_if $again (i32.lt_u (i32.load (i32.const 20)) (i32.const 3))))
       (call $exit (i32.atomic.load (i32.const 0)))`,
      `(drop (i32.atomic.rmw.add (i32.const 0) (local.get $arg))) (call $finished)`,
    );
    expect(await runWasi({ module, maxThreads: 1, stderr: () => {} })).toBe(6);
  });

  test('proc_exit in any thread ends the whole run with its code', async () => {
    const module = await threadsModule(`(call $spawn_n (i32.const 3)) (call $forever)`, `(if (i32.eq (local.get $arg) (i32.const 2)) (then (call $exit (i32.const 7)))) (call $forever)`);
    expect(await runWasi({ module })).toBe(7);
  });

  test('a trap in a thread ends the run with an error naming the thread', async () => {
    const module = await threadsModule(`(call $spawn_n (i32.const 1)) (call $forever)`, `(unreachable)`);
    const error = await runWasi({ module }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WasiTrapError);
    expect((error as Error).message).toBe('thread 1: RuntimeError: unreachable');
  });

  test('a timeout, an abort or a second interrupt ends every thread', async () => {
    const module = await threadsModule(`(call $spawn_n (i32.const 3)) (call $forever)`, `(loop $spin (br $spin))`);
    await expect(runWasi({ module, timeoutMs: 300 })).rejects.toThrow(WasiLimitError);
    const abort = new AbortController();
    const run = runWasi({ module, signal: abort.signal });
    setTimeout(() => abort.abort(new Error('stop')), 300);
    await expect(run).rejects.toThrow('stop');
    // Nothing takes an interrupt here (no sched_yield): the second one ends the run.
    const interrupter = new Interrupter();
    const interrupted = runWasi({ module, interrupter });
    setTimeout(() => {
      expect(interrupter.interrupt()).toBe('delivered');
      expect(interrupter.interrupt()).toBe('ended');
    }, 300);
    await expect(interrupted).rejects.toThrow(WasiInterruptedError);
  });

  test('a blocking call in one thread does not stop the others', async () => {
    // Thread 1 sleeps for an hour in poll_oneoff (a relative MONOTONIC clock subscription at 256),
    // thread 2 blocks reading stdin (a pipe nobody writes to); thread 3 finishes, and main exits.
    const module = await threadsModule(
      `(i64.store (i32.const 256) (i64.const 1)) (i32.store8 (i32.const 264) (i32.const 0))
       (i32.store (i32.const 272) (i32.const 1)) (i64.store (i32.const 280) (i64.const 3600000000000))
       (i32.store (i32.const 64) (i32.const 96)) (i32.store (i32.const 68) (i32.const 16))
       (call $spawn_n (i32.const 3)) (call $wait_finished (i32.const 1)) (call $exit (i32.atomic.load (i32.const 0)))`,
      `(if (i32.eq (local.get $arg) (i32.const 1)) (then (drop (call $poll (i32.const 256) (i32.const 320) (i32.const 1) (i32.const 384)))))
       (if (i32.eq (local.get $arg) (i32.const 2)) (then (drop (call $fd_read (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
       (drop (i32.atomic.rmw.add (i32.const 0) (local.get $arg)))
       (call $finished)`,
    );
    // A FIFO this process holds open for writing, so a read waits for data that never comes.
    const dir = mkdtempSync(path.join(tmpdir(), 'threads-'));
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const stdin = openSync(fifo, constants.O_RDWR);
    try {
      expect(await runWasi({ module, stdin })).toBe(3);
    } finally {
      closeSync(stdin);
      rmSync(dir, { recursive: true });
    }
  });

  test('the shared memory gets the smaller maximum: the module\'s, or maxMemoryBytes', async () => {
    // main grows by 9 pages (to 10: allowed), then by 1 (refused); it exits 0 when both went so
    // (1 if the first was refused, 2 if the second was allowed).
    const grow = (memory: string) =>
      threadsModule(`(call $exit (i32.add (i32.ne (memory.grow (i32.const 9)) (i32.const 1)) (i32.mul (i32.const 2) (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))))`, '', memory);
    expect(await runWasi({ module: await grow('1 100'), maxMemoryBytes: 10 * WASM_PAGE })).toBe(0);
    expect(await runWasi({ module: await grow('1 10') })).toBe(0);
    expect(await runWasi({ module: await grow('1 100') })).toBe(2); // no limit but the module's
    await expect(runWasi({ module: await grow('20 100'), maxMemoryBytes: 10 * WASM_PAGE })).rejects.toThrow(
      new WasiModuleError('module needs 1.3 MiB of memory to start, more than the limit of 0.6 MiB (maxMemoryBytes)'),
    );
  });

  describe('one fd table for all threads', () => {
    let dir = '';
    beforeEach(() => void (dir = mkdtempSync(path.join(tmpdir(), 'threads-fd-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const run = (module: Uint8Array) => runWasi({ module, dirs: [{ host: dir, guest: '/d' }] });

    test("a file opened in one thread is written from another, at the position they share", async () => {
      // main writes "ab", the thread "cd" after it, main "ef" after that.
      const module = await threadsModule(
        `(local $fd i32) (local.set $fd (call $open (i32.const 102)))
         (drop (call $write2 (local.get $fd) (i32.const 0x6261)))
         (drop (call $spawn (local.get $fd))) (call $wait_finished (i32.const 1))
         (call $exit (call $write2 (local.get $fd) (i32.const 0x6665)))`,
        `(if (call $write2 (local.get $arg) (i32.const 0x6463)) (then (unreachable))) (call $finished)`,
      );
      expect(await run(module)).toBe(0);
      expect(readFileSync(path.join(dir, 'f'), 'utf8')).toBe('abcdef');
    });

    test('a file opened in a thread is used by main; a close in one thread is seen by all', async () => {
      // The thread opens "g", writes "12", and leaves its fd at [16]; main writes "34" to it (after
      // a while, in which the thread's worker has most likely exited: the file stays open), then
      // the thread (a second one) closes it, and main's next write fails: EBADF (8) is its exit code.
      const module = await threadsModule(
        `(call $spawn_n (i32.const 1)) (call $wait_finished (i32.const 1)) (call $sleep (i32.const 300))
         (if (call $write2 (i32.load (i32.const 16)) (i32.const 0x3433)) (then (call $exit (i32.const 97))))
         (drop (call $spawn (i32.const 2))) (call $wait_finished (i32.const 2))
         (call $exit (call $write2 (i32.load (i32.const 16)) (i32.const 0x3635)))`,
        `(if (i32.eq (local.get $arg) (i32.const 1))
           (then (i32.store (i32.const 16) (call $open (i32.const 103))) (drop (call $write2 (i32.load (i32.const 16)) (i32.const 0x3231))))
           (else (if (call $fd_close (i32.load (i32.const 16))) (then (unreachable)))))
         (call $finished)`,
      );
      expect(await run(module)).toBe(8);
      expect(readFileSync(path.join(dir, 'g'), 'utf8')).toBe('1234');
    });

    test('stdio is shared: a file put at fd 1 by main is where a thread\'s stdout goes', async () => {
      const module = await threadsModule(
        `(if (call $fd_renumber (call $open (i32.const 104)) (i32.const 1)) (then (call $exit (i32.const 97))))
         (call $spawn_n (i32.const 1)) (call $wait_finished (i32.const 1)) (call $exit (i32.const 0))`,
        `(if (call $write2 (i32.const 1) (i32.const 0x6b6f)) (then (unreachable))) (call $finished)`,
      );
      let out = '';
      expect(await runWasi({ module, dirs: [{ host: dir, guest: '/d' }], stdout: (b) => (out += Buffer.from(b)) })).toBe(0);
      expect(readFileSync(path.join(dir, 'h'), 'utf8')).toBe('ok');
      expect(out).toBe('');
    });
  });

  describe('one socket service for all threads', () => {
    /** A native server on loopback: what each connection received, in the order they came, and
     * which ended; `onConnection` and `onData` see each connection and chunk with its index. */
    let server: Server;
    let received: string[] = [];
    let closed: number[] = [];
    let conns: Socket[] = [];
    let onConnection: (i: number) => void = () => {};
    let onData: (i: number, text: string) => void = () => {};
    let port = 0;
    beforeEach(async () => {
      received = [];
      closed = [];
      conns = [];
      onConnection = () => {};
      onData = () => {};
      server = createServer((c) => {
        const i = conns.push(c) - 1;
        received[i] = '';
        onConnection(i);
        c.on('data', (b) => {
          received[i] += b.toString();
          onData(i, b.toString());
        });
        c.on('end', () => void closed.push(i));
        c.on('error', () => {});
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterEach(async () => {
      for (const c of conns) c.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    /** Resolves when connection `i` has ended (the run's end closes every socket it left open). */
    const ended = (i: number) => new Promise<void>((resolve) => (closed.includes(i) ? resolve() : conns[i]!.once('end', () => setImmediate(resolve))));
    // A run that waits forever (a host bug) ends with a WasiLimitError instead of a test timeout.
    const run = (module: Uint8Array) => runWasi({ module, timeoutMs: 40_000 });

    test("a socket main opened is used by a thread, and one a thread opened by main", async () => {
      // main connects (connection 0); thread 1 writes "ab" on it, then connects (connection 1) and
      // leaves its fd at [16]; main writes "cd" on that one.
      const module = await threadsModule(
        `(local $fd i32) (local.set $fd (call $connect (i32.const ${port}) (i32.const 64)))
         (drop (call $spawn (local.get $fd))) (call $wait_finished (i32.const 1))
         (call $exit (call $write2 (i32.load (i32.const 16)) (i32.const 0x6463)))`,
        `(if (call $write2 (local.get $arg) (i32.const 0x6261)) (then (unreachable)))
         (i32.store (i32.const 16) (call $connect (i32.const ${port}) (i32.const 128)))
         (call $finished)`,
      );
      expect(await run(module)).toBe(0);
      await ended(1);
      expect(received).toEqual(['ab', 'cd']);
    });

    test("threads blocked in recv on two sockets hold back no other thread's send", async () => {
      // main connects three times (connections 0, 1, 2: fds at [64], [80], [96]). Threads 1 and 2
      // each read one of the first two, and count themselves at [20] before they do; thread 3
      // waits for both, then writes "go" on the third. The server answers "x1" and "x2" on the
      // first two only when the third brought "go": a thread whose send waited behind the reads
      // would leave the run waiting until its time limit. Each reader adds what it read to [0].
      onData = (i, text) => {
        if (i === 2 && text === 'go') {
          conns[0]!.write('x1');
          conns[1]!.write('x2');
        }
      };
      const module = await threadsModule(
        `(i32.store (i32.const 200) (call $connect (i32.const ${port}) (i32.const 64)))
         (i32.store (i32.const 204) (call $connect (i32.const ${port}) (i32.const 80)))
         (i32.store (i32.const 208) (call $connect (i32.const ${port}) (i32.const 96)))
         (call $spawn_n (i32.const 3)) (call $wait_finished (i32.const 3))
         (call $exit (i32.ne (i32.atomic.load (i32.const 0)) (i32.const ${0x3178 + 0x3278})))`,
        `(local $n i32)
         (if (i32.lt_u (local.get $arg) (i32.const 3))
           (then
             (drop (i32.atomic.rmw.add (i32.const 20) (i32.const 1)))
             (drop (memory.atomic.notify (i32.const 20) (i32.const -1)))
             (drop (i32.atomic.rmw.add (i32.const 0) (call $read2 (i32.load (i32.add (i32.const 196) (i32.mul (local.get $arg) (i32.const 4))))))))
           (else
             (block $out (loop $again
               (local.set $n (i32.atomic.load (i32.const 20)))
               (br_if $out (i32.ge_u (local.get $n) (i32.const 2)))
               (drop (memory.atomic.wait32 (i32.const 20) (local.get $n) (i64.const -1)))
               (br $again)))
             (if (call $write2 (i32.load (i32.const 208)) (i32.const 0x6f67)) (then (unreachable)))))
         (call $finished)`,
      );
      expect(await run(module)).toBe(0);
      expect(received).toEqual(['', '', 'go']);
    });

    test('threads opening sockets at once each get an fd of their own', async () => {
      // 8 threads open 16 sockets each (fd_out at 1024 + 16 * arg) and set each fd's bit in a
      // bitmap at 2048; a failed sock_open exits with its errno. main exits with the bits set: 128
      // when every socket got an fd no other had (the fd free when a socket's open was sent may be
      // another thread's by the time the event loop has answered).
      const module = await threadsModule(
        `(call $spawn_n (i32.const 8)) (call $wait_finished (i32.const 8))
         (call $exit (i32.add (i32.add (i32.add (i32.popcnt (i32.load (i32.const 2048))) (i32.popcnt (i32.load (i32.const 2052))))
                                       (i32.add (i32.popcnt (i32.load (i32.const 2056))) (i32.popcnt (i32.load (i32.const 2060)))))
                              (i32.add (i32.popcnt (i32.load (i32.const 2064))) (i32.popcnt (i32.load (i32.const 2068))))))`,
        `(local $i i32) (local $err i32) (local $fd i32) (local $at i32)
         (local.set $at (i32.add (i32.const 1024) (i32.mul (local.get $arg) (i32.const 16))))
         (loop $again
           (local.set $err (call $sock_open (i32.const 1) (i32.const 2) (local.get $at)))
           (if (local.get $err) (then (call $exit (local.get $err))))
           (local.set $fd (i32.load (local.get $at)))
           (drop (i32.atomic.rmw.or (i32.add (i32.const 2048) (i32.shl (i32.shr_u (local.get $fd) (i32.const 5)) (i32.const 2)))
                                    (i32.shl (i32.const 1) (local.get $fd))))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br_if $again (i32.lt_u (local.get $i) (i32.const 16))))
         (call $finished)`,
      );
      expect(await run(module)).toBe(128);
    });

    test('a socket closed in another thread is closed for every thread, and its connection ends', async () => {
      // main connects and writes "ab"; the thread closes the fd, and main's next write on it fails:
      // EBADF (8) is its exit code. main connects again (the new socket may get the same fd): the
      // server answers "ok" on that connection once the first has ended (a close that never
      // reached the event loop would leave main waiting until the run's time limit).
      onConnection = (i) => {
        if (i !== 1) return;
        if (closed.includes(0)) conns[1]!.write('ok');
        else conns[0]!.once('end', () => conns[1]!.write('ok'));
      };
      const module = await threadsModule(
        `(local $fd i32) (local $err i32) (local.set $fd (call $connect (i32.const ${port}) (i32.const 64)))
         (if (call $write2 (local.get $fd) (i32.const 0x6261)) (then (call $exit (i32.const 95))))
         (drop (call $spawn (local.get $fd))) (call $wait_finished (i32.const 1))
         (local.set $err (call $write2 (local.get $fd) (i32.const 0x6463)))
         (if (i32.ne (call $read2 (call $connect (i32.const ${port}) (i32.const 80))) (i32.const 0x6b6f)) (then (call $exit (i32.const 94))))
         (call $exit (local.get $err))`,
        `(if (call $fd_close (local.get $arg)) (then (unreachable))) (call $finished)`,
      );
      expect(await run(module)).toBe(8);
      expect({ received, firstEnded: closed[0] }).toEqual({ received: ['ab', ''], firstEnded: 0 });
    });
  });

  test('a thread-spawning module cannot run on the calling thread', async () => {
    const module = await threadsModule(`(call $exit (i32.const 0))`, '');
    await expect(runWasi({ module, thread: 'caller' })).rejects.toThrow(/spawns threads \(wasi-threads\).*use thread: 'worker'/);
  });
});
