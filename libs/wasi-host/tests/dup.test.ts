// dup for every kind of fd, through wasi-libc's dup (its patch 0011) and the host's
// /dev/pywasi-dup: a C guest (fixtures/dup.c) on files, directories and stdio under pywasi, and
// the same module on WasmEdge, which has no such path: dup fails there with ENOTSUP. The fd
// table's own rules (shared entries, closing with the last fd, renumbering) are checked directly.
// Sockets are in libs/cpython/tests (os.dup, socket.fromfd, werkzeug's server).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { compileCProgram } from '../../../tools/testing/c-program.ts';
import { runNx } from '../../../tools/testing/nx.ts';
import { obtainWasmEdge } from '../../../tools/testing/wasmedge.ts';
import { Descriptor } from '../src/fd/descriptor.ts';
import { FdTable } from '../src/fd/fd-table.ts';
import { runWasi } from '../src/run-wasi.ts';

let wasm = '';
let dir = '';

beforeAll(async () => {
  await runNx(['build', 'wasi-libc']);
  wasm = await compileCProgram({ sources: [path.join(import.meta.dirname, 'fixtures', 'dup.c')], packages: [] });
  dir = mkdtempSync(path.join(tmpdir(), 'pywasi-dup-'));
}, 20 * 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('FdTable: an entry is an open file description', () => {
  class Fake extends Descriptor {
    readonly kind = 'device';
    filetype(): number {
      return 0;
    }
    filestat() {
      return { dev: 0n, ino: 0n, filetype: 0, nlink: 1n, size: 0n, atimNs: 0n, mtimNs: 0n, ctimNs: 0n };
    }
  }
  const entry = (): Descriptor => new Fake(0n, 0n);

  test('dup shares the entry at the lowest free fd not below the minimum; the last fd closed releases it', () => {
    const fds = new FdTable();
    const e = entry();
    expect(fds.add(e)).toBe(0);
    expect(fds.add(entry())).toBe(1);
    expect(fds.dup(0, 0)).toBe(2);
    expect(fds.dup(0, 10)).toBe(10);
    expect(fds.get(10)).toBe(e);
    expect(fds.delete(0)).toBeNull();
    expect(fds.delete(2)).toBeNull();
    expect(fds.delete(10)).toBe(e);
    expect([...fds].map(([fd]) => fd)).toEqual([1]);
  });

  test('a limit: fd numbers stay below it (EMFILE past it, as ulimit -n)', () => {
    const fds = new FdTable(3);
    expect([fds.add(entry()), fds.add(entry()), fds.add(entry()), fds.add(entry())]).toEqual([0, 1, 2, -1]);
    expect(fds.dup(0, 0)).toBe(-1);
    fds.delete(1);
    expect(fds.dup(0, 0)).toBe(1);
  });

  test('move keeps the sharing; every entry is listed once', () => {
    const fds = new FdTable();
    const e = entry();
    fds.add(e);
    fds.dup(0, 5);
    fds.move(5, 7);
    expect(fds.get(5)).toBeUndefined();
    expect(fds.get(7)).toBe(e);
    expect([...fds]).toHaveLength(1);
    expect(fds.delete(0)).toBeNull();
    expect(fds.delete(7)).toBe(e);
  });
});

describe('dup in a C guest', () => {
  test('files, directories and stdio under pywasi: one open file description, POSIX dup2 and F_DUPFD', async () => {
    let out = '';
    const code = await runWasi({ module: wasm, args: ['dup', '/w'], dirs: [{ guest: '/w', host: dir }], stdin: 0, stdout: (b) => void (out += Buffer.from(b).toString()), stderr: 2, thread: 'worker' });
    expect(out).toContain('through a duplicate of stdout\n');
    expect(out).toContain('stderr now goes to stdout\n');
    expect(out).toContain('failures: 0');
    expect(code).toBe(0);
    // dup2 onto g.txt's fd made later writes land in f.txt; g.txt stayed as created.
    expect(readFileSync(path.join(dir, 'f.txt'), 'utf8')).toBe('hello world');
    expect(readFileSync(path.join(dir, 'g.txt'), 'utf8')).toBe('');
  }, 60_000);

  test('the same module on WasmEdge, which has no dup: ENOTSUP, and the module loads', async () => {
    const edge = await obtainWasmEdge();
    const run = await execa(edge.command, [...edge.args, wasm, 'unsupported'], { reject: false });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('failures: 0');
    expect(run.exitCode).toBe(0);
  }, 10 * 60_000);
});
