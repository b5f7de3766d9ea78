// Confinement under races: while a peer keeps swapping a directory of the mount for a symlink to
// the outside and back (another guest on the same mount, or a host process), a C guest reads or
// creates through that directory as fast as it can. Each case runs twice in the same budget: with
// the host's resolver, which must never reach the outside, and with the check-then-use control
// (fixtures/race/check-then-use.ts, the resolution pywasi had before), which must: a test whose
// control never escapes races too slowly to prove anything.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { compileCProgram } from '../../../tools/testing/c-program.ts';
import { runNx } from '../../../tools/testing/nx.ts';
import { FdTable } from '../src/fd/fd-table.ts';
import { MountTable, type MountSpec } from '../src/fs/mounts.ts';
import { PathResolver } from '../src/fs/resolve.ts';
import { closeAllFiles, createWasiFs } from '../src/fs/wasi-fs.ts';
import { GuestMemory } from '../src/abi/guest-memory.ts';
import { guardAll } from '../src/host-call.ts';
import { runWasi } from '../src/run-wasi.ts';
import { createProcessImports, ProcExit } from '../src/wasi-process.ts';
import { CheckThenUseResolver } from './fixtures/race/check-then-use.ts';
import { InterruptFlag } from '../src/interrupts.ts';

/** Attempts per run: the floor. */
const ATTEMPTS = 100_000;
const fixtures = path.join(import.meta.dirname, 'fixtures', 'race');

let module: WebAssembly.Module;
let wasmPath = '';
let T = '';

type Resolution = 'handles' | 'control';

/** The racer guest on this thread with the given resolution, its file system made now (so its
 * mount roots are opened before any swapping starts); `run` runs it and returns its JSON line. */
function guestHere(resolution: Resolution, mounts: MountSpec[]): { run: (args: string[]) => Record<string, number> } {
  let memory: WebAssembly.Memory | undefined;
  const mem = new GuestMemory(() => memory!);
  const fds = new FdTable();
  const table = new MountTable(mounts);
  let out = '';
  const interrupts = new InterruptFlag();
  const files = createWasiFs({
    memory: mem,
    mounts: table,
    fds,
    stdio: [0, { sink: (b) => (out += Buffer.from(b).toString()) }, 2],
    interrupts,
    resolver: resolution === 'handles' ? new PathResolver(table) : new CheckThenUseResolver(table),
  });
  return {
    run(args) {
      const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: guardAll({ ...createProcessImports(mem, ['racer', ...args], {}, interrupts), ...files }) });
      memory = instance.exports.memory as WebAssembly.Memory;
      let code = 0;
      try {
        (instance.exports._start as () => void)();
      } catch (e) {
        if (!(e instanceof ProcExit)) throw e;
        code = e.code;
      } finally {
        closeAllFiles(fds);
      }
      expect(code).toBe(0);
      return JSON.parse(out.trim()) as Record<string, number>;
    },
  };
}

const runHere = (resolution: Resolution, args: string[], mounts: MountSpec[]) => guestHere(resolution, mounts).run(args);

/** A fresh scene: mount M (the guest's /m) with d/x.txt ("inside"), outside O with x.txt ("outside"), M/evil,
 * a symlink to O, ready to trade places with M/d, and /ctl, where the guests say they are done. */
function scene(name: string): { M: string; O: string; mounts: MountSpec[] } {
  const base = path.join(T, name);
  const M = path.join(base, 'm');
  const O = path.join(base, 'outside');
  const ctl = path.join(base, 'ctl');
  for (const d of [path.join(M, 'd'), O, ctl]) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(M, 'd', 'x.txt'), 'inside');
  writeFileSync(path.join(O, 'x.txt'), 'outside');
  symlinkSync(O, path.join(M, 'evil'));
  return { M, O, mounts: [{ guest: '/m', host: M }, { guest: '/ctl', host: ctl }] };
}

/** Runs `race` (a guest, on this thread, that creates /ctl/stop when done) while a second pywasi
 * guest, in its own worker, swaps /m/d and /m/evil on the same mounts until /ctl/stop exists. */
async function whileGuestSwaps<T>(mounts: MountSpec[], race: () => T): Promise<T> {
  const swapping = runWasi({ module: wasmPath, args: ['racer', 'swap', '/m/d', '/m/evil', '/m/tmp', '/ctl/stop'], dirs: mounts, stdout: 2, stdin: 0, privateTmp: false });
  await new Promise((r) => setTimeout(r, 300));
  const got = race();
  expect(await swapping).toBe(0);
  return got;
}

