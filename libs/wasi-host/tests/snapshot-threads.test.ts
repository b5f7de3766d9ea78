// A start-up snapshot of a wasi-threads module (src/snapshot/): made with the module as wasm-ld
// shapes it for a shared memory, restored into the module without the bytes of the segments its
// start function drops, and a thread spawned after the restore still gets its thread-locals from
// the TLS segment. The guest is a small WAT module with wasm-ld's start function: copy the passive
// segments once, guarded by a flag in memory, set the main thread's TLS base, drop the segments
// other than the TLS one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, jest, test } from '@jest/globals';
import { runWasi } from '../src/run-wasi.ts';
import { SnapshotError } from '../src/snapshot/image.ts';
import { withoutDataSegments } from '../src/snapshot/without-data.ts';
import { segmentsDroppedAtStart } from '../src/snapshot/start-drops.ts';
import { wat } from '../../../tools/testing/wat.ts';

/** Memory: [100] the data segment ("hello"), [200] what init wrote, [300] the thread's verdict,
 * [304] the thread's end, [1000] wasm-ld's init flag, [2000] the main thread's TLS block, [3000]
 * the spawned thread's. `_start` exits 0 when everything is as the init left it and the thread
 * found its thread-locals; else a code naming what was not. */
const moduleText = (startBody: string) => `(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "env" "memory" (memory 1 4 shared))
  (export "memory" (memory 0))
  (data $tdata "tls!")
  (data $data "hello")
  (global $tls_base (export "__preinit_global_0") (mut i32) (i32.const 0))
  (global $count (export "__preinit_global_1") (mut i32) (i32.const 0))
  (func $init_memory ${startBody})
  (start $init_memory)
  (func $init_tls (param $at i32)
    (global.set $tls_base (local.get $at))
    (memory.init $tdata (local.get $at) (i32.const 0) (i32.const 4)))
  (func (export "init")
    (i32.store (i32.const 200) (i32.const 42))
    (global.set $count (i32.const 7)))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (call $init_tls (local.get $arg))
    (i32.store (i32.const 300) (select (i32.const 0) (i32.const 20) (i32.eq (i32.load (global.get $tls_base)) (i32.const 0x21736c74))))
    (i32.atomic.store (i32.const 304) (i32.const 1))
    (drop (memory.atomic.notify (i32.const 304) (i32.const -1))))
  (func (export "_start")
    (if (i32.ne (global.get $tls_base) (i32.const 2000)) (then (call $exit (i32.const 10))))
    (if (i32.ne (i32.load (i32.const 2000)) (i32.const 0x21736c74)) (then (call $exit (i32.const 11))))
    (if (i32.ne (i32.load8_u (i32.const 100)) (i32.const 104)) (then (call $exit (i32.const 12))))
    (if (i32.ne (i32.load (i32.const 200)) (i32.const 42)) (then (call $exit (i32.const 13))))
    (if (i32.ne (global.get $count) (i32.const 7)) (then (call $exit (i32.const 14))))
    (if (i32.le_s (call $spawn (i32.const 3000)) (i32.const 0)) (then (call $exit (i32.const 15))))
    (block $done (loop $wait
      (br_if $done (i32.atomic.load (i32.const 304)))
      (drop (memory.atomic.wait32 (i32.const 304) (i32.const 0) (i64.const -1)))
      (br $wait)))
    (call $exit (i32.load (i32.const 300)))))`;

/** wasm-ld's start function for a shared memory, as it makes it. */
const WASM_LD_START = `
    (block $end
      (block $wait
        (block $init
          (br_table $init $wait $end (i32.atomic.rmw.cmpxchg (i32.const 1000) (i32.const 0) (i32.const 1))))
        (global.set $tls_base (i32.const 2000))
        (memory.init $tdata (i32.const 2000) (i32.const 0) (i32.const 4))
        (memory.init $data (i32.const 100) (i32.const 0) (i32.const 5))
        (i32.atomic.store (i32.const 1000) (i32.const 2))
        (drop (memory.atomic.notify (i32.const 1000) (i32.const -1)))
        (br $end))
      (drop (memory.atomic.wait32 (i32.const 1000) (i32.const 1) (i64.const -1))))
    (data.drop $data)`;

jest.setTimeout(60_000);
const dir = mkdtempSync(path.join(tmpdir(), 'pywasi-snapshot-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('start-up snapshots of a wasi-threads module', () => {
  test('restored into the module without the dropped segments, the main thread has its state and a new thread its thread-locals', async () => {
    const bytes = await wat(moduleText(WASM_LD_START), { threads: true });
    expect(segmentsDroppedAtStart(bytes)).toEqual(new Set([1]));
    // Started afresh, the init has not run.
    expect(await runWasi({ module: bytes })).toBe(13);

    const image = path.join(dir, 'threads.snapshot');
    expect(await runWasi({ module: bytes, snapshot: { capture: { initExport: 'init', image, key: 'k', memory: 'whole' } } })).toBe(0);
    const restoreModule = withoutDataSegments(bytes);
    expect(restoreModule.length).toBe(bytes.length - 'hello'.length);
    expect(Buffer.from(restoreModule).includes('tls!')).toBe(true);
    expect(await runWasi({ module: restoreModule, snapshot: { restore: image } })).toBe(0);
  });

  test('a start function this reader cannot follow keeps the module from being stripped, saying why', async () => {
    // A return before the drop: the drop may not happen.
    const early = await wat(moduleText(`(if (i32.load (i32.const 1000)) (then (return))) ${WASM_LD_START}`), { threads: true });
    expect(segmentsDroppedAtStart(early)).toBeNull();
    expect(() => withoutDataSegments(early)).toThrow(SnapshotError);
    expect(() => withoutDataSegments(early)).toThrow(/cannot tell which data segments the module needs after a restore/);
  });
});
