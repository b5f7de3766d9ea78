// The results of whole-suite.ts (every module of CPython's Lib/test, native python3.11 against
// python.wasm) as data: how one run of a module is classified, the headline figure, the
// comparison with the committed results, and the file format. No I/O; whole-suite.test.ts tests it.
import { isFailure, moduleVerdict, type TestCaseResult } from './regrtest.ts';

export const MODULE_CLASSES = ['passed', 'failed', 'skipped', 'timed out', 'crashed'] as const;
export type ModuleClass = (typeof MODULE_CLASSES)[number];
export const SIDES = ['native', 'wasm'] as const;
export type Side = (typeof SIDES)[number];

export interface TestCounts {
  /** Test cases that ran (passed or not). */
  ran: number;
  failed: number;
  skipped: number;
}

/** One module on one side. */
export interface SideResult {
  class: ModuleClass;
  /** Why, in one line: regrtest's skip reason, the first failing test, a crash's last words. */
  verdict: string;
  seconds: number;
  exitCode: number;
  /** From regrtest's junit report; absent when it wrote none (skipped whole, crashed, timed out). */
  tests?: TestCounts;
}

export interface ModuleEntry {
  native: SideResult;
  wasm: SideResult;
  /** Set when a later run of some modules measured this one (--merge), not the run the file's
   * head describes. */
  measured?: Measurement;
}

/** The run that measured a module: when, from which commit, with which python.wasm. */
export interface Measurement {
  date: string;
  commit: string;
  pythonWasmSha256: string;
}

/** A run of some modules merged into the results of a full run. */
export interface MergedRun extends Measurement {
  command: string;
  modules: string[];
}

/** What the native side's results depend on: a cached native result is reused only when all match. */
export interface NativeIdentity {
  python: string;
  /** sys.version */
  version: string;
  /** Of every file the tests come from (Lib/test, and the packages with their own tests), path and content. */
  testsSha256: string;
  /** Of the scripts that run and classify the tests (a change in them can change the results). */
  harnessSha256: string;
  /** OS, CPU and cores: native results depend on the machine too (its locales, its load). */
  machine: string;
}

export interface Figure {
  /** Modules that pass natively and in python.wasm. */
  passing: number;
  /** Modules that pass natively. */
  of: number;
  percent: number;
}

export interface SuiteResults {
  $comment?: string;
  date: string;
  command: string;
  machine: Record<string, unknown>;
  commit: string;
  timeLimitSeconds: number;
  native: NativeIdentity;
  /** The python build measured (absent in files written before builds were named: the default). */
  wasm: { build?: string; pythonWasmSha256: string };
  /** Whether every module of Lib/test ran (not a chosen few). */
  complete: boolean;
  /** Runs of some modules merged in since the full run above, oldest first; their modules carry
   * `measured`, and the figure counts them as they are now. */
  merged?: MergedRun[];
  figure: Figure;
  modules: Record<string, ModuleEntry>;
}

/** Native results on their own, kept across runs of every build (the native side does not
 * depend on which python.wasm the run measures). */
export interface NativeResults {
  native: NativeIdentity;
  timeLimitSeconds: number;
  modules: Record<string, SideResult>;
}

/** The native side of a suite run. */
export function nativeResultsOf(results: SuiteResults): NativeResults {
  const modules = Object.fromEntries(Object.entries(results.modules).map(([m, e]) => [m, e.native]));
  return { native: results.native, timeLimitSeconds: results.timeLimitSeconds, modules };
}

/** What one process running `python -m test MODULE` left behind. */
export interface RunOutput {
  exitCode: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  seconds: number;
}

function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

/** The last line of the traceback regrtest prints for an exception escaping the module
 * ("test test_x crashed -- Traceback ...": an import error, an error in setUpModule). When the
 * exception is unittest's "errors while loading tests", the first submodule that failed to
 * import, and why, instead (a package such as test_asyncio). */
