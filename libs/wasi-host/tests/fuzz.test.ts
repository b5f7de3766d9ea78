// Calls every sock_* import (and the socket-aware fd_*/poll_oneoff overrides) with random
// arguments — bad pointers, huge lengths, bad fds, real socket fds — thousands of times. Every call
// must return a WASI errno (< 100) and the host must survive.
import { describe, expect, test } from '@jest/globals';
import { runWasi } from '../src/index.ts';
import { wat } from '../../../tools/testing/wat.ts';

const TARGETS: [string, number][] = [
  ['sock_open', 3], ['sock_bind', 3], ['sock_connect', 3], ['sock_listen', 2], ['sock_accept', 3],
  ['sock_recv', 6], ['sock_send', 5], ['sock_recv_from', 8], ['sock_send_to', 7], ['sock_shutdown', 2],
  ['sock_getsockopt', 5], ['sock_setsockopt', 5], ['sock_getlocaladdr', 3], ['sock_getpeeraddr', 3],
  ['sock_getaddrinfo', 8], ['fd_fdstat_get', 2], ['fd_filestat_get', 2], ['fd_read', 4], ['fd_write', 4],
  ['fd_close', 1], ['fd_fdstat_set_flags', 2], ['poll_oneoff', 4],
];

function fuzzModule(iterations: number, seed: number): string {
  const imports = TARGETS.map(([name, n]) =>
    `(import "wasi_snapshot_preview1" "${name}" (func $${name} (param ${'i32 '.repeat(n)}) (result i32)))`).join('\n');
  // A random argument: small ints, in-memory pointers, any i32, or one of our socket fds.
  const calls = TARGETS.map(([name, n], idx) => {
    const args = Array.from({ length: n }, () => '(call $arg)').join(' ');
    let pre = '';
    if (name === 'sock_open') {
      // Open real sockets, made non-blocking at once so nothing can block the fuzz.
      return `(if (i32.eqz (call $sock_open (i32.rem_u (call $rand) (i32.const 4)) (i32.rem_u (call $rand) (i32.const 3)) (i32.const 16)))
          (then (drop (call $fd_fdstat_set_flags (i32.load (i32.const 16)) (i32.const 4)))))`;
    }
    if (name === 'fd_read' || name === 'fd_write' || name === 'fd_close' || name === 'fd_fdstat_set_flags') {
      // Only on socket fds: stdin must not block the test, stdout must not be closed.
      const rest = Array.from({ length: n - 1 }, () => '(call $arg)').join(' ');
      const extra = name === 'fd_fdstat_set_flags' ? '(i32.const 4)' : rest;
      return `(local.set $r (call $${name} (call $sockfd) ${extra}))
        (if (i32.ge_u (local.get $r) (i32.const 100)) (then (call $proc_exit (i32.const ${100 + idx}))))`;
    }
    if (name === 'poll_oneoff') {
      // Random subscription contents at fixed places; a second, 1 ms clock bounds the wait (an
      // fd subscription on an idle listener may rightly wait forever). Random pointers are
      // exercised with nsubs = 0 and with an out-of-memory subscription array.
      return `(call $poll_fds)
        (local.set $r (call $poll_oneoff (i32.const 40000) (i32.const 40200) (i32.const 2) (i32.const 40400)))
        (if (i32.ge_u (local.get $r) (i32.const 100)) (then (call $proc_exit (i32.const ${100 + idx}))))
        (local.set $r (call $poll_oneoff (call $arg) (call $arg) (i32.const 0) (call $arg)))
        (if (i32.ge_u (local.get $r) (i32.const 100)) (then (call $proc_exit (i32.const ${100 + idx}))))
        (local.set $r (call $poll_oneoff (i32.or (call $rand) (i32.const 0x10000)) (call $arg) (i32.const 1) (call $arg)))
        (if (i32.ge_u (local.get $r) (i32.const 100)) (then (call $proc_exit (i32.const ${100 + idx}))))`;
    }
    return `${pre}(local.set $r (call $${name} ${args}))
      (if (i32.ge_u (local.get $r) (i32.const 100)) (then (call $proc_exit (i32.const ${100 + idx}))))`;
  }).join('\n');
  return `(module
    ${imports}
    (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
    (memory (export "memory") 1)
    (global $seed (mut i32) (i32.const ${seed}))
    (func $rand (result i32)
      (global.set $seed (i32.xor (global.get $seed) (i32.shl (global.get $seed) (i32.const 13))))
      (global.set $seed (i32.xor (global.get $seed) (i32.shr_u (global.get $seed) (i32.const 17))))
      (global.set $seed (i32.xor (global.get $seed) (i32.shl (global.get $seed) (i32.const 5))))
      (global.get $seed))
    (func $sockfd (result i32) (i32.add (i32.const 256) (i32.rem_u (call $rand) (i32.const 8))))
    (func $arg (result i32) (local $k i32)
      (local.set $k (i32.rem_u (call $rand) (i32.const 6)))
      (if (result i32) (i32.eq (local.get $k) (i32.const 0)) (then (i32.rem_u (call $rand) (i32.const 16)))
        (else (if (result i32) (i32.eq (local.get $k) (i32.const 1)) (then (i32.rem_u (call $rand) (i32.const 65536)))
          (else (if (result i32) (i32.eq (local.get $k) (i32.const 2)) (then (call $rand))
            (else (if (result i32) (i32.eq (local.get $k) (i32.const 3)) (then (call $sockfd))
              (else (if (result i32) (i32.eq (local.get $k) (i32.const 4)) (then (i32.rem_u (call $rand) (i32.const 200)))
                (else (i32.sub (i32.const 65536) (i32.rem_u (call $rand) (i32.const 64))))))))))))))
    ;; Two subscriptions: a random one (tag 0..4, a socket fd or a clock of < 1 ms, random flags)
    ;; and a relative 1 ms monotonic clock.
    (func $poll_fds
      (i64.store (i32.const 40000) (i64.const 1))
      (i32.store8 (i32.const 40008) (i32.rem_u (call $rand) (i32.const 5)))
      (i32.store (i32.const 40016) (if (result i32) (i32.and (call $rand) (i32.const 1)) (then (call $sockfd)) (else (i32.rem_u (call $rand) (i32.const 5)))))
      (i64.store (i32.const 40024) (i64.extend_i32_u (i32.rem_u (call $rand) (i32.const 1000000))))
      (i32.store16 (i32.const 40040) (i32.const 0))
      (i64.store (i32.const 40048) (i64.const 2))
      (i32.store8 (i32.const 40056) (i32.const 0))
      (i32.store (i32.const 40064) (i32.const 1))
      (i64.store (i32.const 40072) (i64.const 1000000))
      (i32.store16 (i32.const 40088) (i32.const 0)))
    (func (export "_start") (local $i i32) (local $r i32)
      (loop $l
        ;; scribble random words over memory so structs read by the host are garbage
        (i32.store (i32.rem_u (call $rand) (i32.const 65532)) (call $rand))
        (i32.store (i32.and (call $rand) (i32.const 0x3ffc)) (call $rand))
        ${calls}
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${iterations}))))
      (call $proc_exit (i32.const 0))))`;
}

describe('fuzz: every socket import with random arguments', () => {
  // Runs under net 'none' (no DNS) and 'loopback' (real binds, listens and connects).
  test.each([
    ['none', 3000, 12345],
    ['loopback', 1500, 987654],
  ] as const)('net=%s, %i rounds', async (net, rounds, seed) => {
    const bytes = await wat(fuzzModule(rounds, seed));
    const code = await runWasi({ module: bytes, net, stdin: 0 });
    expect(code).toBe(0);
  }, 120_000);
});

export { TARGETS };
