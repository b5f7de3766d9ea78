// `pywasi pip`: the host's pip manages a `--target` directory (./deps) of pure-Python packages
// for python.wasm, which `pywasi python` puts on PYTHONPATH. install, list, freeze and show are
// the host pip's own commands; uninstall is pywasi's (pip-target.ts says why).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { Command, Option } from 'commander';
import { builtInPackages, installedBuilds, NO_THREADS_BUILD, pythonBuildDir, THREADS_BUILD } from '@pywasi/python';
import { CliError } from '../cli-error.ts';
import { canonicalName, distributions, planRemoval, recordedByOthers, remove, requireTarget, summarise, topLevel, type Distribution, type Removal } from './pip-target.ts';

export interface PipInstallOptions {
  target: string;
  requirement: string[];
  findLinks: string[];
  indexUrl?: string;
  extraIndexUrl: string[];
  index: boolean;
  upgrade?: boolean;
  /** false with --no-deps */
  deps: boolean;
  pre?: boolean;
  forceReinstall?: boolean;
  quiet: number;
  verbose: number;
  /** The python build the packages are for (its built-in packages need no install). */
  build?: string;
}

/** The project name a requirement names (`numpy>=2`, `PyYAML[extra]`), canonical; undefined for a path or URL. */
export function requirementName(requirement: string): string | undefined {
  const name = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@]|$)/.exec(requirement)?.[1];
  return name && !requirement.includes('/') ? canonicalName(name) : undefined;
}

/** Requested packages the build has built in (skipped: they are there), and hints for those it
 * lacks but another build has. */
export function builtInPlan(packages: string[], build: string, builds: Record<string, { name: string; version: string }[]>): { install: string[]; skipped: string[]; hints: Map<string, string> } {
  const install: string[] = [];
  const skipped: string[] = [];
  const hints = new Map<string, string>();
  for (const requirement of packages) {
    const name = requirementName(requirement);
    const here = name ? builds[build]?.find((p) => canonicalName(p.name) === name) : undefined;
    if (here) {
      skipped.push(`${here.name} ${here.version} is built into python.wasm (the ${build} build): nothing to install`);
      continue;
    }
    install.push(requirement);
    const elsewhere = name ? Object.entries(builds).find(([, list]) => list.some((p) => canonicalName(p.name) === name))?.[0] : undefined;
    if (name && elsewhere) hints.set(name, `${name} has compiled parts, built into the ${elsewhere} build: \`pywasi python --build ${elsewhere}\` runs it (no install needed)`);
  }
  return { install, skipped, hints };
}

/** Every python build pywasi can run, by name, with its built-in packages: the threads build and
 * the one without, those beside the latter in the workspace, and the published ones installed
 * (@pywasi/python-<name>). */
function knownBuilds(): Record<string, { name: string; version: string }[]> {
  const base = pythonBuildDir(NO_THREADS_BUILD);
  const builds: Record<string, { name: string; version: string }[]> = { [THREADS_BUILD]: builtInPackages(pythonBuildDir(THREADS_BUILD)), [NO_THREADS_BUILD]: builtInPackages(base) };
  const parent = path.dirname(base);
  const prefix = `${path.basename(base)}-`;
  for (const entry of existsSync(parent) ? readdirSync(parent) : []) {
    if (entry.startsWith(prefix)) builds[entry.slice(prefix.length)] ??= builtInPackages(path.join(parent, entry));
  }
  for (const [name, dir] of installedBuilds()) builds[name] ??= builtInPackages(dir);
  return builds;
}

/** What the host pip can do, by its version. */
export interface HostPip {
  python: string;
  version: readonly [number, number];
}

const atLeast = (pip: HostPip, major: number, minor: number): boolean =>
  pip.version[0] > major || (pip.version[0] === major && pip.version[1] >= minor);

const repeat = (flag: string, times: number): string[] => Array.from({ length: times }, () => flag);

/**
 * The host pip installs for the guest: only pure-Python wheels (py3-none-any) fit python.wasm,
 * so pip is told the target platform instead of using the host's.
 */
