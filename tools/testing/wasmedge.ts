// Real WasmEdge, the socket ABI's own host, as a second host for tests: Debian trixie's wasmedge
// binary package and the libraries it needs (trixie's glibc included), fetched with a temporary apt
// configuration derived from this machine's sources (apt checks every .deb against the signed
// indices; no mirror name is written anywhere), unpacked into the cache, never installed. It runs
// through the unpacked dynamic loader, so the system is untouched.
//
//   const wasmedge = await obtainWasmEdge();          // cached after the first call
//   execa(wasmedge.command, [...wasmedge.args, '--dir', '/data:/data', 'prog.wasm']);
//   npx tsx tools/testing/wasmedge.ts --version        (the same from a shell)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { pywasiCacheDir } from '../src/lib/cache-dir.ts';
import { machineAptSources, machineCodename, sourcesForSuite, toDebSrcStanzas, withoutEpoch } from '../src/lib/debian-archive.ts';

/** The pinned upstream version and where Debian ships it. A new Debian revision of the same
 * upstream version is followed (and said so); another upstream version is an error to act on. */
export const WASMEDGE_PIN = { package: 'wasmedge', upstream: '0.14.1', suite: 'trixie' };

export interface WasmEdge {
  /** The unpacked dynamic loader; `args` start with the library path and the wasmedge binary. */
  command: string;
  args: string[];
  /** Debian's version of the wasmedge package that was unpacked. */
  debianVersion: string;
}

interface Stamp {
  debianVersion: string;
  packages: string[];
}

const ARCH_LIBS = 'usr/lib/x86_64-linux-gnu';

function fromRoot(root: string, stamp: Stamp): WasmEdge {
  const libs = [path.join(root, ARCH_LIBS), path.join(root, 'lib/x86_64-linux-gnu')].join(':');
  return { command: path.join(root, ARCH_LIBS, 'ld-linux-x86-64.so.2'), args: ['--library-path', libs, path.join(root, 'usr/bin/wasmedge')], debianVersion: stamp.debianVersion };
}

async function apt(dir: string, tool: 'apt-get' | 'apt-cache', args: string[], cwd?: string): Promise<string> {
  const options = [
    '-o', `Dir::Etc::SourceParts=${path.join(dir, 'sources.list.d')}`,
    '-o', 'Dir::Etc::SourceList=/dev/null',
    '-o', `Dir::State::Lists=${path.join(dir, 'lists')}`,
    '-o', `Dir::Cache=${path.join(dir, 'cache')}`,
    // An empty dpkg status: the whole dependency closure is fetched, not what bookworm has.
    '-o', `Dir::State::status=${path.join(dir, 'status')}`,
    '-o', 'Debug::NoLocking=1',
    '-o', 'APT::Sandbox::User=root',
  ];
  const run = await execa(tool, [...options, ...args], { reject: false, all: true, ...(cwd ? { cwd } : {}) });
  if (run.exitCode !== 0) throw new Error(`${tool} ${args.join(' ')} failed:\n${String(run.all).slice(-1500)}`);
  return run.stdout;
}

