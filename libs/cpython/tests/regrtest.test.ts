// The regrtest result handling on its own (no build needed): junit parsing, module verdicts and
// the comparison with the expected-failures manifest.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { compare, exclusionArgs, moduleVerdict, parseJunit, suggestManifest, type ManifestFile, type ModuleResult } from './regrtest.ts';

const xml = `<testsuites tests="5" errors="1" failures="1"><testsuite tests="5">
<testcase name="test.test_x.A.test_ok" status="run" result="completed" time="0.01" />
<testcase name="test.test_x.A.test_skip" status="run" result="completed" time="0.0"><skipped>needs &lt;threads&gt;</skipped></testcase>
<testcase name="test.test_x.A.test_err" status="run" result="completed" time="0.0"><error type="RuntimeError">Traceback (most recent call last):
  File "x.py", line 1
RuntimeError: can't start new thread
</error></testcase>
<testcase name="test.test_x.A.test_fail" status="run" result="completed" time="0.0"><failure>AssertionError: 8 != 57</failure></testcase>
<testcase name="test.test_x.A.test_ok" status="run" result="completed" time="0.01" />
<testcase name="test.test_x.A.test_err" status="run" result="completed" time="0.0" />
</testsuite></testsuites>`;

describe('regrtest results', () => {
  test('parses junit test cases, keeping the worst outcome of a repeated id', () => {
    expect(parseJunit(xml)).toEqual([
      { id: 'test.test_x.A.test_ok', outcome: 'pass', message: '' },
      { id: 'test.test_x.A.test_skip', outcome: 'skip', message: 'needs <threads>' },
      { id: 'test.test_x.A.test_err', outcome: 'error', message: "RuntimeError: can't start new thread" },
      { id: 'test.test_x.A.test_fail', outcome: 'fail', message: 'AssertionError: 8 != 57' },
    ]);
  });

  test('reads whole-module verdicts', () => {
    expect(moduleVerdict('test_socket', '0:00:00 [1/1] test_socket\ntest_socket skipped -- requires socket support\ntest_socket skipped\n')).toEqual({
      skipped: 'requires socket support',
      verdict: 'test_socket skipped -- requires socket support',
    });
    expect(moduleVerdict('test_x', 'test_x failed (3 errors)\n').verdict).toBe('test_x failed (3 errors)');
    expect(moduleVerdict('test_x', '== Tests result: SUCCESS ==\n\n1 test OK.\n').verdict).toBe('test_x passed');
  });

  test('fails only on unlisted failures; reports listed entries that pass', () => {
    const result: ModuleResult = { module: 'test_x', seconds: 1, exitCode: 2, timedOut: false, verdict: '', cases: parseJunit(xml) };
    const comparison = compare(result, { 'test.test_x.A.test_err': 'threads', 'test.test_x.A.test_ok': 'was broken', 'test.test_x.A.gone': 'renamed' });
    expect(comparison.unexpectedFailures.map((c) => c.id)).toEqual(['test.test_x.A.test_fail']);
    expect(comparison.unlistedSkips.map((c) => c.id)).toEqual(['test.test_x.A.test_skip']);
    expect(comparison.nowPassing).toEqual([{ id: 'test.test_x.A.test_ok', reason: 'was broken' }]);
    expect(comparison.notSeen).toEqual(['test.test_x.A.gone']);
    // A skip's old reason does not carry over to a failure (a build where the test now runs).
    const suggested = suggestManifest([result], { tests: { test_x: { 'test.test_x.A.test_err': 'threads', 'test.test_x.A.test_fail': 'skip: needs X' } } });
    expect(suggested.tests['test_x']).toEqual({
      'test.test_x.A.test_skip': 'skip: needs <threads>',
      'test.test_x.A.test_err': 'threads',
      'test.test_x.A.test_fail': 'fail: AssertionError: 8 != 57 (TODO: explain)',
    });
  });

  test('excluded tests become regrtest --ignore options, and a suggested manifest keeps them', () => {
    const manifest: ManifestFile = { tests: {}, excluded: { test_x: { SlowTest: 'waits 5 s per test', 'test_y*': 'hangs' } } };
    expect(exclusionArgs(manifest, 'test_x')).toEqual(['--ignore', 'SlowTest', '--ignore', 'test_y*']);
    expect(exclusionArgs(manifest, 'test_z')).toEqual([]);
    expect(suggestManifest([], manifest).excluded).toEqual(manifest.excluded);
  });

  test('a dotted module name is matched literally in the verdict', () => {
    expect(moduleVerdict('test_asyncio.test_streams', 'test_asyncio.test_streams failed (1 error)\n').verdict).toBe('test_asyncio.test_streams failed (1 error)');
    expect(moduleVerdict('test_asyncio.test_streams', 'test_asyncioXtest_streams failed (1 error)\n').verdict).toBe('');
  });

  test.each(['expected-failures.json', 'expected-failures-threads.json'])('%s is well-formed: every entry has a one-line reason', (file) => {
    const manifest = JSON.parse(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')) as ManifestFile;
    for (const entries of [...Object.values(manifest.tests), ...Object.values(manifest.excluded ?? {})]) {
      for (const [id, reason] of Object.entries(entries)) {
        expect(id).toMatch(/^(test[._]|[A-Za-z])/);
        expect(reason).toMatch(/^[^\n]+$/);
        expect(reason).not.toContain('TODO');
      }
    }
  });
});
