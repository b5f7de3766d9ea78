// What Ctrl-C as KeyboardInterrupt costs (issue: the terminal): `pywasi python` now always runs the
// guest in a worker (its thread must be free to hear SIGINT) and python.wasm asks the host for an
// interrupt every 1000 evaluation-breaker checks. Compared, taking turns, with a checkout built
// before it (-- --against DIR: a clone with dist/ built, whose scripts ran on the calling thread):
// `python -c pass` start-up (median), its peak RSS, and a pure-Python loop (best of the turns).
import { execa } from 'execa';
import { join } from 'node:path';
import { median, printTable, type Row } from './lib/report.ts';
import { node24, workspaceRoot } from './lib/pythons.ts';
import { sample } from './python-startup.ts';

const RUNS = Number(process.env['RUNS'] ?? 10);
const againstAt = process.argv.indexOf('--against');
const against = againstAt > 0 ? process.argv[againstAt + 1] : undefined;
if (!against) {
  console.error('usage: npx tsx bench/interrupt-cost.ts --against DIR   (DIR: a clone of an earlier commit with dist/ built)');
  process.exit(2);
}

const LOOP = 'import time\nt = time.perf_counter()\nn = 0\nfor i in range(3_000_000):\n    n += i % 7\nprint(round((time.perf_counter() - t) * 1000))';

/** `pywasi python -c code` of the checkout at `root`, on Node 24, under GNU time. */
const run = (root: string, code: string) => sample(node24, [join(root, 'apps/cli/bin/pywasi.js'), 'python', '-c', code], { PYWASI_NODE: 'current' });

const now = { start: [] as number[], rss: [] as number[], loop: [] as number[] };
const before = { start: [] as number[], rss: [] as number[], loop: [] as number[] };
await run(workspaceRoot, 'pass'); // warm-up: snapshots made, Node's compile cache filled
await run(against, 'pass');
for (let i = 0; i < RUNS; i++) {
  for (const [root, into] of [[workspaceRoot, now], [against, before]] as const) {
    const s = await run(root, 'pass');
    into.start.push(s.ms);
    into.rss.push(s.maxRssMiB);
    if (i < 5) into.loop.push(Number((await run(root, LOOP)).stdout));
  }
}
const rows: Row[] = [
  { name: '`python -c pass` start-up (median), now vs before', wasm: median(now.start), native: median(before.start), unit: 'ms' },
  { name: 'its peak RSS (median), now vs before', wasm: median(now.rss), native: median(before.rss), unit: 'MiB' },
  { name: 'a pure-Python loop, 3M iterations (best of 5), now vs before', wasm: Math.min(...now.loop), native: Math.min(...before.loop), unit: 'ms' },
];
const commit = (await execa('git', ['-C', against, 'rev-parse', '--short', 'HEAD'], { reject: false })).stdout || against;
printTable(`Ctrl-C as KeyboardInterrupt: this checkout against ${commit} (the "native" column), ${RUNS} turns`, rows, { bench: 'interrupt-cost', columns: { value: 'now', against: 'before' } });
