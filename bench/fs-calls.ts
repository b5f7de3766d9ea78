// The host's own cost per filesystem call, without Python: bench/fs/dir-calls.c (what os.walk
// asks per directory: lstat, opendir, a listing, open+close) compiled to wasm32-wasi and run by
// pywasi (`pywasi run`) and by plain node:wasi (uvwasi: no confinement, the floor), on the same
// Node, in turns; each figure the best of N runs of the best of 200 rounds.
//
//   npx tsx bench/fs-calls.ts [--runs N] [--save]        (npm run bench:fs-calls)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { compileCProgram } from '../tools/testing/c-program.ts';
import { node24, workspaceRoot } from './lib/pythons.ts';
import { printTable, type Row } from './lib/report.ts';

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
const ENTRIES = 92;

const work = mkdtempSync(join(tmpdir(), 'pywasi-fs-calls-'));
try {
  const tree = join(work, 'tree');
  for (let i = 0; i < 100; i++) {
    const dir = join(tree, `d${Math.floor(i / 10)}`, `s${i % 10}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < ENTRIES; f++) writeFileSync(join(dir, `f${f}`), '');
  }
  const wasm = await compileCProgram({ sources: [join(workspaceRoot, 'bench/fs/dir-calls.c')], packages: [] });
  const hosts = {
    pywasi: [node24, [join(workspaceRoot, 'apps/cli/bin/pywasi.js'), 'run', '--dir', work, '--', wasm, tree, '200']],
    'node:wasi': [node24, ['--disable-warning=ExperimentalWarning', join(workspaceRoot, 'tools/testing/run-wasi.mjs'), wasm, tree, 'dir-calls', '/out', '200']],
  } as const;
  type Figures = Record<string, number>;
  const best: Record<string, Figures> = {};
  for (let run = 0; run < RUNS; run++) {
    for (const [name, [cmd, args]] of run % 2 ? Object.entries(hosts).reverse() : Object.entries(hosts)) {
      const r = await execa(cmd, [...args], { env: { PYWASI_NODE: 'current' }, reject: false, all: true });
      if (r.exitCode !== 0) throw new Error(`${name}: exit ${r.exitCode}\n${r.all}`);
      const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as Figures;
      const b = (best[name] ??= { ...got });
      for (const [k, v] of Object.entries(got)) b[k] = Math.min(b[k] ?? v, v);
    }
  }
  const calls: [string, string][] = [['lstat', 'lstat'], ['opendir_closedir', 'opendir + closedir'], ['listing', `opendir + readdir (${ENTRIES} entries) + closedir`], ['open_close', 'open + close a file']];
  const rows: Row[] = calls.map(([key, label]) => ({ name: label, wasm: best['pywasi']![key]!, native: best['node:wasi']![key]!, unit: 'µs' }));
  console.log(`per call, best of ${RUNS} runs × 200 rounds of 100 directories; Node ${(await execa(node24, ['--version'])).stdout}; "wasm" = pywasi, "native" = plain node:wasi`);
  printTable('Filesystem calls per directory (what os.walk asks)', rows, { bench: 'fs-calls', columns: { value: 'pywasi', against: 'plain node:wasi' } });
} finally {
  rmSync(work, { recursive: true, force: true });
}