function uncaughtException(module: string, output: string): string | undefined {
  const paragraphAfter = (marker: RegExp): string | undefined => {
    const match = marker.exec(output);
    return match ? lastLine(output.slice(match.index + match[0].length).split(/\n\s*\n/)[0] ?? '') : undefined;
  };
  const last = paragraphAfter(new RegExp(`^test ${module} crashed -- `, 'm'));
  if (last === undefined) return undefined;
  const submodule = /^Failed to import test module: (\S+)$/m.exec(output)?.[1];
  if (last.endsWith('errors while loading tests') && submodule) {
    return `${submodule}: ${paragraphAfter(/^Failed to import test module: \S+$/m)}`;
  }
  return last || 'crashed';
}

export function countTests(cases: TestCaseResult[]): TestCounts {
  return {
    ran: cases.filter((c) => c.outcome !== 'skip').length,
    failed: cases.filter((c) => isFailure(c.outcome)).length,
    skipped: cases.filter((c) => c.outcome === 'skip').length,
  };
}

/**
 * Classifies one run from regrtest's own result line ("Tests result: SUCCESS"), its exit code
 * and its junit report. passed: regrtest's SUCCESS (an "env changed" warning included: without
 * --fail-env-changed regrtest counts it as a success too) with at least one test run; skipped:
 * the module skipped itself, ran no tests, or every one of its tests skipped; failed: regrtest's
 * FAILURE; timed out: killed at the time limit; crashed: the process ended without a regrtest
 * result, or with one but a surprising exit code.
 */
export function classifyRun(module: string, run: RunOutput, cases: TestCaseResult[], timeLimitSeconds: number): SideResult {
  const output = `${run.stdout}\n${run.stderr}`;
  const tests = cases.length > 0 ? countTests(cases) : undefined;
  const facts = { seconds: Math.round(run.seconds * 10) / 10, exitCode: run.exitCode, ...(tests ? { tests } : {}) };
  const result = (side: ModuleClass, verdict: string): SideResult => ({ class: side, verdict: oneLine(verdict), ...facts });

  if (run.timedOut) return result('timed out', `still running after ${timeLimitSeconds} s, killed`);
  const said = [...output.matchAll(/^Tests result: (.*)$/gm)].pop()?.[1]?.trim();
  if (said === undefined) {
    return result('crashed', `exit ${run.exitCode} without a regrtest result: ${lastLine(run.stderr) || lastLine(run.stdout) || 'no output'}`);
  }
  if (/FAILURE/.test(said)) {
    const uncaught = uncaughtException(module, output);
    if (uncaught !== undefined) return result('failed', `uncaught exception: ${uncaught}`);
    const first = cases.find((c) => isFailure(c.outcome));
    if (tests && first) return result('failed', `${tests.failed} of ${tests.ran} tests failed; first: ${first.id.replace(/^test\./, '')}: ${first.message}`);
    return result('failed', moduleVerdict(module, output).verdict || `regrtest: ${said}`);
  }
  if (/INTERRUPTED/.test(said)) return result('crashed', `interrupted (exit ${run.exitCode})`);
  const { skipped } = moduleVerdict(module, output);
  if (skipped !== undefined) return result('skipped', skipped);
  if (/NO TEST RUN/.test(said) || /test run no tests:$/m.test(output)) return result('skipped', 'ran no tests');
  if (tests && tests.ran === 0) {
    return result('skipped', `all ${tests.skipped} tests skipped; first: ${cases[0]?.message ?? ''}`);
  }
  if (run.exitCode !== 0) return result('crashed', `exit ${run.exitCode} after regrtest's ${said}: ${lastLine(run.stderr)}`);
  if (/^SUCCESS$/.test(said)) {
    const envChanged = new RegExp(`^${module} failed \\(env changed\\)|altered the execution environment`, 'm').test(output);
    return result('passed', envChanged ? 'passed (env changed: regrtest warns, counts it a success)' : 'passed');
  }
  return result('crashed', `unexpected regrtest result: ${said}`);
}

export function computeFigure(modules: Record<string, ModuleEntry>): Figure {
  const native = Object.values(modules).filter((m) => m.native.class === 'passed');
  const passing = native.filter((m) => m.wasm.class === 'passed').length;
  return { passing, of: native.length, percent: native.length ? Math.round((1000 * passing) / native.length) / 10 : 0 };
}

