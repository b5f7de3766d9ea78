// The whole of CPython's own test suite, measured: every module of the pinned Lib/test (as
// regrtest lists them), each in its own process with a time limit, on Debian's native python3.11
// and in python.wasm through `pywasi python` (as cpython-regrtest.test.ts runs them), the default
// build or another (--build threads). Prints how many of the modules native python passes also
// pass in python.wasm, and compares with that build's committed results (whole-suite-results.json,
// whole-suite-results-NAME.json): a module that passed there and does not now is a regression and
// fails the run.
//
//   npx tsx libs/cpython/tests/whole-suite.ts [options] [test_x ...]   (npm run test:cpython-suite)
//
// About 40 minutes on this 2-core machine (both sides); see --help and README.md.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nativePython } from '../../../bench/lib/pythons.ts';
import { machineFacts } from '../../../bench/lib/results.ts';
import { runNx } from '../../../tools/testing/nx.ts';
import { pywasiPython, runGroup, workspaceRoot, type PywasiResult } from './harness.ts';
import { makeNativeInstall, nativeRegrtest } from './native-install.ts';
import { parseJunit } from './regrtest.ts';
import { addGuestStdlib, addPackageTests, makeTestRoot, packagesWithTests, sourceLib, wasmRegrtestArgs } from './regrtest-run.ts';
import {
  classifyRun,
  compareWithBaseline,
  computeFigure,
  countClasses,
  formatNativeResults,
  formatResults,
  mergeResults,
  MODULE_CLASSES,
  nativeResultsOf,
  reusableNative,
  type Change,
  type ModuleEntry,
  type NativeIdentity,
  type NativeResults,
  type Side,
  type SideResult,
  type SuiteResults,
} from './whole-suite-results.ts';
import { DEFAULT_BUILD, nativeCacheFile, nativeLogDir, reportDir, suiteBuild, type SuiteBuild } from './whole-suite-build.ts';

/**
 * Per module and side. Measured here (2 cores, loaded by other builds): the slowest native module
 * took 160 s (test_concurrent_futures; test_asyncio 157 s), the slowest python.wasm module that
 * finished 37 s (test_compileall). Ten minutes leaves room for the modules that only run once
 * python.wasm has threads (test_asyncio, several times slower than native), and bounds what a hung
 * module costs (test_imaplib: a server that needs a thread, a client that waits on it forever).
 */
const DEFAULT_TIME_LIMIT_SECONDS = 600;
const HEARTBEAT_MS = 120_000;

const rel = (file: string): string => path.relative(workspaceRoot, file);
const defaultBuild = suiteBuild(DEFAULT_BUILD);

const HELP = `Usage: whole-suite.ts [options] [test_x ...]

Runs every module of CPython's Lib/test (or the ones named) natively and in python.wasm, one
process per module and side, and prints how many of the modules native python3.11 passes also
pass in python.wasm. Builds python.wasm and the pywasi CLI first (Nx cache hits when nothing
changed). Writes ${rel(defaultBuild.runFile)} and the output of every run under
${rel(path.dirname(nativeLogDir))}/; compares with ${rel(defaultBuild.baselineFile)} and exits 1
when a module that passed there no longer passes in python.wasm. Another build has files of its
own: for --build threads, whole-suite-results-threads.json in both places and wasm-threads/ logs.

Options:
  --build NAME          the python build to measure, as \`pywasi python --build NAME\` runs it
                        (default: ${DEFAULT_BUILD}, \`nx build python\`): threads (\`nx build python -c
                        threads\`, needs Node 22 or later, which the CLI finds), full (\`nx build
                        python-full\`)... A build other than the default is also compared with the
                        default build's committed results (printed; it does not fail the run)
  --time-limit SECONDS  per module and side (default ${DEFAULT_TIME_LIMIT_SECONDS})
  --jobs N              processes at a time (default 2)
  --native              re-run the native side even when results for the same native python,
                        tests, harness, machine and time limit exist (${rel(nativeCacheFile)},
                        kept for all builds and written as each module finishes, or a build's
                        committed results)
  --native-only         run the native side only (no python.wasm is built or run), to keep its
                        results for later runs of any build; prints the native counts
  --update              write the results to the build's committed file (${rel(defaultBuild.baselineFile)}
                        for the default build; only after a run of every module)
  --merge               put the named modules' results in place of theirs in the build's
                        committed file, each marked with this run's date, commit and python.wasm
                        (the head stays the full run's), and count the figure again
  -h, --help

Environment: PYWASI_TESTS_NO_BUILD=1 uses dist/ as it is; NATIVE_PYTHON names the native python.`;