export function pipInstallArguments(options: PipInstallOptions, packages: string[], pip?: HostPip, report?: string): string[] {
  return [
    '-m', 'pip', 'install',
    '--target', options.target,
    '--only-binary', ':all:',
    '--implementation', 'py',
    '--abi', 'none',
    '--platform', 'any',
    '--python-version', '3.11',
    '--disable-pip-version-check',
    // pip's warning about running as root is about the host's environment, which --target leaves alone
    ...(pip && atLeast(pip, 22, 1) ? ['--root-user-action=ignore'] : []),
    ...(report !== undefined ? ['--report', report] : []),
    ...repeat('--quiet', options.quiet),
    ...repeat('--verbose', options.verbose),
    ...(options.upgrade ? ['--upgrade'] : []),
    ...(options.forceReinstall ? ['--force-reinstall'] : []),
    ...(options.deps ? [] : ['--no-deps']),
    ...(options.pre ? ['--pre'] : []),
    ...(options.index ? [] : ['--no-index']),
    ...(options.indexUrl ? ['--index-url', options.indexUrl] : []),
    ...options.extraIndexUrl.flatMap((url) => ['--extra-index-url', url]),
    ...options.findLinks.flatMap((link) => ['--find-links', link]),
    ...options.requirement.flatMap((file) => ['--requirement', file]),
    ...packages,
  ];
}

/** The host Python that runs pip: $PYWASI_HOST_PYTHON, else python3 on PATH. */
export function hostPython(env: NodeJS.ProcessEnv = process.env): string {
  return env['PYWASI_HOST_PYTHON'] || 'python3';
}

async function loadExeca() {
  // loaded when a command needs it: a `python` run never does (its start-up ~30 ms and ~6 MiB less)
  return (await import('execa')).execa;
}

/** Finds the host pip and its version, or fails with what to install. */
export async function hostPip(): Promise<HostPip> {
  const python = hostPython();
  const execa = await loadExeca();
  const probe = await execa(python, ['-m', 'pip', '--version'], { reject: false });
  if (probe.failed) {
    throw new CliError(
      `host pip is missing: \`${python} -m pip\` failed (${probe.code ?? `exit ${probe.exitCode}`}). ` +
        `Install it (Debian: apt-get install python3-pip) or point PYWASI_HOST_PYTHON at a Python 3 with pip.`,
    );
  }
  const m = /^pip (\d+)\.(\d+)/.exec(String(probe.stdout));
  return { python, version: m ? [Number(m[1]), Number(m[2])] : [0, 0] };
}

/** Runs the host pip with the terminal as its own; its exit code. */
async function runPip(pip: HostPip, args: string[]): Promise<{ exitCode: number; stderr: string }> {
  const execa = await loadExeca();
  // stderr is kept (what pip found no wheel for is read from it) and shown when pip ends, so that
  // pywasi's lines after it come after it (pip writes only warnings and errors there).
  const result = await execa(pip.python, args, { stdin: 'inherit', stdout: 'inherit', stderr: 'pipe', stripFinalNewline: false, reject: false });
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  if (stderr) process.stderr.write(stderr);
  return { exitCode: result.exitCode ?? 1, stderr };
}

/**
 * The requirements pip found no installable wheel for (pip's "No matching distribution found for X").
 * pip colours its errors when FORCE_COLOR is set (Nx sets it for tasks), so escapes are stripped first.
 */
export function unmatchedRequirements(pipStderr: string): string[] {
  return [...stripVTControlCharacters(pipStderr).matchAll(/No matching distribution found for (\S+)/g)].map((m) => m[1]!);
}

/** How to fill `target` (for the message when it is missing). */
const installHint = (target: string): string => `pywasi pip install ${target === 'deps' ? '' : `-t ${target} `}PACKAGE`;

/**
 * pip show has no --path: it reports what is on sys.path. This runs it with sys.path cut down to
 * the target and the standard library (pip itself is imported first, and loads the rest of its
 * modules from its own package directory), so it sees no host package, also in Required-by.
 */
export const SHOW_BOOTSTRAP = `
import os, runpy, sys, sysconfig
if sys.path and sys.path[0] == '':
    del sys.path[0]
import pip
target = os.path.abspath(sys.argv[1])
paths = sysconfig.get_paths()
stdlib = {os.path.realpath(paths[k]) for k in ('stdlib', 'platstdlib')}
stdlib |= {os.path.join(p, 'lib-dynload') for p in stdlib}
libdirs = {os.path.dirname(p) for p in stdlib}
def is_stdlib(p):
    real = os.path.realpath(p)
    return real in stdlib or (real.endswith('.zip') and os.path.dirname(real) in libdirs)
# the target last: pip's __main__ drops a first entry that is the current directory
sys.path[:] = [p for p in sys.path if p and is_stdlib(p)] + [target]
sys.argv = ['pip'] + sys.argv[2:]
runpy.run_module('pip', run_name='__main__', alter_sys=True)
`;