/** WasmEdge from the cache, else fetched and unpacked into it (~42 MB of .debs, ~180 MB unpacked). */
export async function obtainWasmEdge(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<WasmEdge> {
  const home = path.join(pywasiCacheDir(), 'wasmedge', WASMEDGE_PIN.upstream);
  const root = path.join(home, 'root');
  const stampFile = path.join(home, 'stamp.json');
  const cached = (): WasmEdge | null =>
    existsSync(stampFile) && existsSync(path.join(root, 'usr/bin/wasmedge')) ? fromRoot(root, JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp) : null;
  const ready = cached();
  if (ready) return ready;
  // Test projects run in parallel and may all ask at once: one fetches, the others wait for it.
  const release = await lock(path.join(home, 'fetch.lock'), log);
  try {
    return cached() ?? (await fetchInto(home, root, stampFile, log));
  } finally {
    release();
  }
}

/** A directory as a lock (mkdir is atomic); one left by a process that died is taken over after
 * STALE_LOCK_MS. */
const STALE_LOCK_MS = 20 * 60 * 1000;
async function lock(dir: string, log: (line: string) => void): Promise<() => void> {
  mkdirSync(path.dirname(dir), { recursive: true });
  let said = false;
  for (;;) {
    try {
      mkdirSync(dir);
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let age = 0;
    try {
      age = Date.now() - statSync(dir).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    if (age > STALE_LOCK_MS) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (!said) log(`wasmedge: another process is fetching it (${dir}); waiting`);
    said = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function fetchInto(home: string, root: string, stampFile: string, log: (line: string) => void): Promise<WasmEdge> {
  const sources = sourcesForSuite(machineAptSources(), WASMEDGE_PIN.suite, machineCodename());
  if (sources.length === 0) throw new Error(`no Debian apt sources on this machine to derive ${WASMEDGE_PIN.suite}'s from`);
  const dir = mkdtempSync(path.join(tmpdir(), 'pywasi-wasmedge-apt-'));
  try {
    mkdirSync(path.join(dir, 'sources.list.d'));
    mkdirSync(path.join(dir, 'lists', 'partial'), { recursive: true });
    mkdirSync(path.join(dir, 'cache', 'archives', 'partial'), { recursive: true });
    writeFileSync(path.join(dir, 'status'), '');
    // Binary packages: the same stanzas as for sources, typed `deb`.
    writeFileSync(path.join(dir, 'sources.list.d', 'trixie.sources'), toDebSrcStanzas(sources).replace(/^Types: deb-src$/gm, 'Types: deb'));
    log(`wasmedge: reading Debian ${WASMEDGE_PIN.suite}'s package lists`);
    await apt(dir, 'apt-get', ['update']);
    const policy = await apt(dir, 'apt-cache', ['policy', WASMEDGE_PIN.package]);
    const candidate = /Candidate:\s*(\S+)/.exec(policy)?.[1];
    if (!candidate || candidate === '(none)') throw new Error(`Debian ${WASMEDGE_PIN.suite} has no ${WASMEDGE_PIN.package} package`);
    const upstream = withoutEpoch(candidate).replace(/[-+~].*$/, '');
    if (upstream !== WASMEDGE_PIN.upstream) {
      throw new Error(`Debian ${WASMEDGE_PIN.suite} serves ${WASMEDGE_PIN.package} ${candidate}, not ${WASMEDGE_PIN.upstream}: update WASMEDGE_PIN in tools/testing/wasmedge.ts`);
    }
    log(`wasmedge: Debian ${WASMEDGE_PIN.suite} serves ${WASMEDGE_PIN.package} ${candidate} (upstream ${upstream}, as pinned)`);
    const depends = await apt(dir, 'apt-cache', ['depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', WASMEDGE_PIN.package]);
    const packages = [...new Set(depends.split('\n').filter((l) => l && !l.startsWith(' ') && !l.startsWith('<')))].sort();
    const debs = path.join(dir, 'debs');
    mkdirSync(debs);
    log(`wasmedge: fetching ${packages.length} packages: ${packages.join(' ')}`);
    await apt(dir, 'apt-get', ['download', ...packages], debs);
    const staging = `${root}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) await execa('dpkg-deb', ['-x', path.join(debs, deb), staging]);
    rmSync(root, { recursive: true, force: true });
    renameSync(staging, root);
    const stamp: Stamp = { debianVersion: candidate, packages };
    writeFileSync(stampFile, JSON.stringify(stamp, null, 2) + '\n');
    const wasmedge = fromRoot(root, stamp);
    const version = await execa(wasmedge.command, [...wasmedge.args, '--version'], { reject: false, all: true });
    if (version.exitCode !== 0) throw new Error(`the unpacked wasmedge does not run:\n${String(version.all)}`);
    log(`wasmedge: ${version.stdout.split('\n')[0]} in ${root}`);
    return wasmedge;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// From a shell: run the cached WasmEdge with the given arguments.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const wasmedge = await obtainWasmEdge();
  const run = await execa(wasmedge.command, [...wasmedge.args, ...process.argv.slice(2)], { stdio: 'inherit', reject: false });
  process.exitCode = run.exitCode ?? 1;
}