/** Runs `race` (a guest, on this thread) while a host process swaps `triples`; the swapper is
 * running before `race` starts and gone when this resolves. */
async function whileHostSwaps<T>(triples: string[][], race: () => T): Promise<T> {
  const child = spawn(process.execPath, [path.join(fixtures, 'host-swapper.mjs'), ...triples.flat()], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve());
  });
  try {
    return race();
  } finally {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }
}

/** Files the guest managed to create outside (a create escape). */
const createdIn = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('c-'));

beforeAll(async () => {
  await runNx(['build', 'wasi-libc']);
  wasmPath = await compileCProgram({ sources: [path.join(fixtures, 'racer.c')], packages: [] });
  module = new WebAssembly.Module(readFileSync(wasmPath));
  T = realpathSync(mkdtempSync(path.join(tmpdir(), 'pywasi-race-')));
}, 20 * 60_000);

afterAll(() => {
  if (T) rmSync(T, { recursive: true, force: true });
});

describe.each(['handles', 'control'] as const)('resolution: %s', (resolution) => {
  const escapes = resolution === 'control';
  /** What the guest's results must show: no escape, or (control) at least one. */
  const check = (outside: number) => {
    console.log(`${expect.getState().currentTestName}: ${outside} escapes in ${ATTEMPTS} attempts`);
    if (escapes) expect(outside).toBeGreaterThan(0);
    else expect(outside).toBe(0);
  };

  test('two guests on one mount: one swaps d and a symlink to outside, the other reads d/x.txt', async () => {
    const { mounts } = scene(`guests-read-${resolution}`);
    const got = await whileGuestSwaps(mounts, () => runHere(resolution, ['read', '/m/d/x.txt', String(ATTEMPTS), '/ctl/stop'], mounts));
    expect(got['inside']).toBeGreaterThan(0);
    check(got['outside']!);
  }, 120_000);

  test('two guests on one mount: one swaps, the other creates files in d', async () => {
    const { O, mounts } = scene(`guests-create-${resolution}`);
    const got = await whileGuestSwaps(mounts, () => runHere(resolution, ['create', '/m/d', String(ATTEMPTS), '/ctl/stop'], mounts));
    expect(got['created']).toBeGreaterThan(0);
    check(createdIn(O).length);
  }, 120_000);

  test('a host process swaps a directory under a running guest', async () => {
    const { M, mounts } = scene(`host-${resolution}`);
    const got = await whileHostSwaps([[path.join(M, 'd'), path.join(M, 'evil'), path.join(M, 'tmp')]], () =>
      runHere(resolution, ['read', '/m/d/x.txt', String(ATTEMPTS), '/ctl/stop'], mounts),
    );
    check(got['outside']!);
  }, 120_000);

  test('swaps at every depth of a nested path', async () => {
    const { M, O, mounts } = scene(`depth-${resolution}`);
    // m/a/b/c/x.txt inside, outside/a/b/c/x.txt outside; at each depth a symlink to the outside
    // twin of that directory trades places with it.
    const names = ['a', 'b', 'c'];
    mkdirSync(path.join(M, ...names), { recursive: true });
    mkdirSync(path.join(O, ...names), { recursive: true });
    writeFileSync(path.join(M, ...names, 'x.txt'), 'inside');
    writeFileSync(path.join(O, ...names, 'x.txt'), 'outside');
    const triples = names.map((name, i) => {
      const parent = path.join(M, ...names.slice(0, i));
      symlinkSync(path.join(O, ...names.slice(0, i + 1)), path.join(parent, `${name}-evil`));
      return [path.join(parent, name), path.join(parent, `${name}-evil`), path.join(parent, `${name}-tmp`)];
    });
    const got = await whileHostSwaps(triples, () =>
      runHere(resolution, ['read', '/m/a/b/c/x.txt', String(ATTEMPTS), '/ctl/stop'], mounts),
    );
    check(got['outside']!);
  }, 120_000);

  test("a mount's own root is replaced by a symlink to outside and back", async () => {
    const { M, O, mounts } = scene(`root-${resolution}`);
    writeFileSync(path.join(M, 'x.txt'), 'inside');
    const link = path.join(T, `root-${resolution}`, 'm-evil');
    symlinkSync(O, link);
    // The guest's file system (its mount roots) is made before the swapping starts.
    const guest = guestHere(resolution, mounts);
    const got = await whileHostSwaps([[M, link, `${M}-tmp`]], () => guest.run(['read', '/m/x.txt', String(ATTEMPTS), '/ctl/stop']));
    check(got['outside']!);
  }, 120_000);
});