export function pipListArguments(options: { target: string; format?: string; notRequired?: boolean }): string[] {
  return [
    '-m', 'pip', 'list', '--path', options.target, '--disable-pip-version-check',
    ...(options.format ? ['--format', options.format] : []),
    ...(options.notRequired ? ['--not-required'] : []),
  ];
}

export function pipFreezeArguments(options: { target: string }): string[] {
  return ['-m', 'pip', 'freeze', '--path', options.target, '--disable-pip-version-check'];
}

export function pipShowArguments(options: { target: string; files?: boolean }, packages: string[]): string[] {
  return ['-c', SHOW_BOOTSTRAP, options.target, 'show', '--disable-pip-version-check', ...(options.files ? ['--files'] : []), ...packages];
}

/** The distributions in `target` named by `names` (any spelling pip accepts), and the names of none. */
export function findInstalled(target: string, names: string[]): { found: Distribution[]; missing: string[] } {
  const all = distributions(target);
  const found = new Map<string, Distribution>();
  const missing: string[] = [];
  for (const name of names) {
    const matches = all.filter((d) => canonicalName(d.name) === canonicalName(name));
    if (matches.length === 0) missing.push(name);
    for (const dist of matches) found.set(dist.infoDir, dist);
  }
  return { found: [...found.values()], missing };
}

/**
 * pip --target installs into a temporary directory, then moves each of its entries into the
 * target, replacing what is there with -U and leaving it alone without. Either way a new version
 * of a package already there leaves the target with two NAME-VERSION.dist-info, and pip list
 * reports either. After pip, for each package it installed (its --report) that has another
 * version in the target:
 * - replacing (-U, --force-reinstall): the other version goes, as an uninstall would take it, but
 *   for the files the new one records;
 * - otherwise the files there before stay, as pip said: what pip moved in for the new version
 *   (its .dist-info and entries that were not there before) goes.
 * Returns one line per package.
 */
export function reconcileVersions(target: string, installed: { name: string; version: string }[], replacing: boolean, before: ReadonlySet<string>): string[] {
  const lines: string[] = [];
  for (const item of installed) {
    const all = distributions(target);
    const same = all.filter((d) => canonicalName(d.name) === canonicalName(item.name));
    const others = same.filter((d) => d.version !== item.version);
    const current = same.find((d) => d.version === item.version);
    if (others.length === 0 || !current) continue;
    if (replacing) {
      const shared = recordedByOthers(target, all, others);
      for (const dist of others) remove(target, planRemoval(target, dist, (f) => shared.has(f)));
      lines.push(`replaced ${item.name} ${others.map((d) => d.version).join(', ')} with ${item.version} in ${target}`);
    } else if (!before.has(path.basename(current.infoDir))) {
      const shared = recordedByOthers(target, all, [current]);
      remove(target, planRemoval(target, current, (f) => shared.has(f) || before.has(topLevel(target, f))));
      lines.push(`kept ${item.name} ${others.map((d) => d.version).join(', ')} in ${target}, not ${item.version}: add -U to replace it`);
    }
  }
  return lines;
}

/** Names with more than one version in `target`. */
export function duplicateVersions(target: string): string[] {
  const byName = new Map<string, Distribution[]>();
  for (const d of distributions(target)) byName.set(canonicalName(d.name), [...(byName.get(canonicalName(d.name)) ?? []), d]);
  return [...byName.values()].filter((ds) => ds.length > 1).map((ds) => `${ds[0]!.name} (${ds.map((d) => d.version).join(', ')})`);
}

export async function pipInstall(options: PipInstallOptions, requested: string[]): Promise<number> {
  if (requested.length === 0 && options.requirement.length === 0) {
    throw new CliError('pip install needs a package or -r FILE (see `pywasi pip install --help`)');
  }
  const { install: packages, skipped, hints } = builtInPlan(requested, options.build ?? THREADS_BUILD, knownBuilds());
  for (const line of skipped) console.error(`pywasi: ${line}`);
  if (packages.length === 0 && options.requirement.length === 0) return 0;
  for (const file of options.requirement) {
    if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`requirements file not found: ${file}`, 1);
  }
  const pip = await hostPip();
  const replacing = Boolean(options.upgrade || options.forceReinstall);
  const reportDir = atLeast(pip, 22, 2) ? mkdtempSync(path.join(tmpdir(), 'pywasi-pip-')) : undefined;
  const report = reportDir && path.join(reportDir, 'report.json');
  const before = new Set(existsSync(options.target) ? readdirSync(options.target) : []);
  try {
    const { exitCode: code, stderr } = await runPip(pip, pipInstallArguments(options, packages, pip, report));
    if (code !== 0) {
      for (const requirement of unmatchedRequirements(stderr)) {
        const name = requirementName(requirement);
        if (name && !hints.has(name)) hints.set(name, `no wheel of ${name} runs in python.wasm (a package with compiled parts must be built into it) and no pywasi build here has it built in: docs/python-packages.md says how to add one`);
      }
      for (const hint of hints.values()) console.error(`pywasi: ${hint}`);
    }
    if (code !== 0 || !existsSync(options.target)) return code;
    if (report && existsSync(report)) {
      const installed = (JSON.parse(readFileSync(report, 'utf8')) as { install?: { metadata: { name: string; version: string } }[] }).install ?? [];
      for (const line of reconcileVersions(options.target, installed.map((i) => i.metadata), replacing, before)) console.error(`pywasi: ${line}`);
    }
    const twice = duplicateVersions(options.target);
    if (twice.length > 0) {
      console.error(`pywasi: warning: ${options.target} holds more than one version of ${twice.join(', ')}: \`pywasi pip install -U\` keeps one`);
    }
    return code;
  } finally {
    if (reportDir) rmSync(reportDir, { recursive: true, force: true });
  }
}