export function countClasses(modules: Record<string, ModuleEntry>, side: Side): Record<ModuleClass, number> {
  const counts = Object.fromEntries(MODULE_CLASSES.map((c) => [c, 0])) as Record<ModuleClass, number>;
  for (const m of Object.values(modules)) counts[m[side].class] += 1;
  return counts;
}

export interface Change {
  module: string;
  before: SideResult;
  now: SideResult;
}

export interface BaselineComparison {
  /** Passed in python.wasm before, not now. */
  regressed: Change[];
  /** Passes in python.wasm now, did not before. */
  newPasses: Change[];
  /** The native side differs (a new Debian python, or a flaky native test). */
  nativeChanged: Change[];
  /** Passed in python.wasm both times, but fewer of its tests ran now (more skips). */
  fewerTests: Change[];
  /** Ran now, absent from the baseline. */
  notInBaseline: string[];
}

/** Compares the modules of this run with the same modules of the baseline. */
export function compareWithBaseline(baseline: Record<string, ModuleEntry>, now: Record<string, ModuleEntry>): BaselineComparison {
  const comparison: BaselineComparison = { regressed: [], newPasses: [], nativeChanged: [], fewerTests: [], notInBaseline: [] };
  for (const [module, entry] of Object.entries(now)) {
    const before = baseline[module];
    if (!before) {
      comparison.notInBaseline.push(module);
      continue;
    }
    const wasBefore = before.wasm.class === 'passed';
    const isNow = entry.wasm.class === 'passed';
    if (wasBefore && !isNow) comparison.regressed.push({ module, before: before.wasm, now: entry.wasm });
    if (!wasBefore && isNow) comparison.newPasses.push({ module, before: before.wasm, now: entry.wasm });
    if (wasBefore && isNow && (entry.wasm.tests?.ran ?? 0) < (before.wasm.tests?.ran ?? 0)) {
      comparison.fewerTests.push({ module, before: before.wasm, now: entry.wasm });
    }
    if (before.native.class !== entry.native.class) comparison.nativeChanged.push({ module, before: before.native, now: entry.native });
  }
  return comparison;
}

/** The native results of `source` usable for a run with this native python, test package,
 * harness, machine and time limit: all of them when every one matches, else none. */
export function reusableNative(source: NativeResults | undefined, native: NativeIdentity, timeLimitSeconds: number): Map<string, SideResult> {
  if (!source || source.timeLimitSeconds !== timeLimitSeconds) return new Map();
  const same = (Object.keys(native) as (keyof NativeIdentity)[]).every((k) => source.native[k] === native[k]);
  return same ? new Map(Object.entries(source.modules)) : new Map();
}

/** JSON with the head's fields one per line and one line per module, in name order, so a
 * change of one module is one changed line. */
function formatByModule(head: object, modules: Record<string, unknown>): string {
  const lines = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const entries = Object.keys(modules)
    .sort()
    .map((m) => `    ${JSON.stringify(m)}: ${JSON.stringify(modules[m])}`);
  return `{\n${lines.join('\n')}\n  "modules": {\n${entries.join(',\n')}\n  }\n}\n`;
}

export function formatResults(results: SuiteResults): string {
  const { modules, ...head } = results;
  return formatByModule(head, modules);
}

export function formatNativeResults(results: NativeResults): string {
  const { modules, ...head } = results;
  return formatByModule(head, modules);
}

/**
 * The results of a full run with the modules of a later, partial run put in their place: each of
 * those carries the run that measured it, the head lists the merged runs, and the figure is
 * counted again. The head's date, commit and python.wasm stay the full run's.
 */
export function mergeResults(full: SuiteResults, partial: Record<string, ModuleEntry>, run: Measurement & { command: string }): SuiteResults {
  const { command, ...measured } = run;
  const modules = { ...full.modules };
  for (const [module, entry] of Object.entries(partial)) modules[module] = { native: entry.native, wasm: entry.wasm, measured };
  const merged = [...(full.merged ?? []), { ...measured, command, modules: Object.keys(partial).sort() }];
  return { ...full, merged, figure: computeFigure(modules), modules };
}
