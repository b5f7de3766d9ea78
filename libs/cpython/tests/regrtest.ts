// Runs CPython's own regression tests inside python.wasm, one module per pywasi process, and
// compares the outcome with the expected-failures manifest. Kept apart from the jest file so the
// parsing can be unit-tested without a build.
import { existsSync, readFileSync } from 'node:fs';

export type Outcome = 'pass' | 'fail' | 'error' | 'skip';

export interface TestCaseResult {
  id: string;
  outcome: Outcome;
  /** The skip reason, or the last line of the traceback. */
  message: string;
}

export interface ModuleResult {
  module: string;
  seconds: number;
  exitCode: number;
  timedOut: boolean;
  cases: TestCaseResult[];
  /** The regrtest verdict line of the module (e.g. "test_x failed (3 errors)"), or a crash note. */
  verdict: string;
}

export interface ManifestFile {
  $comment?: string | string[];
  /** module → (test id or the module name itself → one-line reason) */
  tests: Record<string, Record<string, string>>;
  /**
   * module → (regrtest `--ignore` pattern → one-line reason): tests left out of the run, for
   * those whose failure costs minutes (each waits out a timeout). A pattern is a dotted name part
   * (a class or method name) or an fnmatch pattern of the whole id, as regrtest matches them.
   */
  excluded?: Record<string, Record<string, string>>;
}

const RANK: Record<Outcome, number> = { pass: 0, skip: 1, fail: 2, error: 3 };

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

/**
 * Parses regrtest's --junit-xml output (libregrtest writes one <testcase name="dotted.id"> per
 * test, with a <failure>, <error> or <skipped> child when it did not simply pass). A test id seen
 * twice (test_json runs its doctests twice) keeps its worst outcome.
 */
export function parseJunit(xml: string): TestCaseResult[] {
  const byId = new Map<string, TestCaseResult>();
  const caseRe = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const match of xml.matchAll(caseRe)) {
    const attrs = match[1] ?? '';
    const body = match[3] ?? '';
    const name = /\bname="([^"]*)"/.exec(attrs)?.[1];
    if (!name) continue;
    let outcome: Outcome = 'pass';
    let message = '';
    const child = /<(failure|error|skipped)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (child) {
      outcome = child[1] === 'failure' ? 'fail' : child[1] === 'error' ? 'error' : 'skip';
      const text = unescapeXml(child[3] ?? '');
      const attrMessage = /\bmessage="([^"]*)"/.exec(child[2] ?? '')?.[1];
      message = lastLine(text) || unescapeXml(attrMessage ?? '');
    }
    const id = unescapeXml(name);
    const previous = byId.get(id);
    if (!previous || RANK[outcome] > RANK[previous.outcome]) byId.set(id, { id, outcome, message });
  }
  return [...byId.values()];
}

/** A whole-module skip or failure that has no test cases ("test_x skipped -- reason"). */
export function moduleVerdict(module: string, output: string): { skipped?: string; verdict: string } {
  // A package's module is dotted (test_asyncio.test_streams): its name is matched literally.
  const name = module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const skipped = new RegExp(`^${name} skipped -- (.*)$`, 'm').exec(output)?.[1];
  const verdict =
    new RegExp(`^(${name} (?:failed|skipped|passed|crashed|timed out|resource denied|interrupted)[^\\n]*)$`, 'm').exec(output)?.[1] ??
    new RegExp(`^(test ${name} (?:failed|crashed)[^\\n]*)$`, 'm').exec(output)?.[1] ??
    (/^1 test OK\.$/m.test(output) ? `${module} passed` : '');
  return { skipped, verdict };
}

export interface Comparison {
  unexpectedFailures: TestCaseResult[];
  unlistedSkips: TestCaseResult[];
  nowPassing: { id: string; reason: string }[];
  /** Manifest ids of this module that did not appear at all (renamed or removed tests). */
  notSeen: string[];
}

export function isFailure(outcome: Outcome): boolean {
  return outcome === 'fail' || outcome === 'error';
}

export function compare(result: ModuleResult, expected: Record<string, string>): Comparison {
  const seen = new Map(result.cases.map((c) => [c.id, c]));
  const listed = (id: string) => Object.prototype.hasOwnProperty.call(expected, id);
  const comparison: Comparison = { unexpectedFailures: [], unlistedSkips: [], nowPassing: [], notSeen: [] };
  for (const c of result.cases) {
    if (isFailure(c.outcome) && !listed(c.id)) comparison.unexpectedFailures.push(c);
    if (c.outcome === 'skip' && !listed(c.id)) comparison.unlistedSkips.push(c);
  }
  for (const [id, reason] of Object.entries(expected)) {
    const c = seen.get(id);
    if (!c) comparison.notSeen.push(id);
    else if (c.outcome === 'pass') comparison.nowPassing.push({ id, reason });
  }
  return comparison;
}

/** The regrtest options that leave out the manifest's excluded tests of `module`. */
export function exclusionArgs(manifest: ManifestFile, module: string): string[] {
  return Object.keys(manifest.excluded?.[module] ?? {}).flatMap((pattern) => ['--ignore', pattern]);
}

export function readManifest(file: string): ManifestFile {
  if (!existsSync(file)) return { tests: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as ManifestFile;
}

/** Known causes, for the one-line reasons of a suggested manifest (first match wins). */
const FAILURE_REASONS: [RegExp, string][] = [
  [/can't start new thread/, 'needs threads: python.wasm (wasm32-wasi) has no working threading'],
  [/has no attribute 'dup2'/, 'os.dup2 does not exist on WASI'],
  [/has no attribute 'pipe'/, 'os.pipe does not exist on WASI'],
  [/Capabilities insufficient/, 'reads a host path that is not mapped into the guest (WASI ENOTCAPABLE)'],
  [/has no attribute 'SOCK_RAW'/, 'socket.SOCK_RAW does not exist on WASI'],
];

export function suggestedReason(c: TestCaseResult): string {
  if (c.outcome === 'skip') return `skip: ${c.message || 'skipped'}`;
  for (const [pattern, reason] of FAILURE_REASONS) if (pattern.test(c.message)) return reason;
  return `${c.outcome}: ${c.message || 'failed'} (TODO: explain)`;
}

/** What the manifest would be if every failure and skip of this run were accepted. */
export function suggestManifest(results: ModuleResult[], current: ManifestFile): ManifestFile {
  const tests: Record<string, Record<string, string>> = {};
  for (const r of results) {
    const old = current.tests[r.module] ?? {};
    const entries: Record<string, string> = {};
    for (const c of r.cases) {
      if (c.outcome === 'pass') continue;
      // An old reason is kept while it still describes the outcome: a skip's is no failure's.
      const kept = old[c.id];
      entries[c.id] = kept !== undefined && kept.startsWith('skip:') === (c.outcome === 'skip') ? kept : suggestedReason(c);
    }
    tests[r.module] = entries;
  }
  return { $comment: current.$comment, tests, ...(current.excluded ? { excluded: current.excluded } : {}) };
}