function usage(message: string): never {
  console.error(`whole-suite: ${message}\n\n${HELP}`);
  process.exit(2);
}

const { values: options, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        build: { type: 'string', default: DEFAULT_BUILD },
        'time-limit': { type: 'string' },
        jobs: { type: 'string' },
        native: { type: 'boolean', default: false },
        'native-only': { type: 'boolean', default: false },
        update: { type: 'boolean', default: false },
        merge: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
})();
if (options.help) {
  console.log(HELP);
  process.exit(0);
}
const positiveInteger = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) usage(`--${name} must be a positive whole number, not ${JSON.stringify(text)}`);
  return n;
};
const timeLimitSeconds = positiveInteger('time-limit', options['time-limit'], DEFAULT_TIME_LIMIT_SECONDS);
const jobs = positiveInteger('jobs', options.jobs, 2);
if (options.update && positionals.length > 0) usage('--update needs a run of every module: name no modules');
if (options.merge && positionals.length === 0) usage('--merge puts the named modules in the committed results: name them (a run of every module: --update)');
if (options.merge && options.update) usage('--merge and --update: choose one');
const nativeOnly = options['native-only'];
if (nativeOnly && (options.update || options.merge)) usage('--native-only writes no results file: it cannot --update or --merge');
const build: SuiteBuild = (() => {
  try {
    return suiteBuild(options.build);
  } catch (error) {
    return usage(`--build: ${(error as Error).message}`);
  }
})();
const buildLabel = build.name === DEFAULT_BUILD ? 'python.wasm' : `python.wasm (${build.name} build)`;

const started = Date.now();
const clock = (ms = Date.now() - started): string => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

function readResultsFile(file: string): SuiteResults | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SuiteResults;
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}): fix it or remove it`);
  }
}

/** Every file under dir, path and content (the tests, and the native binary), symbolic links left out. */
function hashTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = path.join(rel, entry.name);
      if (entry.name === '__pycache__') continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) hash.update(`${child}\0`).update(readFileSync(path.join(dir, child))).update('\0');
    }
  };
  walk('');
  return hash.digest('hex');
}

const fileSha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The code that decides how a native module runs and what its result is called. This script only
 * orders the runs and reports them, so a change to it keeps the native results. */
function harnessHash(): string {
  const hash = createHash('sha256');
  for (const name of ['whole-suite-results.ts', 'native-install.ts', 'regrtest-run.ts', 'regrtest.ts', 'harness.ts']) {
    hash.update(`${name}\0`).update(readFileSync(fileURLToPath(new URL(`./${name}`, import.meta.url)))).update('\0');
  }
  return hash.digest('hex');
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: workspaceRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: workspaceRoot, encoding: 'utf8' }).trim();
    return dirty ? `${head} (with local changes)` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function commandLine(): string {
  const args = process.argv.slice(2);
  return ['npx tsx', path.relative(workspaceRoot, fileURLToPath(import.meta.url)), ...args].join(' ');
}

// --- set up -------------------------------------------------------------------------------------

if (process.env['PYWASI_TESTS_NO_BUILD'] === '1') {
  if (!nativeOnly && !existsSync(build.wasm)) throw new Error(`${build.wasm} is missing (PYWASI_TESTS_NO_BUILD=1 uses dist/ as it is): \`npx nx ${build.nxBuild.join(' ')}\` builds it`);
} else {
  if (!nativeOnly) {
    console.log(`building ${buildLabel} (nx ${build.nxBuild.join(' ')}) and the pywasi CLI (Nx cache hits when nothing changed)...`);
    await runNx(build.nxBuild);
    await runNx(['build', 'pywasi']);
    if (!existsSync(build.wasm)) throw new Error(`\`nx ${build.nxBuild.join(' ')}\` succeeded but ${build.wasm} is missing: the ${build.name} build is published elsewhere`);
  }
  await runNx(['run', 'cpython-source:source']);
  if (!nativeOnly && build.sourceVariant) await runNx(build.sourceNx);
}
// The native side runs with none of the caller's PYTHON* settings (PYTHONDONTWRITEBYTECODE fails
// test_compileall, for one); the guest's environment is its own anyway.
const dropped = Object.keys(process.env).filter((k) => k.startsWith('PYTHON'));
for (const k of dropped) delete process.env[k];

