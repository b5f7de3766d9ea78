// The threads sysroot (`nx build wasi-libc -c threads`): a C program using POSIX and C11 threads
// (tests/threads.c), compiled against it with the toolchain's threads variant, is a wasi-threads
// module (shared memory imported, wasi.thread-spawn imported, wasi_thread_start exported) and
// runs on our host, each thread a worker over the same memory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { runNx, workspaceRoot } from '../../../tools/testing/nx.ts';
import { readToolchainManifest } from '../../../tools/src/lib/toolchain-manifest.ts';
import { runWasi } from '../../wasi-host/src/run-wasi.ts';

const sysroot = join(workspaceRoot, 'dist/libs/wasi-libc-threads/sysroot');
/** How many threads the "many" step starts (4 at a time): each is a worker, ~0.1 s to start here. */
const MANY = 24;

describe('wasi-libc threads sysroot', () => {
  let work: string;
  let wasm: string;

  beforeAll(async () => {
    const { seconds } = await runNx(['build', 'wasi-libc', '-c', 'threads']);
    console.log(`nx build wasi-libc -c threads: ${seconds.toFixed(1)} s (cold: all of wasi-libc with musl's thread sources; warm: a cache hit)`);
    work = mkdtempSync(join(tmpdir(), 'pywasi-threads-'));
    wasm = join(work, 'threads.wasm');
    const toolchain = readToolchainManifest(workspaceRoot, 'dist/toolchain-threads/llvm-wasm32.json');
    expect(toolchain.targetFlags).toContain('-matomics');
    await execa(toolchain.tools.clang, [
      '--target=wasm32-wasi', '-pthread', `--sysroot=${sysroot}`, ...(toolchain.targetFlags ?? []), '-std=c11', '-O2', '-Wall', '-Wextra', '-Werror',
      join(workspaceRoot, 'libs/wasi-libc/tests/threads.c'), '-o', wasm,
      '-Wl,--import-memory,--export-memory,--max-memory=4294967296',
    ]);
  }, 20 * 60_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('links into a wasi-threads module: shared memory and thread-spawn imported, wasi_thread_start exported', () => {
    const module = new WebAssembly.Module(readFileSync(wasm));
    const imports = WebAssembly.Module.imports(module);
    expect(imports.filter((i) => i.module !== 'wasi_snapshot_preview1')).toEqual([
      { module: 'env', name: 'memory', kind: 'memory' },
      { module: 'wasi', name: 'thread-spawn', kind: 'function' },
    ]);
    expect(WebAssembly.Module.exports(module)).toEqual(expect.arrayContaining([
      { name: '_start', kind: 'function' },
      { name: 'wasi_thread_start', kind: 'function' },
    ]));
    // The shared flag and the maximum are in the import's limits: byte 0x03 (shared, with a maximum).
    const bytes = readFileSync(wasm);
    const memoryImport = Buffer.concat([Buffer.from([3]), Buffer.from('env'), Buffer.from([6]), Buffer.from('memory'), Buffer.from([2, 3])]);
    expect(bytes.includes(memoryImport)).toBe(true);
  });

  it('runs on the host: mutexes, condition variables, __thread, join values, detached threads, keys, once, C11 threads', async () => {
    let out = '';
    let err = '';
    const code = await runWasi({
      module: readFileSync(wasm),
      args: ['threads', String(MANY)],
      stdout: (b) => (out += Buffer.from(b).toString()),
      stderr: (b) => (err += Buffer.from(b).toString()),
    });
    expect(err).toBe('');
    expect(out.trimEnd().split('\n')).toEqual([
      'mutex: 16 threads x 10000 increments = 160000',
      'cond: 1000 items through a 4-slot queue, 2 producers to 2 consumers, sum 499500',
      "tls: 8 threads each saw only their own __thread values and errno; main's kept",
      'join: the return values of 16 threads sum to 1240',
      `many: ${MANY} threads created and joined, 4 at a time`,
      'detached: 32 detached threads finished, one more detached while running',
      'keys: 8 threads each kept their own value; 8 destructor calls',
      'once: 8 threads, 1 call',
      'c11: thrd_join gave 42',
    ]);
    expect(code).toBe(0);
  }, 10 * 60_000);
});
