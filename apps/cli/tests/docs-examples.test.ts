// The docs' examples, run as a reader would type them: every `pywasi` line of the README's ```sh
// blocks (`npx pywasi ...` or `pywasi ...`), and every line of the "Examples:" section of the CLI's
// --help texts. Each runs through `sh` in one scratch directory, in document order, with `pywasi`
// on PATH meaning this workspace's built CLI (apps/cli/bin/pywasi.js), and must exit with 0, or
// with the code a trailing `# ... exit: N` comment gives.
//
// Not run, each with its reason printed:
// - a README line whose trailing comment says `needs: <what>` (a terminal, a container, the
//   network, a full build);
// - the help examples listed in HELP_NEEDS (help texts cannot carry the comment) and in
//   KNOWN_FAILING (wrong as written, with the reason; empty when every example runs).
// An `http.server` example is a server: it must answer GET / on its port, and is then killed.
//
// The scratch directory holds what the examples name: script.py, data/, wheels/ with a wheel of
// `mypkg`, hello.wasm (a WASI module that prints a line) and client.wasm (the same module, standing
// in for a client), python.wasm with lib/python/lib/python311.zip (for `pywasi run ... python.wasm`).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { workspaceRoot } from '../../../tools/testing/nx.ts';
import { wat } from '../../../tools/testing/wat.ts';

const cli = path.join(workspaceRoot, 'apps/cli/bin/pywasi.js');
const pythonDist = path.join(workspaceRoot, 'dist/python');
const RUN_TIMEOUT_MS = 120_000;

/** The help texts whose "Examples:" sections are run. */
const HELP_COMMANDS = [[], ['python'], ['run'], ['pip', 'install'], ['build']];

/** Help examples that cannot run here, and why. */
const HELP_NEEDS: Record<string, string> = {
  'pywasi python': 'a terminal (the REPL)',
  // These three run, with the index, in libs/cpython/tests/pip-index.test.ts.
  'pywasi pip install attrs': 'the network (a package index)',
  "pywasi pip install -U 'rich>=13' httpx": 'the network (a package index)',
  'pywasi pip install -r requirements.txt': 'the network (a package index)',
  'pywasi build': 'a full `nx build python`: minutes when not cached, never in a test',
  'pywasi build --debug': 'a full pydebug build of CPython, never in a test',
  // Runs, with the full build, in libs/python-packages/tests/built-in-packages.test.ts.
  "pywasi python --build full -c 'import numpy; print(numpy.arange(6).reshape(2, 3).sum(0))'": 'the full build (nx build python-full)',
  // A build with chosen packages: a relink and its wasm-opt (minutes), never in a test; the project
  // it writes is tested in apps/cli/src/commands/composed-build.test.ts.
  'pywasi build --with numpy,pyyaml --name sci': 'a relink of python.wasm and its wasm-opt (minutes), never in a test',
  'pywasi python --build sci -c "import numpy, yaml"': 'the build the example before makes',
  // These two run in libs/python-packages/tests/threads-packages.test.ts.
  'pywasi build --with markupsafe,pyyaml --threads': 'the threads builds of LibYAML, PyYAML and MarkupSafe, a relink and its wasm-opt (minutes)',
  'pywasi python --build with-markupsafe-pyyaml-threads -c "import yaml, markupsafe"': 'the build the example before makes',
};

/** Help examples that fail as written, and why: move them out when the help is fixed. */
const KNOWN_FAILING: Record<string, string> = {};

interface Example {
  /** Where it was found: "README.md:123" or "pywasi run --help". */
  source: string;
  line: string;
  exit: number;
  /** Why it is not run here. */
  skip?: string;
}

const PYWASI_LINE = /^(?:npx\s+)?pywasi(?:\s|$)/;