// Native runs the default source's tests, the same for every build (so its results are shared);
// python.wasm runs its build's own, which differ from them only where that build's source variant
// patches them for WASI (the threads variant lets test.support start threads there).
const root = makeTestRoot();
const wasmLib = sourceLib(build.sourceVariant);
const wasmRoot = build.sourceVariant ? makeTestRoot(wasmLib) : root;
process.on('exit', () => {
  for (const dir of new Set([root, wasmRoot])) rmSync(dir, { recursive: true, force: true });
});
// Both sides run the test package and these packages from their standard library: native from a
// copy of its own (native-install.ts), python.wasm from a copy of its build's as files, seen as
// /usr/local/lib (regrtest-run.ts's addGuestStdlib, after the native side's identity is taken).
const withTests = addPackageTests(root);
if (wasmRoot !== root) addPackageTests(wasmRoot, wasmLib);
const native = await nativePython();
const nativeCommand = makeNativeInstall(native.command, path.join(root, 'native'), withTests);
const identity: NativeIdentity = {
  python: native.command,
  version: execFileSync(native.command, ['-c', 'import sys; print(sys.version)'], { encoding: 'utf8' }).trim(),
  testsSha256: hashTree(root),
  harnessSha256: harnessHash(),
  machine: (({ os, cpu, cores }) => `${os}; ${cpu}; ${cores} cores`)(machineFacts()),
};
const wasmVersion = nativeOnly
  ? native.version
  : (JSON.parse((await pywasiPython([...build.cliArgs, '-c', 'import json, platform; print(json.dumps(platform.python_version()))'])).stdout.trim() || '""') as string);
if (!nativeOnly) addGuestStdlib(wasmRoot, path.join(path.dirname(build.wasm), 'usr', 'local', 'lib'), wasmLib, packagesWithTests(wasmLib));
if (wasmVersion !== native.version) {
  console.log(`note: native python is ${native.version}, python.wasm is ${wasmVersion || '(did not start)'}: the test package is ${wasmVersion}'s`);
}

const abort = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping the running modules`);
    abort.abort();
  });
}

// Not from the test root: `-m` puts the working directory first on sys.path, and python.wasm's
// copies of the packages are there.
const listed = await runGroup(nativeCommand, ['-m', 'test', '--list-tests'], { cwd: path.join(root, 'tmp') });
const allModules = listed.stdout.split('\n').map((l) => l.trim()).filter((l) => /^test_\w+$/.test(l));
if (listed.exitCode !== 0 || allModules.length === 0) {
  throw new Error(`\`${native.command} -m test --list-tests\` listed no modules (exit ${listed.exitCode}):\n${listed.stderr.slice(-2000)}`);
}
const unknown = positionals.filter((m) => !allModules.includes(m));
if (unknown.length) usage(`not modules of Lib/test: ${unknown.join(', ')} (regrtest lists ${allModules.length}, e.g. ${allModules.slice(0, 3).join(', ')})`);
const modules = positionals.length ? allModules.filter((m) => positionals.includes(m)) : allModules;

