import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { makeWheels } from '../../../../tools/testing/wheel.ts';
import { builtInPlan, pipInstallArguments, requirementName, unmatchedRequirements, type PipInstallOptions } from './pip.ts';
import { canonicalName, recordedFile, recordPaths } from './pip-target.ts';
import { nxBuildArguments } from './build.ts';

const cli = new URL('../../bin/pywasi.js', import.meta.url).pathname;

const installDefaults: PipInstallOptions = { target: 'deps', requirement: [], findLinks: [], extraIndexUrl: [], index: true, deps: true, quiet: 0, verbose: 0 };

describe('pywasi pip install', () => {
  test('asks the host pip for pure-Python wheels for CPython 3.11, with pass-through sources', () => {
    const args = pipInstallArguments({ ...installDefaults, findLinks: ['./wheels'], indexUrl: 'http://index.invalid/simple' }, ['attrs==23.1.0']);
    expect(args).toEqual([
      '-m', 'pip', 'install', '--target', 'deps', '--only-binary', ':all:', '--implementation', 'py', '--abi', 'none',
      '--platform', 'any', '--python-version', '3.11', '--disable-pip-version-check',
      '--index-url', 'http://index.invalid/simple', '--find-links', './wheels', 'attrs==23.1.0',
    ]);
  });

  test('passes --no-index, -U, --force-reinstall, --no-deps, --pre, -r, -q/-v', () => {
    const args = pipInstallArguments(
      { ...installDefaults, target: 'd', index: false, upgrade: true, forceReinstall: true, deps: false, pre: true, requirement: ['a.txt', 'b.txt'], quiet: 2, verbose: 1 },
      ['x'],
    );
    expect(args.slice(15)).toEqual([
      '--disable-pip-version-check', '--quiet', '--quiet', '--verbose', '--upgrade', '--force-reinstall', '--no-deps', '--pre', '--no-index',
      '--requirement', 'a.txt', '--requirement', 'b.txt', 'x',
    ]);
  });

  test('tells pip not to warn about root, and where to report, when it can', () => {
    expect(pipInstallArguments(installDefaults, ['x'], { python: 'python3', version: [23, 0] }, '/tmp/r.json')).toEqual(
      expect.arrayContaining(['--root-user-action=ignore', '--report', '/tmp/r.json']),
    );
    expect(pipInstallArguments(installDefaults, ['x'], { python: 'python3', version: [21, 3] })).not.toContain('--root-user-action=ignore');
  });

  test('says clearly when the host pip is missing', async () => {
    const result = await execa(process.execPath, [cli, 'pip', 'install', 'attrs'], {
      env: { PYWASI_HOST_PYTHON: '/nonexistent/python3' },
      reject: false,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'pywasi: host pip is missing: `/nonexistent/python3 -m pip` failed (ENOENT). Install it (Debian: apt-get install python3-pip) or point PYWASI_HOST_PYTHON at a Python 3 with pip.',
    );
  });
});

describe('RECORD', () => {
  test('paths are the first CSV field, quoted when they hold a comma or quote', () => {
    expect(recordPaths('a/b.py,sha256=x,1\n"a/c,d.py",sha256=y,2\n"a/""q"".txt",,\nx.dist-info/RECORD,,\n')).toEqual(['a/b.py', 'a/c,d.py', 'a/"q".txt', 'x.dist-info/RECORD']);
  });

  test("entries resolve in the target; pip --target's ../../bin/NAME is the target's bin/; nothing outside", () => {
    expect(recordedFile('/p/deps', 'pkg/__init__.py')).toBe('/p/deps/pkg/__init__.py');
    expect(recordedFile('/p/deps', '../../bin/tool')).toBe('/p/deps/bin/tool');
    expect(recordedFile('/p/deps', '../../share/x/y.txt')).toBe('/p/deps/share/x/y.txt');
    expect(recordedFile('/p/deps', '../../../etc/passwd')).toBeUndefined();
    expect(recordedFile('/p/deps', '/etc/passwd')).toBeUndefined();
    expect(recordedFile('/p/deps', '/p/deps/pkg/a.py')).toBe('/p/deps/pkg/a.py');
  });

  test('names compare as pip compares them', () => {
    expect(canonicalName('Typing_Extensions')).toBe(canonicalName('typing-extensions'));
    expect(canonicalName('zope.interface')).toBe('zope-interface');
  });
});

// The rest runs the built CLI with the host's pip on wheels made here: no network.
const probe = await execa('python3', ['-m', 'pip', '--version'], { reject: false });
const hostPip = probe.exitCode === 0;
if (!hostPip) console.log(`SKIP pywasi pip on local wheels: the host has no \`python3 -m pip\` (${String(probe.stderr || probe.code).split('\n')[0]})`);
const withPip = hostPip ? describe : describe.skip;
/** pip runs take a second or two each here, more on a loaded machine. */
const PIP_TIMEOUT_MS = 180_000;

let scratch = '';
let wheels = '';
let counter = 0;

/** A fresh project directory (the cwd of a pywasi run, holding ./deps). */
function project(): string {
  const dir = path.join(scratch, `p${counter++}`, 'project');
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function pywasi(cwd: string, args: string[], input?: string) {
  const result = await execa(process.execPath, [cli, ...args], { cwd, reject: false, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Every path under dir, relative to it (directories end with /). */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const rel = path.relative(dir, p);
      if (statSync(p).isDirectory()) {
        out.push(`${rel}/`);
        walk(p);
      } else out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

const install = (cwd: string, ...args: string[]) => pywasi(cwd, ['pip', 'install', '--no-index', '--find-links', wheels, ...args]);

async function installed(cwd: string, target = 'deps'): Promise<Record<string, string>> {
  const list = await pywasi(cwd, ['pip', 'list', '--format', 'json', '-t', target]);
  expect(list).toMatchObject({ exitCode: 0 });
  return Object.fromEntries((JSON.parse(list.stdout) as { name: string; version: string }[]).map((p) => [p.name, p.version]));
}

withPip('pywasi pip on local wheels', () => {
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-pip-'));
    wheels = path.join(scratch, 'wheels');
    mkdirSync(wheels);
    await makeWheels(wheels, [
      { name: 'pywt-core', version: '1.0', files: { 'pywt_core/__init__.py': 'VERSION = "1.0"\n', 'pywt_core_legacy.py': 'OLD = True\n' } },
      { name: 'pywt-core', version: '1.1', files: { 'pywt_core/__init__.py': 'VERSION = "1.1"\n', 'pywt_core/data.txt': 'data\n' } },
      {
        name: 'pywt-app',
        version: '2.0',
        requires: ['pywt-core>=1.0'],
        files: { 'pywt_app/__init__.py': 'def main():\n    print("app")\n', 'pywt_app_extra.py': 'X = 1\n' },
        scripts: { 'pywt-app': 'pywt_app:main' },
        data: { 'share/pywt-app/notes.txt': 'notes\n' },
      },
    ]);
  }, PIP_TIMEOUT_MS);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test('install brings the dependencies; list, freeze and show see ./deps only', async () => {
    const cwd = project();
    const run = await install(cwd, 'pywt-app');
    expect(run).toMatchObject({ exitCode: 0 });
    expect(run.stdout).toMatch(/Successfully installed pywt-app-2\.0 pywt-core-1\.1/);
    expect(await installed(cwd)).toEqual({ 'pywt-app': '2.0', 'pywt-core': '1.1' });

    const list = await pywasi(cwd, ['pip', 'list']);
    expect(list.stdout).toMatch(/^Package +Version\n-+ -+\npywt-app +2\.0\npywt-core +1\.1$/);
    expect(await pywasi(cwd, ['pip', 'list', '--not-required', '--format', 'freeze'])).toMatchObject({ exitCode: 0, stdout: 'pywt-app==2.0' });
    expect(await pywasi(cwd, ['pip', 'freeze'])).toMatchObject({ exitCode: 0, stdout: 'pywt-app==2.0\npywt-core==1.1', stderr: '' });

    const show = await pywasi(cwd, ['pip', 'show', 'PYWT_Core', 'pywt-app']);
    expect(show).toMatchObject({ exitCode: 0, stderr: '' });
    expect(show.stdout).toContain(`Name: pywt-core\nVersion: 1.1\n`);
    expect(show.stdout).toContain(`Location: ${path.join(cwd, 'deps')}\nRequires: \nRequired-by: pywt-app\n---\nName: pywt-app`);
    expect(show.stdout).toContain('Requires: pywt-core\nRequired-by: ');
    const files = await pywasi(cwd, ['pip', 'show', '-f', 'pywt-core']);
    expect(files.stdout).toMatch(/Files:\n( {2}\S+\n)* {2}pywt_core\/data\.txt/);

    // The host's own packages are not the target's: pip itself is "not installed" there.
    const host = await pywasi(cwd, ['pip', 'show', 'pip', 'pywt-app']);
    expect(host.exitCode).toBe(1);
    expect(host.stdout).toContain('Name: pywt-app');
    expect(host.stdout).not.toContain('Name: pip');
    expect(host.stderr).toBe('pywasi: not installed in deps: pip');
  }, PIP_TIMEOUT_MS);

  test('--no-deps installs only what is named; -t names another directory', async () => {
    const cwd = project();
    expect(await install(cwd, '--no-deps', '-t', 'other', 'pywt-app')).toMatchObject({ exitCode: 0 });
    expect(existsSync(path.join(cwd, 'deps'))).toBe(false);
    expect(await installed(cwd, 'other')).toEqual({ 'pywt-app': '2.0' });
    // the target as the current directory (which pip's __main__ takes off sys.path)
    expect((await pywasi(path.join(cwd, 'other'), ['pip', 'show', '-t', '.', 'pywt-app'])).stdout).toMatch(/^Name: pywt-app\n/);
  }, PIP_TIMEOUT_MS);

  test('-r installs from requirements files (repeatable), with their pins', async () => {
    const cwd = project();
    writeFileSync(path.join(cwd, 'core.txt'), '# pinned\npywt-core==1.0\n');
    writeFileSync(path.join(cwd, 'app.txt'), 'pywt-app\n');
    const run = await install(cwd, '-q', '-r', 'core.txt', '--requirement', 'app.txt');
    expect(run).toMatchObject({ exitCode: 0, stdout: '' });
    expect(await installed(cwd)).toEqual({ 'pywt-app': '2.0', 'pywt-core': '1.0' });
    // freeze's output is a requirements file that installs the same again
    writeFileSync(path.join(cwd, 'frozen.txt'), `${(await pywasi(cwd, ['pip', 'freeze'])).stdout}\n`);
    expect(await install(cwd, '-q', '-t', 'again', '-r', 'frozen.txt')).toMatchObject({ exitCode: 0 });
    expect(await installed(cwd, 'again')).toEqual({ 'pywt-app': '2.0', 'pywt-core': '1.0' });
  }, PIP_TIMEOUT_MS);

  test('-U replaces the old version entirely; without -U what is there stays, consistently', async () => {
    const cwd = project();
    const deps = path.join(cwd, 'deps');
    expect(await install(cwd, '-q', 'pywt-core==1.0')).toMatchObject({ exitCode: 0 });

    const kept = await install(cwd, '-q', 'pywt-core');
    expect(kept.exitCode).toBe(0);
    expect(kept.stderr).toContain('pywasi: kept pywt-core 1.0 in deps, not 1.1: add -U to replace it');
    expect(await installed(cwd)).toEqual({ 'pywt-core': '1.0' });
    expect(tree(deps).filter((p) => !p.includes('__pycache__'))).toEqual([
      'pywt_core-1.0.dist-info/', 'pywt_core-1.0.dist-info/INSTALLER', 'pywt_core-1.0.dist-info/METADATA', 'pywt_core-1.0.dist-info/RECORD',
      'pywt_core-1.0.dist-info/REQUESTED', 'pywt_core-1.0.dist-info/WHEEL', 'pywt_core/', 'pywt_core/__init__.py', 'pywt_core_legacy.py',
    ]);

    const upgraded = await install(cwd, '-q', '-U', 'pywt-core');
    expect(upgraded).toMatchObject({ exitCode: 0, stderr: 'pywasi: replaced pywt-core 1.0 with 1.1 in deps' });
    expect(await installed(cwd)).toEqual({ 'pywt-core': '1.1' });
    expect(tree(deps).filter((p) => !p.includes('__pycache__'))).toEqual([
      'pywt_core-1.1.dist-info/', 'pywt_core-1.1.dist-info/INSTALLER', 'pywt_core-1.1.dist-info/METADATA', 'pywt_core-1.1.dist-info/RECORD',
      'pywt_core-1.1.dist-info/REQUESTED', 'pywt_core-1.1.dist-info/WHEEL', 'pywt_core/', 'pywt_core/__init__.py', 'pywt_core/data.txt',
    ]);
    expect(tree(deps).filter((p) => p.includes('legacy'))).toEqual([]);
  }, PIP_TIMEOUT_MS);

  test("uninstall removes exactly the package's files: its RECORD, bytecode, scripts and data in the target, nothing outside", async () => {
    const cwd = project();
    const deps = path.join(cwd, 'deps');
    expect(await install(cwd, '-q', 'pywt-app')).toMatchObject({ exitCode: 0 });
    expect(existsSync(path.join(deps, 'bin', 'pywt-app'))).toBe(true);
    // Where the RECORD's ../../bin/pywt-app points from deps itself (what `pip uninstall` with deps
    // on sys.path deletes): not the package's.
    const decoy = path.join(cwd, '..', 'bin', 'pywt-app');
    mkdirSync(path.dirname(decoy));
    writeFileSync(decoy, 'not the package\n');
    // bytecode of another interpreter (python.wasm writes its own), and a file of the user's
    mkdirSync(path.join(deps, 'pywt_app', '__pycache__'), { recursive: true });
    writeFileSync(path.join(deps, 'pywt_app', '__pycache__', '__init__.other-99.pyc'), '');
    writeFileSync(path.join(deps, 'pywt_app', 'mine.txt'), 'the user wrote this\n');
    const before = tree(path.dirname(cwd));

    const run = await pywasi(cwd, ['pip', 'uninstall', '-y', 'pywt-app']);
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    expect(run.stdout).toBe('Found existing installation: pywt-app 2.0\nUninstalling pywt-app-2.0:\n  Successfully uninstalled pywt-app-2.0');

    const after = tree(path.dirname(cwd));
    const gone = before.filter((p) => !after.includes(p)).map((p) => p.replace(/^project\/deps\//, '').replace(/\.[a-z]+-\d+\.pyc$/, '.TAG.pyc'));
    expect(after.filter((p) => !before.includes(p))).toEqual([]);
    expect([...new Set(gone)].sort()).toEqual([
      '__pycache__/',
      '__pycache__/pywt_app_extra.TAG.pyc',
      'bin/',
      'bin/pywt-app',
      'pywt_app-2.0.dist-info/',
      ...['INSTALLER', 'METADATA', 'RECORD', 'REQUESTED', 'WHEEL', 'entry_points.txt'].map((f) => `pywt_app-2.0.dist-info/${f}`),
      'pywt_app/__init__.py',
      'pywt_app/__pycache__/',
      'pywt_app/__pycache__/__init__.TAG.pyc',
      'pywt_app_extra.py',
      'share/',
      'share/pywt-app/',
      'share/pywt-app/notes.txt',
    ]);
    expect(readFileSync(decoy, 'utf8')).toBe('not the package\n');
    expect(readFileSync(path.join(deps, 'pywt_app', 'mine.txt'), 'utf8')).toBe('the user wrote this\n');
    expect(await installed(cwd)).toEqual({ 'pywt-core': '1.1' });
  }, PIP_TIMEOUT_MS);

  test('uninstall asks first: n keeps, y removes, no answer is an error; an unknown name is skipped', async () => {
    const cwd = project();
    expect(await install(cwd, '-q', 'pywt-app')).toMatchObject({ exitCode: 0 });
    const no = await pywasi(cwd, ['pip', 'uninstall', 'pywt-app', 'nothere'], 'n\n');
    expect(no).toMatchObject({ exitCode: 0, stderr: 'pywasi: warning: skipping nothere: not installed in deps' });
    expect(no.stdout).toBe(
      [
        'Found existing installation: pywt-app 2.0',
        'Uninstalling pywt-app-2.0:',
        '  Would remove:',
        '    deps/__pycache__/*',
        '    deps/bin/*',
        '    deps/pywt_app-2.0.dist-info/*',
        '    deps/pywt_app/*',
        '    deps/pywt_app_extra.py',
        '    deps/share/*',
        'Proceed (Y/n)? ',
      ].join('\n'),
    );
    expect(await installed(cwd)).toEqual({ 'pywt-app': '2.0', 'pywt-core': '1.1' });

    const closed = await pywasi(cwd, ['pip', 'uninstall', 'pywt-core']);
    expect(closed).toMatchObject({ exitCode: 1, stderr: 'pywasi: no answer on stdin: nothing removed of pywt-core; pass -y to uninstall without asking' });
    const yes = await pywasi(cwd, ['pip', 'uninstall', 'pywt-core'], 'y\n');
    expect(yes).toMatchObject({ exitCode: 0 });
    expect(yes.stdout).toMatch(/Proceed \(Y\/n\)\? \n {2}Successfully uninstalled pywt-core-1\.1$/);
    expect(await installed(cwd)).toEqual({ 'pywt-app': '2.0' });
  }, PIP_TIMEOUT_MS);

  test('a package pip finds no pure-Python wheel for, which no build has built in, is named in one line', async () => {
    const result = await install(project(), 'pywt-compiled-only');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('No matching distribution found for pywt-compiled-only');
    // pip's own lines reach stderr through a pipe, so pywasi's may come before or after them.
    expect(stripVTControlCharacters(result.stderr).split('\n')).toContain(
      'pywasi: no wheel of pywt-compiled-only runs in python.wasm (a package with compiled parts must be built into it) and no pywasi build here has it built in: docs/python-packages.md says how to add one',
    );
  }, PIP_TIMEOUT_MS);

  test('user errors are one line each, with a non-zero exit', async () => {
    const cwd = project();
    for (const command of [['list'], ['freeze'], ['show', 'x'], ['uninstall', '-y', 'x']]) {
      expect(await pywasi(cwd, ['pip', ...command])).toEqual({
        exitCode: 1,
        stdout: '',
        stderr: 'pywasi: no package directory deps: install packages into it with `pywasi pip install PACKAGE`',
      });
    }
    expect((await pywasi(cwd, ['pip', 'list', '-t', 'vendor'])).stderr).toBe(
      'pywasi: no package directory vendor: install packages into it with `pywasi pip install -t vendor PACKAGE`',
    );
    writeFileSync(path.join(cwd, 'afile'), '');
    expect(await pywasi(cwd, ['pip', 'freeze', '-t', 'afile'])).toMatchObject({ exitCode: 1, stderr: 'pywasi: afile is not a directory (pywasi pip keeps packages in a directory)' });
    expect(await pywasi(cwd, ['pip', 'install'])).toMatchObject({ exitCode: 2, stderr: 'pywasi: pip install needs a package or -r FILE (see `pywasi pip install --help`)' });
    expect(await pywasi(cwd, ['pip', 'install', '-r', 'missing.txt'])).toMatchObject({ exitCode: 1, stderr: 'pywasi: requirements file not found: missing.txt' });
    expect(await pywasi(cwd, ['pip', 'list', '--format', 'xml'])).toMatchObject({ exitCode: 2, stderr: "pywasi: option '--format <format>' argument 'xml' is invalid. Allowed choices are columns, freeze, json." });
    expect(await pywasi(cwd, ['pip', 'show'])).toMatchObject({ exitCode: 2, stderr: "pywasi: missing required argument 'packages'" });

    mkdirSync(path.join(cwd, 'deps'));
    expect(await pywasi(cwd, ['pip', 'show', 'nothere'])).toEqual({ exitCode: 1, stdout: '', stderr: 'pywasi: not installed in deps: nothere' });
    expect(await pywasi(cwd, ['pip', 'list'])).toMatchObject({ exitCode: 0, stderr: '' });
  }, PIP_TIMEOUT_MS);

  test('every subcommand has help with examples', async () => {
    for (const command of ['install', 'list', 'show', 'freeze', 'uninstall']) {
      const help = await pywasi(scratch, ['pip', command, '--help']);
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`\\nExamples:\\n( {2}\\$ pywasi pip \\S.*\\n)*( {2}\\$ pywasi pip ${command}\\b.*)`));
    }
  }, PIP_TIMEOUT_MS);
});

describe('pywasi build', () => {
  test('maps flags to Nx configurations', () => {
    expect(nxBuildArguments({ debug: false, opt: true })).toEqual([
      ['nx', 'build', 'python'],
      ['nx', 'build', 'python', '--configuration=threads'],
    ]);
    expect(nxBuildArguments({ debug: false, opt: false })).toEqual([['nx', 'build', 'python', '--configuration=noopt']]);
    expect(nxBuildArguments({ debug: true, opt: true })).toEqual([['nx', 'build', 'python', '--configuration=debug']]);
  });
});

describe('pywasi', () => {
  test('answers a bad command with one line and exit code 2', async () => {
    const result = await execa(process.execPath, [cli, 'biuld'], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^pywasi: unknown command 'biuld'\n\(Did you mean build\?\)$/);
  });

  test('prints its version', async () => {
    const result = await execa(process.execPath, [cli, '--version']);
    expect(result.stdout).toBe('0.1.0');
  });
});

describe('packages a python build has built in', () => {
  const builds = { threads: [], 'no-threads': [], full: [{ name: 'numpy', version: '2.1.3' }, { name: 'PyYAML', version: '6.0.2' }] };

  test('a requirement names its project, canonically; a path or URL names none', () => {
    expect(requirementName('numpy>=2')).toBe('numpy');
    expect(requirementName('PyYAML[libyaml] == 6.0.2')).toBe('pyyaml');
    expect(requirementName('ruamel.yaml')).toBe('ruamel-yaml');
    expect(requirementName('./wheels/mypkg-1.0-py3-none-any.whl')).toBeUndefined();
  });

  test('with the build that has them, they are skipped with a line each; the rest install', () => {
    expect(builtInPlan(['numpy', 'attrs', 'pyyaml>=6'], 'full', builds)).toEqual({
      install: ['attrs'],
      skipped: ['numpy 2.1.3 is built into python.wasm (the full build): nothing to install', 'PyYAML 6.0.2 is built into python.wasm (the full build): nothing to install'],
      hints: new Map(),
    });
  });

  test('with another build, pip runs, and the build that has them is named if it fails', () => {
    const plan = builtInPlan(['numpy', 'attrs'], 'threads', builds);
    expect(plan.install).toEqual(['numpy', 'attrs']);
    expect([...plan.hints.values()]).toEqual(['numpy has compiled parts, built into the full build: `pywasi python --build full` runs it (no install needed)']);
  });

  test("pip's report of what it found nothing for is read requirement by requirement", () => {
    const stderr = 'ERROR: Could not find a version that satisfies the requirement numpy>=2 (from versions: none)\nERROR: No matching distribution found for numpy>=2\n';
    expect(unmatchedRequirements(stderr)).toEqual(['numpy>=2']);
    expect(unmatchedRequirements('Successfully installed attrs-23.1.0\n')).toEqual([]);
  });

  test('pip\'s coloured errors (FORCE_COLOR, as under Nx) are read the same', () => {
    expect(unmatchedRequirements('\x1b[31mERROR: No matching distribution found for numpy>=2\x1b[0m\n')).toEqual(['numpy>=2']);
  });
});
