// runWasi's `thread: 'caller'`: the guest runs on the calling thread, which it blocks; a worker
// serves sockets only once the guest asks for one (service-thread.ts); Ctrl-C ends the guest
// wherever it is; SIGTERM still ends the process, whose private /tmp the next run removes.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { createChannelBuffers, GuestChannel, ServerGoneError } from '../src/channel/channel.ts';
import { Ops } from '../src/channel/ops.ts';
import { runWasi, WasiTrapError } from '../src/index.ts';
import { ServiceThread } from '../src/service-thread.ts';
import { privateTmpHome } from '../src/fs/private-tmp.ts';
import { wat } from '../../../tools/testing/wat.ts';

const PRE = `
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)`;

const dir = mkdtempSync(path.join(tmpdir(), 'pywasi-caller-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a guest on the calling thread', () => {
  test('writes to its fds and exits with its code', async () => {
    const out = path.join(dir, 'out');
    const fd = openSync(out, 'w');
    try {
      const code = await runWasi({
        module: await wat(`(module ${PRE} (data (i32.const 100) "on the caller")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 13))
            (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (call $exit (i32.const 42))))`),
        thread: 'caller',
        stdin: 0,
        stdout: fd,
      });
      expect(code).toBe(42);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(out, 'utf8')).toBe('on the caller');
  });

  test('a trap rejects with WasiTrapError', async () => {
    const run = runWasi({ module: await wat(`(module ${PRE} (func (export "_start") unreachable))`), thread: 'caller', stdin: 0 });
    await expect(run).rejects.toBeInstanceOf(WasiTrapError);
    await expect(run).rejects.toThrow(/unreachable/);
  });

  test('what needs this thread free is refused up front, naming the way out', async () => {
    const module = await wat(`(module ${PRE} (func (export "_start")))`);
    await expect(runWasi({ module, thread: 'caller', stdout: () => {} })).rejects.toThrow("stdout and stderr must be fds; use thread: 'worker'");
    await expect(runWasi({ module, thread: 'caller', signal: new AbortController().signal })).rejects.toThrow('a signal cannot end it');
  });
});

describe('the thread serving its sockets', () => {
  test('that cannot start fails the guest request (ServerGoneError, EIO to the guest), not a hang', () => {
    const channel = createChannelBuffers();
    const service = new ServiceThread(
      { channel, net: 'loopback', mounts: [] },
      { bootstrap: new URL('../src/guest-bootstrap.mjs', import.meta.url), entry: new URL('./no-such-entry.js', import.meta.url).href },
    );
    try {
      expect(() => service.start()).toThrow(ServerGoneError);
      // The guest's later requests fail at once too (no second start, no wait on a reply).
      const guest = new GuestChannel(channel);
      expect(() => guest.call(Ops.localAddress, { fd: 3 })).toThrow(ServerGoneError);
    } finally {
      void service.close();
    }
  });
});

/** Runs fixtures/caller-run.ts `how` in a child; `signal` is sent once the guest said ready. */
function child(how: string, signal?: NodeJS.Signals, env: NodeJS.ProcessEnv = process.env): Promise<{ out: string; pid: number; code: number | null; signal: NodeJS.Signals | null }> {
  const p = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'caller-run.ts'), how], { stdio: ['ignore', 'pipe', 'inherit'], env });
  let out = '';
  p.stdout.on('data', (b: Buffer) => {
    const first = out === '';
    out += b.toString();
    if (first && signal && out.startsWith('ready')) p.kill(signal);
  });
  return new Promise((resolve) => p.on('exit', (code, sig) => resolve({ out, pid: p.pid!, code, signal: sig })));
}

describe('signals while the guest holds the thread', () => {
  test.each([['spinning', 'spin'], ['sleeping', 'sleep']])('Ctrl-C (SIGINT) ends a guest that is %s: WasiInterruptedError', async (_, how) => {
    const r = await child(how, 'SIGINT');
    expect(r.out).toBe(`ready ${r.pid}\ninterrupted SIGINT\n`);
    expect(r.code).toBe(0);
  }, 60_000);

  test('SIGTERM ends the process at once; the next run removes the private /tmp it left', async () => {
    const killed = await child('sleep', 'SIGTERM');
    expect(killed.signal).toBe('SIGTERM');
    const home = privateTmpHome();
    expect(home).not.toBeNull();
    const left = () => readdirSync(home!).filter((n) => n.startsWith(`tmp-${killed.pid}-`));
    expect(left()).toHaveLength(1);
    const next = await child('exit');
    expect(next.out).toBe(`ready ${next.pid}\nexit 5\n`);
    expect(left()).toEqual([]);
    expect(readdirSync(home!).filter((n) => n.startsWith(`tmp-${next.pid}-`))).toEqual([]);
  }, 60_000);
});

describe("the directory of this user's private /tmp directories", () => {
  test('is not used when something else holds its name in the temp dir (here a symlink): runs go beside it', async () => {
    const temp = mkdtempSync(path.join(dir, 'tmpdir-'));
    const elsewhere = mkdtempSync(path.join(dir, 'elsewhere-'));
    symlinkSync(elsewhere, path.join(temp, `pywasi-${process.getuid!()}`));
    // Killed mid-run, the run leaves its private /tmp where it made it.
    const r = await child('sleep', 'SIGTERM', { ...process.env, TMPDIR: temp });
    expect(r.signal).toBe('SIGTERM');
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(readdirSync(temp).filter((n) => n.startsWith('pywasi-tmp-'))).toHaveLength(1);
  }, 60_000);
});