const baseline = readResultsFile(build.baselineFile);
const defaultBaseline = build.name === DEFAULT_BUILD ? undefined : readResultsFile(defaultBuild.baselineFile);

function readNativeCache(): NativeResults | undefined {
  if (!existsSync(nativeCacheFile)) return undefined;
  try {
    return JSON.parse(readFileSync(nativeCacheFile, 'utf8')) as NativeResults;
  } catch (error) {
    throw new Error(`${nativeCacheFile} is not valid JSON (${(error as Error).message}): remove it (it only saves native runs)`);
  }
}
// Native results for the same identity: the native cache (the last runs of any build, newest),
// else a build's committed results (this build's, the default build's).
const cached = options.native
  ? new Map<string, SideResult>()
  : new Map(
      [defaultBaseline, baseline]
        .map((b) => (b ? reusableNative(nativeResultsOf(b), identity, timeLimitSeconds) : new Map<string, SideResult>()))
        .concat(reusableNative(readNativeCache(), identity, timeLimitSeconds))
        .flatMap((m) => [...m]),
    );
const nativeCached = modules.filter((m) => cached.has(m)).length;

/** Adds one native result to the native cache file, keeping what other runs of the same identity
 * wrote there meanwhile (a --native-only run beside a run of a build). */
function keepNative(module: string, result: SideResult): void {
  const kept = reusableNative(readNativeCache(), identity, timeLimitSeconds);
  kept.set(module, result);
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(nativeCacheFile, formatNativeResults({ native: identity, timeLimitSeconds, modules: Object.fromEntries(kept) }));
}

console.log(
  `CPython's Lib/test: ${modules.length} of ${allModules.length} modules, ${jobs} at a time, time limit ${timeLimitSeconds} s per module and side\n` +
    `native: ${identity.python} (${native.version})${nativeCached ? `, ${nativeCached} modules' results reused (same python, tests, harness, machine and time limit; --native re-runs them)` : ''}\n` +
    (nativeOnly ? 'python.wasm: not run (--native-only)\n' : `${buildLabel}: ${rel(build.wasm)} (${wasmVersion})\n`) +
    `both: Lib/test and these packages with their tests (${withTests.join(', ')}) from ${rel(sourceLib())}` +
    `${wasmRoot !== root ? `; python.wasm's from ${rel(wasmLib)} (the ${build.sourceVariant} source)` : ''}` +
    `${dropped.length ? `; left out of the environment: ${dropped.join(', ')}` : ''}\n`,
);

// --- run ----------------------------------------------------------------------------------------

const logDirs: Record<Side, string> = { native: nativeLogDir, wasm: build.wasmLogDir };
for (const dir of Object.values(logDirs)) mkdirSync(dir, { recursive: true });
const roots: Record<Side, string> = { native: root, wasm: wasmRoot };
for (const dir of Object.values(roots)) mkdirSync(path.join(dir, 'junit'), { recursive: true });

/** One module on one side, in a TMPDIR of its own (two run at a time; test_tempfile counts files). */
async function runSide(side: Side, module: string): Promise<SideResult> {
  const junit = path.join(roots[side], 'junit', `${side}-${module}.xml`);
  const tmpDir = path.join(roots[side], 'tmp', `${side}-${module}`);
  mkdirSync(tmpDir, { recursive: true });
  const limits = { timeoutMs: timeLimitSeconds * 1000, signal: abort.signal };
  let run: PywasiResult;
  if (side === 'native') {
    run = await nativeRegrtest(nativeCommand, module, junit, tmpDir, limits);
  } else {
    run = await pywasiPython([...build.cliArgs, ...wasmRegrtestArgs(wasmRoot, module, junit, tmpDir)], { ...limits, cwd: wasmRoot });
  }
  rmSync(tmpDir, { recursive: true, force: true });
  const log = path.join(logDirs[side], module);
  writeFileSync(`${log}.log`, `exit ${run.exitCode}${run.timedOut ? ' (timed out)' : ''} after ${run.seconds.toFixed(1)} s\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n`);
  rmSync(`${log}.xml`, { force: true });
  let cases: ReturnType<typeof parseJunit> = [];
  if (existsSync(junit)) {
    copyFileSync(junit, `${log}.xml`);
    cases = parseJunit(readFileSync(junit, 'utf8'));
  }
  return classifyRun(module, run, cases, timeLimitSeconds);
}