/** The `pywasi` lines of a markdown text's ```sh blocks, with their `needs:` and `exit:` marks. */
function markdownExamples(markdown: string, file: string): Example[] {
  const examples: Example[] = [];
  let inSh = false;
  for (const [i, raw] of markdown.split('\n').entries()) {
    const fence = /^\s*```(\w*)/.exec(raw);
    if (fence) {
      inSh = !inSh && ['sh', 'bash', 'shell'].includes(fence[1]!);
      continue;
    }
    const line = raw.trim().replace(/^\$\s+/, '');
    if (!inSh || !PYWASI_LINE.test(line)) continue;
    // The marks live in the trailing comment: a `#` after which no quote opens.
    const needs = /\s#[^'"]*\bneeds:\s*([^'"#]+?)\s*$/.exec(line)?.[1];
    const exit = /\s#[^'"]*\bexit:\s*(\d+)/.exec(line)?.[1];
    examples.push({ source: `${file}:${i + 1}`, line, exit: exit ? Number(exit) : 0, ...(needs ? { skip: `needs: ${needs}` } : {}) });
  }
  return examples;
}

/** The lines of a help text's "Examples:" section, without their `$ ` prompts. */
function helpExamples(help: string): string[] {
  const lines = help.split('\n');
  const at = lines.findIndex((l) => l.trim() === 'Examples:');
  if (at < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.trim()) break;
    out.push(l.trim().replace(/^\$\s+/, ''));
  }
  return out;
}

