// The packages built into python.wasm (dist/python-full) pass their own upstream test suites,
// run by pytest inside python.wasm: every test that fails must be listed in upstream-suites.json
// with its reason, every listed one must still fail (else the list is stale), and at least the
// recorded number pass. pytest and its imports are pinned wheels the host pip installs.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';

const here = path.dirname(fileURLToPath(import.meta.url));
const workspaceRoot = path.resolve(here, '..', '..', '..');
const cli = path.join(workspaceRoot, 'apps', 'cli', 'bin', 'pywasi.js');
const pythonDir = path.join(workspaceRoot, 'dist', 'python-full');

interface Suite {
  /** The suite's directory in the package's source tree. */
  dir: string;
  minPassed: number;
  /** pytest node id (file::Class::test[param]) -> why it fails in python.wasm. */
  expectedFailures: Record<string, string>;
  /** More pytest arguments, e.g. `-k` to leave out what pytest collects but the package's own
   * runner never runs (abstract TestCase bases, test_suite() builders); say why in `$comment`. */
  pytestArgs?: string[];
}
const suites = Object.entries(JSON.parse(readFileSync(path.join(here, 'upstream-suites.json'), 'utf8')) as Record<string, Suite>).filter(([name]) => !name.startsWith('$'));

let scratch = '';
beforeAll(async () => {
  if (!existsSync(path.join(pythonDir, 'python.wasm'))) throw new Error(`${pythonDir}/python.wasm is missing: nx build python-full`);
  scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-upstream-'));
  // ./deps of the directory python runs in is on its path (pywasi python finds it).
  const install = await execa('python3', ['-m', 'pip', 'install', '--quiet', '--no-deps', '--only-binary', ':all:', '--require-hashes', '--target', path.join(scratch, 'deps'), '-r', path.join(here, 'requirements-pytest.txt')], { reject: false, all: true });
  if (install.exitCode !== 0) throw new Error(`installing pytest for the guest failed:\n${install.all}`);
}, 300_000);
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The node ids of the failed and errored tests, and the number passed, from pytest's JUnit XML
 * (junit_family=xunit1: its `file` attribute splits the dotted classname into file and class). */
function junitOutcome(xml: string): { failed: string[]; passed: number } {
  const failed: string[] = [];
  let passed = 0;
  const unescape = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[3] ?? '';
    if (/<skipped/.test(body)) continue;
    const attrs = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1]!, unescape(a[2]!)]));
    const classname = attrs['classname'] ?? '';
    const file = attrs['file'] ?? classname.replaceAll('.', '/') + '.py';
    const module = file.replace(/\.py$/, '').replaceAll('/', '.');
    const cls = classname.startsWith(module + '.') ? classname.slice(module.length + 1).split('.') : [];
    const id = [file, ...cls, attrs['name'] ?? ''].join('::');
    if (/<(failure|error)/.test(body)) failed.push(id);
    else passed++;
  }
  return { failed: failed.sort(), passed };
}

describe('upstream test suites of the built-in packages, inside python.wasm', () => {
  test.each(suites)('%s', async (name, suite) => {
    const source = path.join(workspaceRoot, 'build', name, 'src', suite.dir);
    if (!existsSync(source)) throw new Error(`${source} is missing: nx run ${name}:source`);
    cpSync(source, path.join(scratch, name, suite.dir), { recursive: true });
    const junit = `${name}-junit.xml`;
    const run = await execa(process.execPath, [cli, 'python', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-rfE', '-o', 'junit_family=xunit1', `--junitxml=${junit}`, ...(suite.pytestArgs ?? []), `${name}/${suite.dir}`], {
      cwd: scratch,
      env: { PYWASI_PYTHON_DIR: pythonDir },
      reject: false,
      all: true,
      timeout: 600_000,
    });
    const report = path.join(scratch, junit);
    if (!existsSync(report)) throw new Error(`pytest wrote no report (exit ${run.exitCode}):\n${run.all}`);
    const { failed, passed } = junitOutcome(readFileSync(report, 'utf8'));
    const listed = Object.keys(suite.expectedFailures).sort();
    expect({ unexpected: failed.filter((id) => !listed.includes(id)), fixed: listed.filter((id) => !failed.includes(id)) }).toEqual({ unexpected: [], fixed: [] });
    expect(passed).toBeGreaterThanOrEqual(suite.minPassed);
    console.log(`${name}: ${passed} passed, ${failed.length} failed as listed`);
  }, 660_000);
});