const results: Record<string, ModuleEntry> = {};
const running = new Map<string, number>();
let done = 0;

const describeSide = (r: SideResult): string => `${r.class} ${r.seconds.toFixed(1)} s`;
const total = nativeOnly ? modules.filter((m) => !cached.has(m)).length : modules.length;
const counter = (): string => `[${String(done).padStart(String(total).length)}/${total}]`;
function reportModule(module: string, entry: ModuleEntry, nativeFromCache: boolean): void {
  done += 1;
  const nativeText = `native ${describeSide(entry.native)}${nativeFromCache ? ' (reused)' : ''}`;
  const why = entry.wasm.class === 'passed' ? '' : `  -- ${entry.wasm.verdict.slice(0, 100)}`;
  console.log(`${counter()} ${clock()} ${module.padEnd(28)} ${nativeText.padEnd(30)} wasm ${describeSide(entry.wasm)}${why}`);
}
function reportNative(module: string, result: SideResult): void {
  done += 1;
  const why = result.class === 'passed' ? '' : `  -- ${result.verdict.slice(0, 100)}`;
  console.log(`${counter()} ${clock()} ${module.padEnd(28)} native ${describeSide(result)}${why}`);
}

// Jobs from the module that took longest in the last committed run (this build's, else the default
// build's; modules it lacks first) down, so that no long module starts last and holds up the end;
// native before wasm. A module is reported when both of its sides are done (with --native-only,
// when its native side is).
const previous = (baseline ?? defaultBaseline)?.modules ?? {};
const lastSeconds = (m: string): number => (previous[m] ? Math.max(previous[m].native.seconds, previous[m].wasm.seconds) : Number.MAX_VALUE);
type Job = { module: string; side: Side };
const queue: Job[] = [...modules].sort((a, b) => lastSeconds(b) - lastSeconds(a)).flatMap((module) => [
  ...(cached.has(module) ? [] : [{ module, side: 'native' as const }]),
  ...(nativeOnly ? [] : [{ module, side: 'wasm' as const }]),
]);
const pending = new Map<string, Partial<Record<Side, SideResult>>>(modules.map((m) => [m, cached.has(m) ? { native: cached.get(m)! } : {}]));

async function worker(): Promise<void> {
  for (let job = queue.shift(); job && !abort.signal.aborted; job = queue.shift()) {
    const key = `${job.module} (${job.side})`;
    running.set(key, Date.now());
    const result = await runSide(job.side, job.module);
    running.delete(key);
    if (abort.signal.aborted) return;
    if (job.side === 'native') keepNative(job.module, result);
    if (nativeOnly) {
      reportNative(job.module, result);
      continue;
    }
    const sides = pending.get(job.module)!;
    sides[job.side] = result;
    if (sides.native && sides.wasm) {
      results[job.module] = { native: sides.native, wasm: sides.wasm };
      reportModule(job.module, results[job.module]!, cached.has(job.module));
    }
  }
}

