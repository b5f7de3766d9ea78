// `pywasi pip` against the real package index (the one the host pip is configured for): pure-Python
// packages with their dependencies install into ./deps and work in python.wasm, and the help
// examples of every `pywasi pip` command run as written. Skipped, with the reason printed, when
// the index cannot be reached from here.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { makeWheels } from '../../../tools/testing/wheel.ts';
import { BUILD_TIMEOUT_MS, buildCpython, cli, describeRun, lastJson, py, pywasi, pywasiPython, runGroup } from './harness.ts';

/** Downloads from the index take most of it; pip caches them for later runs. */
const INDEX_TIMEOUT_MS = 600_000;

/** Whether the host pip gets a wheel from its index (not its cache: --no-cache-dir). */
async function probeIndex(): Promise<{ ok: true } | { ok: false; why: string }> {
  const dest = mkdtempSync(path.join(tmpdir(), 'pywasi-index-probe-'));
  try {
    const run = await execa(
      'python3',
      ['-m', 'pip', 'download', '--no-deps', '--no-cache-dir', '--only-binary', ':all:', '--timeout', '20', '--retries', '1', '--dest', dest, 'attrs'],
      { reject: false, all: true, timeout: 120_000 },
    );
    if (run.exitCode === 0) return { ok: true };
    // pip retries quietly, then says only that it found no version: the retry's cause says why
    const lines = String(run.all ?? run.message).trim().split('\n');
    const cause = lines.findLast((l) => /connection|resolve|timed out|ssl|proxy/i.test(l)) ?? lines.at(-1);
    return { ok: false, why: `\`python3 -m pip download attrs\` failed (${run.timedOut ? 'timed out' : `exit ${run.exitCode}`}): ${cause}` };
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
}

const index = await probeIndex();
if (!index.ok) console.log(`SKIP pywasi pip against the package index: it cannot be reached from here: ${index.why}`);
const online = index.ok ? test : test.skip;

let scratch = '';
beforeAll(async () => {
  if (!index.ok) return;
  await buildCpython();
  scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-pip-index-'));
}, BUILD_TIMEOUT_MS);
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const ok = (run: { exitCode: number }) => ({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run as Parameters<typeof describeRun>[0]) });

describe('pywasi pip with the package index', () => {
  online(
    'rich, attrs and httpx with its dependencies install into ./deps and work in python.wasm',
    async () => {
      const project = path.join(scratch, 'app');
      mkdirSync(project);
      const install = await pywasi(['pip', 'install', 'rich', 'attrs', 'httpx'], { cwd: project, timeoutMs: INDEX_TIMEOUT_MS });
      expect(ok(install)).toEqual({ exit: 0, detail: '' });
      expect(install.stdout).toMatch(/^Successfully installed .*\battrs-\d.*\bhttpx-\d.*\brich-\d/m);

      const list = await pywasi(['pip', 'list', '--format', 'json'], { cwd: project });
      const names = (JSON.parse(list.stdout) as { name: string }[]).map((p) => p.name.toLowerCase());
      expect(names).toEqual(expect.arrayContaining(['rich', 'attrs', 'httpx', 'httpcore', 'h11', 'anyio', 'idna', 'certifi', 'pygments', 'markdown-it-py']));

      const run = await pywasiPython([py('pip_packages.py')], { cwd: project, timeoutMs: 120_000 });
      expect(ok(run)).toEqual({ exit: 0, detail: '' });
      expect(run.stdout).toMatch(/┃ package ┃ version ┃\n┡━+╇━+┩\n│ attrs +│ +\d+\.\d+\.\d+ │\n│ httpx +│ +\d/);
      const report = lastJson<{ url: string; method: string; content_type: string; body: string; status: number; reply: unknown; files: Record<string, string>; wheel: string }>(run);
      expect(report).toMatchObject({
        url: 'https://example.org/items?q=wasm',
        method: 'POST',
        content_type: 'application/json',
        body: '{"n":1}',
        status: 201,
        reply: { echo: { n: 2 }, path: '/items' },
      });
      expect(report.wheel).toMatch(/^Wheel\(name='attrs', version='\d/);
      for (const [name, file] of Object.entries(report.files)) expect(file).toBe(path.join(project, 'deps', name, '__init__.py'));
    },
    INDEX_TIMEOUT_MS,
  );

  online(
    'the help examples of every pywasi pip command run as written, in order',
    async () => {
      const project = path.join(scratch, 'examples');
      mkdirSync(path.join(project, 'wheels'), { recursive: true });
      // What the examples assume is there: a requirements file, and ./wheels with mypkg.
      writeFileSync(path.join(project, 'requirements.txt'), 'attrs\n');
      await makeWheels(path.join(project, 'wheels'), [{ name: 'mypkg', version: '1.0', files: { 'mypkg/__init__.py': 'NAME = "mypkg"\n' } }]);
      const ran: string[] = [];
      for (const command of [[], ['install'], ['list'], ['show'], ['freeze'], ['uninstall']]) {
        const help = await pywasi(['pip', ...command, '--help'], { cwd: project });
        const examples = [...help.stdout.split('\nExamples:\n')[1]!.matchAll(/^ {2}\$ (pywasi .*)$/gm)].map((m) => m[1]!);
        expect(examples.length).toBeGreaterThan(0);
        for (const example of examples) {
          // As typed in a shell; a frozen mypkg (only in ./wheels) is found there when reinstalled.
          const run = await runGroup('bash', ['-c', `pywasi() { "${process.execPath}" "${cli}" "$@"; }; ${example} <<< y`], {
            cwd: project,
            env: { PIP_FIND_LINKS: path.join(project, 'wheels') },
            timeoutMs: INDEX_TIMEOUT_MS,
          });
          expect({ example, ...ok(run) }).toEqual({ example, exit: 0, detail: '' });
          ran.push(example);
        }
      }
      process.stdout.write(`ran the pywasi pip help examples:\n  ${ran.join('\n  ')}\n`);
      const left = await pywasi(['pip', 'freeze'], { cwd: project });
      expect(left.stdout).not.toMatch(/^(attrs|rich|httpx)==/m);
      expect(left.stdout).toMatch(/^mypkg==1\.0$/m);
    },
    INDEX_TIMEOUT_MS,
  );
});