function collect(): { examples: Example[]; notes: string[] } {
  const notes: string[] = [];
  const examples = markdownExamples(readFileSync(path.join(workspaceRoot, 'README.md'), 'utf8'), 'README.md');
  for (const args of HELP_COMMANDS) {
    const name = ['pywasi', ...args, '--help'].join(' ');
    const r = spawnSync(process.execPath, [cli, ...args, '--help'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${name} exited with ${r.status}: ${r.stderr || r.error?.message} (is the CLI built? npx nx build pywasi)`);
    const lines = helpExamples(r.stdout);
    if (!lines.length) notes.push(`${name} has no "Examples:" section`);
    for (const line of lines) {
      const skip = HELP_NEEDS[line] ? `needs: ${HELP_NEEDS[line]}` : KNOWN_FAILING[line] ? `known to fail: ${KNOWN_FAILING[line]}` : undefined;
      examples.push({ source: name, line, exit: 0, ...(skip ? { skip } : {}) });
    }
  }
  return { examples, notes };
}

const { examples, notes } = collect();
let scratch = '';
let env: NodeJS.ProcessEnv = {};

/** A pure-Python wheel is a zip with a dist-info: written by the host's python3, no build tools. */
function writeWheel(dir: string): void {
  const script = [
    'import sys, zipfile',
    'files = {"mypkg/__init__.py": "GREETING = \'hello from mypkg\'\\n",',
    '  "mypkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: mypkg\\nVersion: 1.0\\n",',
    '  "mypkg-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}',
    'files["mypkg-1.0.dist-info/RECORD"] = "".join(f"{name},,\\n" for name in files) + "mypkg-1.0.dist-info/RECORD,,\\n"',
    'with zipfile.ZipFile(sys.argv[1] + "/mypkg-1.0-py3-none-any.whl", "w") as z:',
    '    [z.writestr(name, text) for name, text in files.items()]',
  ].join('\n');
  execFileSync('python3', ['-c', script, dir]);
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-docs-examples-'));
  const work = path.join(scratch, 'work');
  const bin = path.join(scratch, 'bin');
  mkdirSync(work);
  mkdirSync(bin);
  // `pywasi` on PATH is the workspace's CLI, on the Node running this test (it hands over to Node 24).
  writeFileSync(path.join(bin, 'pywasi'), `#!/bin/sh\nexec '${process.execPath}' '${cli}' "$@"\n`);
  chmodSync(path.join(bin, 'pywasi'), 0o755);
  env = { ...process.env, PATH: `${bin}:${process.env['PATH']}` };
  for (const name of ['PYWASI_PYTHON_DIR', 'PYWASI_FROM_SOURCES', 'NODE_OPTIONS']) delete env[name];

  writeFileSync(path.join(work, 'script.py'), 'import sys\nprint("script.py", sys.argv[1:])\n');
  mkdirSync(path.join(work, 'data'));
  writeFileSync(path.join(work, 'data', 'hello.txt'), 'hello\n');
  mkdirSync(path.join(work, 'wheels'));
  writeWheel(path.join(work, 'wheels'));
  const hello = await wat(`(module
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "hello from a WASI module\\n")
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 16))
      (i32.store (i32.const 4) (i32.const 25))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
  writeFileSync(path.join(work, 'hello.wasm'), hello);
  writeFileSync(path.join(work, 'client.wasm'), hello);
  copyFileSync(path.join(pythonDist, 'python.wasm'), path.join(work, 'python.wasm'));
  mkdirSync(path.join(work, 'lib/python/lib'), { recursive: true });
  copyFileSync(path.join(pythonDist, 'usr/local/lib/python311.zip'), path.join(work, 'lib/python/lib/python311.zip'));

  for (const note of notes) console.log(`docs examples: ${note}`);
  const skipped = examples.filter((e) => e.skip);
  if (skipped.length) console.log(`docs examples not run:\n${skipped.map((e) => `  ${e.source}: ${e.line}\n    ${e.skip}`).join('\n')}`);
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The line as sh runs it: `npx pywasi` is the `pywasi` on PATH (npx would ask a registry). */
const shellLine = (line: string) => line.replace(/^npx\s+pywasi/, 'pywasi');

function run(line: string): Promise<{ exit: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', shellLine(line)], { cwd: path.join(scratch, 'work'), env, stdio: ['ignore', 'pipe', 'pipe'], timeout: RUN_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (exit) => resolve({ exit, stdout, stderr }));
  });
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** Starts a server example, waits for GET / to answer on its port, then kills it. */
async function serve(line: string, port: number): Promise<{ status: number | undefined; stderr: string }> {
  const child = spawn('sh', ['-c', shellLine(line)], { cwd: path.join(scratch, 'work'), env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let status: number | undefined;
  try {
    const deadline = Date.now() + 60_000;
    while (status === undefined && Date.now() < deadline && child.exitCode === null) {
      try {
        status = (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) })).status;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    // The whole group: sh, pywasi, and the Node 24 it hands over to.
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5_000);
    await exited;
    clearTimeout(killer);
  }
  return { status, stderr };
}

describe('the docs examples', () => {
  test('were found: the README has some, and so have the help texts', () => {
    expect(examples.filter((e) => e.source.startsWith('README.md')).length).toBeGreaterThan(3);
    expect(examples.filter((e) => e.source.endsWith('--help')).length).toBeGreaterThan(3);
  });

  for (const example of examples) {
    const title = `${example.source}: ${example.line}`;
    if (example.skip) {
      test.skip(`${title}  [${example.skip}]`, () => {});
      continue;
    }
    const server = /\bhttp\.server(?:\s+(\d+))?/.exec(example.line);
    if (server) {
      const port = Number(server[1] ?? 8000);
      test(`${title}  [a server: answers GET / on port ${port}]`, async () => {
        if (!(await portFree(port))) {
          console.log(`docs examples: not run, port ${port} is in use on this machine: ${title}`);
          return;
        }
        const r = await serve(example.line, port);
        expect({ status: r.status, stderr: r.status === 200 ? '' : r.stderr }).toEqual({ status: 200, stderr: '' });
      }, RUN_TIMEOUT_MS);
      continue;
    }
    test(title, async () => {
      const r = await run(example.line);
      const ok = r.exit === example.exit;
      expect({ exit: r.exit, output: ok ? '' : `${r.stdout}\n${r.stderr}`.trim() }).toEqual({ exit: example.exit, output: '' });
    }, RUN_TIMEOUT_MS);
  }
});