const heartbeat = setInterval(() => {
  const now = Date.now();
  const long = [...running].filter(([, since]) => now - since > HEARTBEAT_MS);
  if (long.length) console.log(`  ${clock()} still running: ${long.map(([k, since]) => `${k} ${clock(now - since)}`).join(', ')}`);
}, HEARTBEAT_MS);
try {
  await Promise.all(Array.from({ length: jobs }, () => worker()));
} finally {
  clearInterval(heartbeat);
}
const interrupted = abort.signal.aborted;
if (interrupted && nativeOnly) {
  console.log(`interrupted after ${done} of ${total} modules; their native results are kept (${rel(nativeCacheFile)})`);
  process.exit(130);
}
if (interrupted) {
  console.log(
    `interrupted after ${done} of ${total} modules: the report below and ${rel(build.runFile)} hold those only (complete: false); ` +
      `the committed results are left as they are`,
  );
}
if (nativeOnly) {
  const kept = reusableNative(readNativeCache(), identity, timeLimitSeconds);
  const counts = MODULE_CLASSES.map((c) => `${modules.filter((m) => kept.get(m)?.class === c).length} ${c}`);
  console.log(
    `\nnative python3.11, ${modules.length} modules (${done} run now, ${modules.length - done} reused) in ${clock()}: ${counts.join(', ')}\n` +
      `kept in ${rel(nativeCacheFile)} for later runs of any build`,
  );
  process.exit(0);
}

// --- report -------------------------------------------------------------------------------------

const totalTime = clock();
const complete = !interrupted && modules.length === allModules.length;
const figure = computeFigure(results);
const run: SuiteResults = {
  $comment:
    'Written by libs/cpython/tests/whole-suite.ts: every module of CPython 3.11 Lib/test, one process per module and side, native python3.11 against python.wasm. class: passed | failed | skipped | timed out | crashed; tests: junit counts (ran = not skipped).',
  date: new Date().toISOString(),
  command: commandLine(),
  machine: { ...machineFacts(), wallTime: totalTime, jobs },
  commit: gitCommit(),
  timeLimitSeconds,
  native: identity,
  wasm: { build: build.name, pythonWasmSha256: fileSha256(build.wasm) },
  complete,
  figure,
  modules: results,
};
mkdirSync(reportDir, { recursive: true });
writeFileSync(build.runFile, formatResults(run));

const pad = (text: string | number, width: number) => String(text).padStart(width);
const counts = { native: countClasses(results, 'native'), wasm: countClasses(results, 'wasm') };
const lines: string[] = [
  '',
  `CPython's Lib/test: ${Object.keys(results).length}${complete ? '' : ` of ${allModules.length}`} modules in ${totalTime} (${jobs} at a time, time limit ${timeLimitSeconds} s)`,
  `${buildLabel}: ${rel(build.wasm)}`,
  `${''.padEnd(12)}${pad('native', 8)}${pad('python.wasm', 13)}`,
  ...MODULE_CLASSES.map((c) => `${c.padEnd(12)}${pad(counts.native[c], 8)}${pad(counts.wasm[c], 13)}`),
  '',
  `${figure.passing} of ${figure.of} modules that native python3.11 passes also pass in ${buildLabel} (${figure.percent}%)`,
];
const both = Object.values(results).filter((m) => m.native.class === 'passed' && m.wasm.class === 'passed');
const ranNative = both.reduce((s, m) => s + (m.native.tests?.ran ?? 0), 0);
const ranWasm = both.reduce((s, m) => s + (m.wasm.tests?.ran ?? 0), 0);
lines.push(`In those ${both.length} modules python.wasm ran ${ranWasm} tests and native python ${ranNative} (the difference: tests skipped on WASI, or that exist on one side only).`);

const byName = Object.entries(results).sort(([a], [b]) => (a < b ? -1 : 1));
const notPassing = byName.filter(([, m]) => m.native.class === 'passed' && m.wasm.class !== 'passed');
if (notPassing.length) {
  lines.push('', `Native passes, python.wasm does not (${notPassing.length}):`);
  for (const c of MODULE_CLASSES) {
    const these = notPassing.filter(([, m]) => m.wasm.class === c);
    if (these.length === 0) continue;
    lines.push(`  ${c} (${these.length}):`, ...these.map(([module, m]) => `    ${module.padEnd(30)} ${m.wasm.verdict}`));
  }
}
const nativeNot = byName.filter(([, m]) => m.native.class !== 'passed');
if (nativeNot.length) {
  lines.push('', `Left out of the figure: native python3.11 does not pass them (${nativeNot.length}):`);
  lines.push(...nativeNot.map(([module, m]) => `    ${module.padEnd(30)} native ${m.native.class}: ${m.native.verdict}  (python.wasm: ${m.wasm.class})`));
}

