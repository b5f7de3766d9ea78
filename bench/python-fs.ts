// Filesystem cost of the host: `npm run bench:fs [-- --quick] [--base <ref>] [--previous <ref>]
// [--rounds N] [--only W,...] [--save]`.
//
// Four Pythons run the same workload script (bench/python/fs/fs_workloads.py), timed inside the
// interpreter: native CPython 3.11; pywasi on node:wasi (`--base`: by default the parent of the
// commit that added the host's own file system); pywasi at `--previous` (by default the parent of
// the commit that made path resolution race-free: the host that trusted a checked path in later
// calls); and pywasi at the working tree ("after"). The older ones are checked out in temporary git
// worktrees and run the same python.wasm. The goal: the confined, race-free host costs at most 25%
// over node:wasi on each workload. Each figure is the best of N runs, the Pythons taking turns in a
// rotating order so that a noisy neighbour slows all of them rather than one.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { nativePython, workspaceRoot } from './lib/pythons.ts';
import { round, saveRun, type ResultRow } from './lib/results.ts';

const WASI_FS = 'libs/wasi-host/src/fs/wasi-fs.ts';
/** Added by the commit that made resolution race-free (directory handles). */
const DIR_HANDLE = 'libs/wasi-host/src/fs/dir-handle.ts';
const GOAL = 1.25;
const DEBIAN_PYTHON = '/usr/bin/python3.11';
const MARK = 65536; // big.bin carries its block index at every MARK bytes (checked by the script)
const script = join(workspaceRoot, 'bench/python/fs/fs_workloads.py');
const distDir = process.env['PYWASI_PYTHON_DIR'] || join(workspaceRoot, 'dist/python');

interface Options {
  quick: boolean;
  base?: string;
  previous?: string;
  rounds: number;
  /** Only these workloads (--only walk,read). */
  only?: string[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, rounds: Number(process.env['REPEAT'] ?? 5) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') options.quick = true;
    else if (arg === '--base' && argv[i + 1]) options.base = argv[++i];
    else if (arg === '--previous' && argv[i + 1]) options.previous = argv[++i];
    else if (arg === '--rounds' && argv[i + 1]) options.rounds = Number(argv[++i]);
    else if (arg === '--only' && argv[i + 1]) options.only = argv[++i]!.split(',');
    else if (arg === '--save') continue; // lib/results.ts reads it
    else throw new Error(`unknown argument ${arg} (usage: python-fs.ts [--quick] [--base <ref>] [--previous <ref>] [--rounds N] [--only files,walk,read] [--save])`);
  }
  if (!Number.isInteger(options.rounds) || options.rounds < 3) throw new Error('--rounds must be an integer ≥ 3');
  return options;
}

function git(args: string[], cwd = workspaceRoot): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A commit to compare with: `explicit`, else the parent of the first commit that added `file`
 * (HEAD when none did). */
function resolveCommit(flag: string, explicit: string | undefined, file: string): { commit: string; describe: string } {
  const commitOf = (ref: string) => git(['rev-parse', '--verify', `${ref}^{commit}`]);
  if (explicit) return { commit: commitOf(explicit), describe: `${flag} ${explicit}` };
  const adding = git(['log', '--reverse', '--diff-filter=A', '--format=%H', '--', file]).split('\n')[0];
  if (adding) return { commit: commitOf(`${adding}^`), describe: `parent of ${adding.slice(0, 10)}, which added ${file}` };
  return { commit: commitOf('HEAD'), describe: `HEAD: no commit adds ${file} yet` };
}

// --- the "before" tree -----------------------------------------------------------------------