/** Asks on the terminal (or whatever stdin is); undefined when stdin ends first. */
async function asker(): Promise<{ ask: (question: string) => Promise<string | undefined>; close: () => void }> {
  const { createInterface } = await import('node:readline'); // only uninstall asks: not loaded for other commands
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: false });
  const lines: string[] = [];
  let closed = false;
  let waiting: ((line: string | undefined) => void) | undefined;
  rl.on('line', (line) => (waiting ? (waiting(line), (waiting = undefined)) : lines.push(line)));
  rl.on('close', () => {
    closed = true;
    waiting?.(undefined);
  });
  return {
    ask: (question) => {
      process.stdout.write(question);
      const answer: Promise<string | undefined> =
        lines.length > 0 ? Promise.resolve(lines.shift()) : closed ? Promise.resolve(undefined) : new Promise((resolve) => (waiting = resolve));
      // A terminal echoes the answer and its newline; piped input does not.
      return process.stdin.isTTY ? answer : answer.then((line) => (process.stdout.write('\n'), line));
    },
    close: () => rl.close(),
  };
}

export async function pipUninstall(options: { target: string; yes?: boolean }, packages: string[]): Promise<number> {
  requireTarget(options.target, installHint(options.target));
  const { found, missing } = findInstalled(options.target, packages);
  for (const name of missing) console.error(`pywasi: warning: skipping ${name}: not installed in ${options.target}`);
  // Every plan first: a package that cannot be uninstalled stops the command before anything goes.
  const shared = recordedByOthers(options.target, distributions(options.target), found);
  const removals: Removal[] = found.map((dist) => planRemoval(options.target, dist, (f) => shared.has(f)));
  const prompt = options.yes ? undefined : await asker();
  try {
    for (const removal of removals) {
      const { name, version } = removal.dist;
      console.log(`Found existing installation: ${name} ${version}`);
      console.log(`Uninstalling ${name}-${version}:`);
      if (prompt) {
        console.log('  Would remove:');
        for (const line of summarise(options.target, removal)) console.log(`    ${line}`);
        for (const entry of removal.outside) console.log(`  Would not remove (outside ${options.target}): ${entry}`);
        const answer = await prompt.ask('Proceed (Y/n)? ');
        if (answer === undefined) throw new CliError(`no answer on stdin: nothing removed of ${name}; pass -y to uninstall without asking`, 1);
        if (!/^(y|yes|)$/i.test(answer.trim())) continue;
      }
      remove(options.target, removal);
      console.log(`  Successfully uninstalled ${name}-${version}`);
    }
  } finally {
    prompt?.close();
  }
  return 0;
}

const collect = (value: string, previous: string[]) => [...previous, value];
const count = (_: string, previous: number) => previous + 1;
const targetOption = () => new Option('-t, --target <dir>', 'the package directory').default('deps');

