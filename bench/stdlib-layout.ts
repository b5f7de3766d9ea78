// What seeing the standard library as files costs against the zip (libs/python-api/src/stdlib-files.ts):
// `npx tsx bench/stdlib-layout.ts [--rounds N] [--save]`.
//
// The default build through `pywasi python` on the workspace's Node 24, from its start-up
// snapshots, the files layout (the default) and `--stdlib-zip` taking turns (the order swaps each
// round), ROUNDS times; a figure is the median of its runs.
//   start:   `python -c pass`, the whole process; goal: within 10% of the zip
//   imports: a script importing 40 standard-library modules the snapshot does not hold; goal:
//            within 10% of the zip
//   unpack:  the first run of an installation, which unpacks the zips into an empty cache (once);
//            and the size of the unpacked tree on disk
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { median, printTable, type Row } from './lib/report.ts';
import { benchArgs } from './lib/results.ts';
import { node24, requirePythonWasm, workspaceRoot } from './lib/pythons.ts';

const args = benchArgs();
const ROUNDS = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : process.env['ROUNDS'] ?? 7);
if (!Number.isInteger(ROUNDS) || ROUNDS < 5) throw new Error('--rounds must be an integer ≥ 5 (a median of at least five)');
const bin = join(workspaceRoot, 'node_modules/.bin/pywasi');
const LAYOUTS = { files: [], zip: ['--stdlib-zip'] } satisfies Record<string, string[]>;
type Layout = keyof typeof LAYOUTS;
const IMPORTS = [
  'argparse', 'asyncio', 'base64', 'calendar', 'csv', 'dataclasses', 'datetime', 'decimal', 'difflib', 'email.message',
  'email.parser', 'fractions', 'glob', 'gzip', 'hashlib', 'heapq', 'hmac', 'html.parser', 'http.client', 'http.server',
  'json', 'logging', 'pathlib', 'pickle', 'pprint', 'queue', 'random', 'shutil', 'socketserver', 'sqlite3',
  'statistics', 'string', 'tarfile', 'tempfile', 'textwrap', 'typing', 'unittest', 'urllib.request', 'uuid', 'zipfile',
];
const importScript = `import importlib\nfor name in ${JSON.stringify(IMPORTS)}: importlib.import_module(name)`;

// A cache of this bench's own: the first run below unpacks into it, and the user's stays as it is.
const cache = mkdtempSync(join(tmpdir(), 'pywasi-bench-stdlib-'));

async function run(layout: Layout, pythonArgs: string[]): Promise<number> {
  const started = performance.now();
  const r = await execa(node24, [bin, 'python', ...LAYOUTS[layout], ...pythonArgs], { reject: false, env: { PYWASI_CACHE_DIR: cache } });
  const ms = performance.now() - started;
  // Any line on stderr fails the run: one that could not use its snapshot says so there.
  if (r.exitCode !== 0 || r.stderr.trim()) throw new Error(`pywasi python ${[...LAYOUTS[layout], ...pythonArgs].join(' ')}: exit ${r.exitCode}\n${r.stderr.slice(-2000)}`);
  return ms;
}

function treeBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  return total;
}

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');

async function main(): Promise<void> {
  requirePythonWasm();
  const loadBefore = load();
  // The first run of each layout: the files one unpacks the zips, and each makes its snapshot.
  const firstFiles = await run('files', ['-c', 'pass']);
  const firstZip = await run('zip', ['-c', 'pass']);
  const unpacked = readdirSync(join(cache, 'stdlib')).map((d) => treeBytes(join(cache, 'stdlib', d)));

  const samples = { start: { files: [] as number[], zip: [] as number[] }, imports: { files: [] as number[], zip: [] as number[] } };
  for (let r = 0; r < ROUNDS; r++) {
    const order: Layout[] = r % 2 ? ['zip', 'files'] : ['files', 'zip'];
    for (const layout of order) samples.start[layout].push(await run(layout, ['-c', 'pass']));
    for (const layout of order) samples.imports[layout].push(await run(layout, ['-c', importScript]));
    process.stdout.write(`round ${r + 1}/${ROUNDS} done (load ${load()})\n`);
  }
  const loadAfter = load();
  rmSync(cache, { recursive: true, force: true });
  const rows: Row[] = [
    { name: 'start-up: python -c pass from the snapshot, wall', wasm: median(samples.start.files), native: median(samples.start.zip), unit: 'ms', goal: 1.1, goalOn: 'ratio' },
    { name: `imports: ${IMPORTS.length} standard-library modules the snapshot lacks, wall`, wasm: median(samples.imports.files), native: median(samples.imports.zip), unit: 'ms', goal: 1.1, goalOn: 'ratio' },
    { name: 'first run of an installation: unpack + snapshot (files) vs snapshot (zip), wall', wasm: firstFiles, native: firstZip, unit: 'ms' },
    { name: 'the unpacked standard library on disk, once per installation', wasm: unpacked.reduce((a, b) => a + b, 0) / 2 ** 20, unit: 'MiB' },
  ];
  console.log('columns: "wasm" is the files layout (the default), "native" the zip (--stdlib-zip)');
  printTable(`The standard library as files against the zip: median of ${ROUNDS} alternated runs (Node 24, default build)`, rows, {
    bench: 'stdlib-layout',
    columns: { value: 'files', against: 'zip' },
    note: `load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}`,
  });
}

await main();