const inside = (path: string, dir: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** Links one node_modules entry. A workspace package (a relative link back into the repository,
 * e.g. @pywasi/host -> ../../libs/wasi-host) gets the same relative link, so that it lands
 * on the worktree's copy: linking it to the main tree would run the new host as the "before". */
function linkEntry(src: string, dest: string, root: string): void {
  if (lstatSync(src).isSymbolicLink()) {
    const target = readlinkSync(src);
    const to = resolve(dirname(src), target);
    if (!isAbsolute(target) && inside(to, root) && !to.split('/').includes('node_modules')) {
      symlinkSync(target, dest);
      return;
    }
  }
  symlinkSync(src, dest);
}

/** A node_modules for the worktree made of links into the workspace's own. */
function linkNodeModules(from: string, to: string, root: string): void {
  mkdirSync(to);
  for (const name of readdirSync(from)) {
    if (name === '.bin') continue; // its links lead into the main tree's packages; nothing here uses it
    if (name.startsWith('@')) {
      mkdirSync(join(to, name));
      for (const child of readdirSync(join(from, name))) linkEntry(join(from, name, child), join(to, name, child), root);
    } else {
      linkEntry(join(from, name), join(to, name), root);
    }
  }
}

interface Worktree {
  dir: string;
  remove(): void;
}

function addWorktree(commit: string): Worktree {
  const parent = mkdtempSync(join(tmpdir(), 'pywasi-bench-before-'));
  const dir = join(parent, 'tree');
  let added = false;
  const remove = () => {
    if (added) {
      try {
        git(['worktree', 'remove', '--force', dir]);
      } catch {
        git(['worktree', 'prune']); // the directory goes below; forget its registration
      }
    }
    rmSync(parent, { recursive: true, force: true });
  };
  try {
    git(['worktree', 'add', '--detach', dir, commit]);
    added = true;
    linkNodeModules(join(workspaceRoot, 'node_modules'), join(dir, 'node_modules'), workspaceRoot);
    const workspaces = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { workspaces?: string[] }).workspaces ?? [];
    for (const pkg of workspaces) {
      const own = join(workspaceRoot, pkg, 'node_modules');
      if (existsSync(own) && existsSync(join(dir, pkg))) linkNodeModules(own, join(dir, pkg, 'node_modules'), workspaceRoot);
    }
    // The worktree's own workspace packages, under the names its package.json files give them
    // (a package may have been renamed since): links into the worktree, never the main tree.
    rmSync(join(dir, 'node_modules/@pywasi'), { recursive: true, force: true }); // the main tree's links
    for (const pkg of workspaces) {
      const manifest = join(dir, pkg, 'package.json');
      if (!existsSync(manifest)) continue;
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name;
      const link = join(dir, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      rmSync(link, { force: true }); // a relative link linkNodeModules made already
      symlinkSync(relative(dirname(link), join(dir, pkg)), link);
      if (!inside(realpathSync(link), dir)) throw new Error(`worktree package ${name} resolves to ${realpathSync(link)}, outside the worktree`);
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}

// --- data made beforehand, outside the timed part ---------------------------------------------

interface Sizes {
  files: number;
  fileSize: number;
  treeEntries: number;
  readBytes: number;
  chunk: number;
}

const FULL: Sizes = { files: 5000, fileSize: 100, treeEntries: 10_000, readBytes: 100 * 2 ** 20, chunk: 2 ** 20 };
const QUICK: Sizes = { files: 500, fileSize: 100, treeEntries: 1000, readBytes: 16 * 2 ** 20, chunk: 2 ** 20 };

/** tree/: 10 directories of 10 directories each, the remaining entries spread as files over all
 * of them (most in the leaves). Returns what os.walk must count. */
function makeTree(root: string, entries: number): { dirs: number; files: number } {
  const top = 10;
  const sub = 10;
  const dirs = top + top * sub;
  const files = entries - dirs;
  const perLeaf = Math.floor(files / (top * sub));
  let extra = files - perLeaf * top * sub; // spread over the top-level directories
  const content = 'x'.repeat(32);
  for (let t = 0; t < top; t++) {
    const topDir = join(root, `d${t}`);
    mkdirSync(topDir, { recursive: true });
    const here = Math.ceil(extra / (top - t));
    for (let f = 0; f < here; f++) writeFileSync(join(topDir, `f${f}.txt`), content);
    extra -= here;
    for (let s = 0; s < sub; s++) {
      const leaf = join(topDir, `s${s}`);
      mkdirSync(leaf);
      for (let f = 0; f < perLeaf; f++) writeFileSync(join(leaf, `f${f}.txt`), content);
    }
  }
  return { dirs, files };
}

function makeBigFile(path: string, bytes: number): void {
  const data = Buffer.alloc(bytes, 0xa5);
  for (let offset = 0; offset + 4 <= bytes; offset += MARK) data.writeUInt32LE(offset / MARK, offset);
  writeFileSync(path, data);
}

// --- running -------------------------------------------------------------------------------

/** native; node:wasi (--base); the racy host (--previous); the working tree. */
type PythonName = 'native' | 'node:wasi' | 'previous' | 'after';

interface Python {
  name: PythonName;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

interface Result {
  workload: string;
  seconds: number;
  phases: Record<string, number>;
  checks: Record<string, number>;
  /** The files workload's first pass in the process: the same phases, the host's code not yet optimised. */
  first?: Record<string, number>;
}

interface Workload {
  name: string;
  title: string;
  params: string[];
  /** Check values the script must report; anything else in `checks` is information. */
  expect: Record<string, number>;
}

/** size and mtime of what the pywasi runs load: a build replacing them mid-run would mix two builds
 * into one comparison (or break a run half-way through reading the zip). */
const distFiles = ['python.wasm', 'python-resumable.wasm', 'usr/local/lib/python311.zip'].map((f) => join(distDir, f));
const distStamp = () => distFiles.map((f) => (existsSync(f) ? `${statSync(f).size}:${statSync(f).mtimeMs}` : '-')).join(' ');
let distAtStart = '';

async function runOnce(python: Python, workload: Workload, workdir: string): Promise<Result> {
  // cwd = the work dir: `pywasi python` shows the host cwd to the guest at the same path.
  const run = await execa(python.command, [...python.args, script, workdir, workload.name, ...workload.params], {
    cwd: workdir,
    env: python.env,
    reject: false,
  });
  if (distStamp() !== distAtStart) throw new Error(`${distDir} changed during the run (a build?): run the benchmark again once it is done`);
  if (run.exitCode !== 0) {
    // The head says what failed (a Node error's message), the tail where (a traceback's last lines).
    const lines = run.stderr.split('\n');
    const shown = lines.length > 20 ? [...lines.slice(0, 5), '    ...', ...lines.slice(-12)] : lines;
    throw new Error(`${workload.name} on ${python.name} failed (exit ${run.exitCode}):\n${shown.join('\n')}`);
  }
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  let result: Result;
  try {
    result = JSON.parse(line) as Result;
  } catch {
    throw new Error(`${workload.name} on ${python.name} printed no result: ${run.stdout.slice(-500)}`);
  }
  for (const [key, want] of Object.entries(workload.expect)) {
    if (result.checks[key] !== want) {
      throw new Error(`${workload.name} on ${python.name}: ${key} = ${result.checks[key]}, expected ${want} (${JSON.stringify(result.checks)})`);
    }
  }
  return result;
}

interface Best {
  seconds: number;
  phases: Record<string, number>;
  checks: Record<string, number>;
  first?: Record<string, number>;
}

/** Each key's smallest value over both records. */
function minByKey(a: Record<string, number>, b: Record<string, number> | undefined): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) out[k] = Math.min(v, out[k] ?? Infinity);
  return out;
}

/** Best of `rounds` runs per Python; the order of the three rotates every round. */
async function measure(pythons: Python[], workload: Workload, workdir: string, rounds: number): Promise<Map<string, Best>> {
  const best = new Map<string, Best>();
  for (let round = 0; round < rounds; round++) {
    const order = pythons.map((_, i) => pythons[(i + round) % pythons.length]!);
    for (const python of order) {
      const r = await runOnce(python, workload, workdir);
      const prev = best.get(python.name);
      best.set(python.name, {
        seconds: Math.min(r.seconds, prev?.seconds ?? Infinity),
        phases: minByKey(r.phases, prev?.phases),
        checks: r.checks,
        ...(r.first ? { first: minByKey(r.first, prev?.first) } : {}),
      });
    }
  }
  return best;
}

// --- output --------------------------------------------------------------------------------

const secs = (s: number) => (s >= 10 ? s.toFixed(2) : s >= 1 ? s.toFixed(3) : s.toFixed(4));

type Row = { name: string } & Record<PythonName, number>;

function printTable(title: string, rows: Row[]): void {
  const lines = [
    ['', 'native s', 'node:wasi s', 'previous s', 'after s', 'after/native', 'after/node:wasi', 'after/previous'],
    ...rows.map((r) => [
      r.name, secs(r.native), secs(r['node:wasi']), secs(r.previous), secs(r.after),
      `${(r.after / r.native).toFixed(2)}×`, `${(r.after / r['node:wasi']).toFixed(3)}×`, `${(r.after / r.previous).toFixed(3)}×`,
    ]),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  console.log(`\n${title}`);
  for (const [i, line] of lines.entries()) {
    console.log('  ' + line.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
    if (i === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

// --- main ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const sizes = options.quick ? QUICK : FULL;
  if (!existsSync(join(distDir, 'python.wasm'))) throw new Error(`${distDir}/python.wasm is missing: run \`npx nx build python\` first`);
  // Debian's python3.11 when present (NATIVE_PYTHON overrides): python3.11 on PATH may be a
  // version manager's own build, another baseline than the distribution's.
  const native =
    existsSync(DEBIAN_PYTHON) && !process.env['NATIVE_PYTHON']
      ? { command: DEBIAN_PYTHON, version: execFileSync(DEBIAN_PYTHON, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).trim() }
      : await nativePython();
  distAtStart = distStamp();
  const base = resolveCommit('--base', options.base, WASI_FS);
  const previous = resolveCommit('--previous', options.previous, DIR_HANDLE);
  // Changes to the benchmark itself do not make "after" another host.
  const dirty = git(['status', '--porcelain', '--', '.', ':(exclude)bench']) !== '';

  const cleanups: (() => void)[] = [];
  const cleanup = () => {
    while (cleanups.length) {
      try {
        cleanups.pop()!();
      } catch (error) {
        console.error(`cleanup: ${(error as Error).message}`);
      }
    }
  };
  // `on`, not `once`: a second signal (tsx relays the terminal's) must not kill us mid-cleanup.
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      cleanup();
      process.exit(130);
    });
  }
  try {
    const workdir = mkdtempSync(join(tmpdir(), 'pywasi-bench-fs-'));
    cleanups.push(() => rmSync(workdir, { recursive: true, force: true }));
    const older = (commit: string) => {
      const bundleCache = mkdtempSync(join(tmpdir(), 'pywasi-bench-cache-'));
      cleanups.push(() => rmSync(bundleCache, { recursive: true, force: true }));
      const worktree = addWorktree(commit);
      cleanups.push(worktree.remove);
      return { dir: worktree.dir, bundleCache };
    };
    const [baseTree, previousTree] = [older(base.commit), older(previous.commit)];

    const wasmEnv = { PYWASI_PYTHON_DIR: distDir };
    const pythons: Python[] = [
      { name: 'native', command: native.command, args: [] },
      // Each its own bundle cache: CLIs bundling into one would rebuild each other's on every start.
      { name: 'node:wasi', command: process.execPath, args: [join(baseTree.dir, 'apps/cli/bin/pywasi.js'), 'python'], env: { ...wasmEnv, PYWASI_CACHE_DIR: baseTree.bundleCache } },
      // A worktree has no dist/: the previous host runs from its sources (tsx), and so does "after",
      // so that the two differ only in the host.
      { name: 'previous', command: process.execPath, args: [join(previousTree.dir, 'apps/cli/bin/pywasi.js'), 'python'], env: { ...wasmEnv, PYWASI_CACHE_DIR: previousTree.bundleCache, PYWASI_FROM_SOURCES: '1' } },
      { name: 'after', command: process.execPath, args: [join(workspaceRoot, 'apps/cli/bin/pywasi.js'), 'python'], env: { ...wasmEnv, PYWASI_FROM_SOURCES: '1' } },
    ];

    const tree = makeTree(join(workdir, 'tree'), sizes.treeEntries);
    makeBigFile(join(workdir, 'big.bin'), sizes.readBytes);
    const mib = sizes.readBytes / 2 ** 20;
    const workloads: Workload[] = [
      {
        name: 'files',
        title: `${sizes.files} files of ${sizes.fileSize} bytes in a fresh directory: create+write, read, stat, unlink; the second of two passes in the process`,
        params: [String(sizes.files), String(sizes.fileSize)],
        expect: { listed: sizes.files, read_bytes: sizes.files * sizes.fileSize, mismatched: 0, stat_bytes: sizes.files * sizes.fileSize, left: 0 },
      },
      { name: 'walk', title: `os.walk of a ${sizes.treeEntries}-entry tree (${tree.dirs} directories, ${tree.files} files), best of 20 passes per run`, params: [], expect: tree },
      {
        name: 'read',
        title: `sequential read of a ${mib} MiB file in ${sizes.chunk / 2 ** 20} MiB chunks (readinto, unbuffered), best of 20 passes per run`,
        params: [String(sizes.chunk)],
        expect: { read_bytes: sizes.readBytes, marks: Math.ceil(sizes.readBytes / MARK), bad_marks: 0 },
      },
    ];

    console.log(`native: CPython ${native.version} (${native.command})`);
    console.log(`node:wasi: pywasi at ${base.commit.slice(0, 10)} (${base.describe}), in a temporary worktree`);
    console.log(`previous:  pywasi at ${previous.commit.slice(0, 10)} (${previous.describe}), in a temporary worktree`);
    console.log(`after:  pywasi at the working tree (HEAD ${git(['rev-parse', '--short=10', 'HEAD'])}${dirty ? ' + uncommitted changes' : ''})`);
    console.log(`python.wasm: ${distDir}; work dir: ${workdir}; best of ${options.rounds}, the four in rotating order${options.quick ? '; --quick sizes' : ''}`);
    const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
    console.log(`load average at start: ${load()} (${availableParallelism()} CPUs): a busy machine spreads the figures`);

    let worst = { ratio: 0, workload: '' };
    const saved: ResultRow[] = [];
    for (const workload of workloads.filter((w) => !options.only || options.only.includes(w.name))) {
      const best = await measure(pythons, workload, workdir, options.rounds);
      const pick = (k: PythonName): Best => best.get(k)!;
      const byName = { native: pick('native'), 'node:wasi': pick('node:wasi'), previous: pick('previous'), after: pick('after') };
      const row = (name: string, f: (b: Best) => number | undefined): Row => ({ name, native: f(byName.native)!, 'node:wasi': f(byName['node:wasi'])!, previous: f(byName.previous)!, after: f(byName.after)! });
      const a = byName.after;
      const rows = [row('total', (b) => b.seconds), ...Object.keys(a.phases).map((phase) => row(`  ${phase}`, (b) => b.phases[phase]))];
      printTable(`${workload.name}: ${workload.title}`, rows);
      const info = Object.entries(a.checks).filter(([k]) => !(k in workload.expect));
      if (info.length) {
        const show = (r: Best) => info.map(([k]) => `${k}=${r.checks[k]}`).join(' ');
        console.log(`  readdir info (top level, untimed): ${Object.entries(byName).map(([n, b]) => `${n} ${show(b)}`).join('; ')}`);
      }
      if (Object.values(byName).every((b) => b.first)) {
        const firstRows = Object.keys(a.first!).map((phase) => row(`  ${phase}`, (b) => b.first![phase]));
        printTable(`  the first pass of each process (not in the goal: V8 has not optimised the host's code yet)`, firstRows);
      }
      for (const r of rows) {
        const total = r.name === 'total';
        const q = r.after / r['node:wasi'];
        saved.push({
          name: `${workload.name}: ${total ? 'total' : r.name.trim()}`,
          value: round(r.after),
          unit: 's',
          against: round(r['node:wasi']),
          ratio: round(q),
          ...(total ? { goal: `≤ ${GOAL}×`, verdict: q <= GOAL ? ('PASS' as const) : ('MISS' as const) } : {}),
          also: { native: round(r.native), previous: round(r.previous) },
          ...(total ? { note: workload.title } : {}),
        });
      }
      const ratio = a.seconds / byName['node:wasi'].seconds;
      if (ratio > worst.ratio) worst = { ratio, workload: workload.name };
    }
    console.log(`\nload average at the end: ${load()}`);
    const verdict = worst.ratio <= GOAL ? 'PASS' : 'MISS';
    console.log(`race-free confined host vs node:wasi: ${worst.ratio.toFixed(3)} (goal ≤ ${GOAL.toFixed(2)}) ${verdict}   [worst: ${worst.workload}]`);
    saveRun({
      bench: 'fs',
      title: `The confined filesystem: best of ${options.rounds}, the four in rotating order, timed inside the interpreter${options.quick ? ' (--quick sizes)' : ''}`,
      columns: { value: 'race-free host (now)', against: 'node:wasi host' },
      rows: saved,
      note: `node:wasi: pywasi at ${base.commit.slice(0, 10)}; previous: pywasi at ${previous.commit.slice(0, 10)} (check-then-use paths); native: CPython ${native.version}`,
    });
  } finally {
    cleanup();
  }
}

try {
  await main();
} catch (error) {
  console.error(`bench:fs: ${(error as Error).message}`);
  process.exitCode = 1;
}