const show = (title: string, changes: Change[]) => {
  if (changes.length) lines.push('', `${title} (${changes.length}):`, ...changes.map((c) => `    ${c.module.padEnd(30)} ${c.before.class} -> ${c.now.class}: ${c.now.verdict}`));
};
let regressed = 0;
if (baseline) {
  const comparison = compareWithBaseline(baseline.modules, results);
  lines.push('', `Against ${rel(build.baselineFile)} (${baseline.date.slice(0, 10)}, ${baseline.figure.passing} of ${baseline.figure.of}, ${baseline.figure.percent}%):`);
  show('REGRESSED: passed in python.wasm there, not now', comparison.regressed);
  show('New passes in python.wasm', comparison.newPasses);
  show('Native python changed', comparison.nativeChanged);
  if (comparison.fewerTests.length) {
    lines.push('', `Still passing in python.wasm, but fewer tests ran (${comparison.fewerTests.length}):`);
    lines.push(...comparison.fewerTests.map((c) => `    ${c.module.padEnd(30)} ${c.before.tests?.ran ?? 0} -> ${c.now.tests?.ran ?? 0}`));
  }
  if (comparison.notInBaseline.length) lines.push('', `Not in the committed results: ${comparison.notInBaseline.join(', ')}`);
  if (!comparison.regressed.length && !comparison.newPasses.length) lines.push('  no module changed in python.wasm');
  regressed = comparison.regressed.length;
} else {
  lines.push('', `No committed results for the ${build.name} build yet (${rel(build.baselineFile)}): --update writes them.`);
}
// Another build against the default one: what it gains and loses (reported, not failed: the
// builds differ on purpose, and each one's own baseline catches its regressions).
if (defaultBaseline) {
  const comparison = compareWithBaseline(defaultBaseline.modules, results);
  lines.push('', `Against the default build's ${rel(defaultBuild.baselineFile)} (${defaultBaseline.date.slice(0, 10)}, ${defaultBaseline.figure.passing} of ${defaultBaseline.figure.of}, ${defaultBaseline.figure.percent}%):`);
  show(`Pass in the default build, not in the ${build.name} build`, comparison.regressed);
  show(`Pass in the ${build.name} build, not in the default build`, comparison.newPasses);
  if (!comparison.regressed.length && !comparison.newPasses.length) lines.push('  the same modules pass in both');
}

if (options.update && complete) {
  writeFileSync(build.baselineFile, formatResults(run));
  lines.push('', `wrote ${rel(build.baselineFile)}`);
}
if (options.merge && !interrupted) {
  if (!baseline?.complete) throw new Error(`--merge needs the results of a run of every module in ${rel(build.baselineFile)}: run with --update first`);
  const merged = mergeResults(baseline, results, { date: run.date, commit: run.commit, pythonWasmSha256: run.wasm.pythonWasmSha256, command: run.command });
  writeFileSync(build.baselineFile, formatResults(merged));
  const later = Object.values(merged.modules).filter((m) => m.measured).length;
  lines.push(
    '',
    `merged ${Object.keys(results).length} modules into ${rel(build.baselineFile)}: ` +
      `${merged.figure.passing} of ${merged.figure.of} modules that native python3.11 passes also pass in python.wasm (${merged.figure.percent}%); ` +
      `${later} of them measured by later runs than the full run of ${baseline.date.slice(0, 10)} (each marked "measured")`,
  );
}
lines.push('', `details: ${rel(build.runFile)}, logs in ${rel(nativeLogDir)}/ and ${rel(build.wasmLogDir)}/`);
console.log(lines.join('\n'));
if (regressed) {
  console.log(`\nregressed in python.wasm: ${regressed} ${regressed === 1 ? 'module' : 'modules'} (see above)`);
  process.exit(1);
}
if (interrupted) process.exit(130);