export function registerPip(program: Command): void {
  const pip = program
    .command('pip')
    .description('manage pure-Python packages for python.wasm in ./deps with the host pip')
    .addHelpText(
      'after',
      `
The host's pip (python3 -m pip; $PYWASI_HOST_PYTHON names another Python) works on ./deps, or the
directory -t names; \`pywasi python\` puts ./deps on PYTHONPATH.

Examples:
  $ pywasi pip install attrs
  $ pywasi pip list
  $ pywasi pip uninstall -y attrs`,
    );

  pip
    .command('install')
    .description('install pure-Python wheels (py3-none-any) for CPython 3.11 into ./deps')
    .argument('[packages...]', 'requirement specifiers or wheel files, as for pip')
    .option('-r, --requirement <file>', 'install what the requirements file lists (repeatable)', collect, [])
    .addOption(targetOption())
    .option('-U, --upgrade', 'replace packages already in the target directory with the newest')
    .option('--force-reinstall', 'reinstall packages even if they are up to date')
    .addOption(new Option('--no-deps', "don't install the packages' dependencies"))
    .option('--pre', 'also consider pre-release and development versions')
    .option('--build <name>', 'the python build the packages are for: what it has built in is not installed', THREADS_BUILD)
    .option('-f, --find-links <url|dir>', 'also look for wheels here (repeatable)', collect, [])
    .option('-i, --index-url <url>', 'package index to use instead of the default')
    .option('--extra-index-url <url>', 'another package index (repeatable)', collect, [])
    .addOption(new Option('--no-index', 'use no package index, only --find-links'))
    .option('-q, --quiet', "less of pip's output (repeatable)", count, 0)
    .option('-v, --verbose', "more of pip's output (repeatable)", count, 0)
    .addHelpText(
      'after',
      `
pip resolves for CPython 3.11 on any platform and takes wheels only: a package with C extensions
or only a source distribution cannot be installed (python.wasm cannot load native code). Packages
with C extensions are built into python.wasm instead: the full build has numpy, lxml,
PyYAML, MarkupSafe and msgpack (\`pywasi python --build full\`); asking for one of those with
--build full installs nothing, and without it pywasi names the build that has it.
Without -U, pip keeps what the directory already holds.

Examples:
  $ pywasi pip install attrs
  $ pywasi pip install -U 'rich>=13' httpx
  $ pywasi pip install -r requirements.txt
  $ pywasi pip install --no-deps --no-index --find-links ./wheels mypkg`,
    )
    .action(async (packages: string[], options: PipInstallOptions) => {
      process.exitCode = await pipInstall(options, packages);
    });

  pip
    .command('list')
    .description('list the packages in ./deps (pip list --path)')
    .addOption(targetOption())
    .addOption(new Option('--format <format>', 'output format').choices(['columns', 'freeze', 'json']))
    .option('--not-required', 'only packages no other package in the directory requires')
    .addHelpText('after', '\nExamples:\n  $ pywasi pip list\n  $ pywasi pip list --not-required --format json')
    .action(async (options: { target: string; format?: string; notRequired?: boolean }) => {
      requireTarget(options.target, installHint(options.target));
      process.exitCode = (await runPip(await hostPip(), pipListArguments(options))).exitCode;
    });

  pip
    .command('freeze')
    .description('print the packages in ./deps as requirements (pip freeze --path)')
    .addOption(targetOption())
    .addHelpText('after', '\nExamples:\n  $ pywasi pip freeze > requirements.txt\n  $ pywasi pip install -t other -r requirements.txt')
    .action(async (options: { target: string }) => {
      requireTarget(options.target, installHint(options.target));
      process.exitCode = (await runPip(await hostPip(), pipFreezeArguments(options))).exitCode;
    });

  pip
    .command('show')
    .description('show information about packages in ./deps (pip show, seeing only that directory)')
    .argument('<packages...>', 'package names')
    .addOption(targetOption())
    .option('-f, --files', 'also list the files of each package')
    .addHelpText('after', '\nExamples:\n  $ pywasi pip show attrs\n  $ pywasi pip show -f attrs')
    .action(async (packages: string[], options: { target: string; files?: boolean }) => {
      requireTarget(options.target, installHint(options.target));
      const { found, missing } = findInstalled(options.target, packages);
      if (found.length > 0) {
        const { exitCode: code } = await runPip(await hostPip(), pipShowArguments(options, packages.filter((p) => !missing.includes(p))));
        if (code !== 0) process.exitCode = code;
      }
      if (missing.length > 0) throw new CliError(`not installed in ${options.target}: ${missing.join(', ')}`, 1);
    });

  pip
    .command('uninstall')
    .description('remove packages from ./deps: the files their RECORD lists, nothing outside the directory')
    .argument('<packages...>', 'package names')
    .addOption(targetOption())
    .option('-y, --yes', "don't ask for confirmation")
    .addHelpText(
      'after',
      `
Dependencies stay; a name that is not installed is skipped with a warning, as pip does.

Examples:
  $ pywasi pip uninstall attrs
  $ pywasi pip uninstall -y rich httpx`,
    )
    .action(async (packages: string[], options: { target: string; yes?: boolean }) => {
      process.exitCode = await pipUninstall(options, packages);
    });
}
