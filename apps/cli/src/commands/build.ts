import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { workspaceRoot } from '../workspace.ts';
import { buildablePackages, composedBuildProject, composedProjectFile, defaultBuildName, packageLinks, TEMPLATE_PROJECT, THREADS_CONFIGURATION, threadsBuildName } from './composed-build.ts';

export interface BuildOptions {
  debug: boolean;
  opt: boolean;
  with?: string;
  name?: string;
  /** Only the threads build; with --with, the composed build's threads configuration. */
  threads?: boolean;
}

/** `pywasi build` is a thin front for the Nx graph: the same targets, caching and logs. The Nx
 * runs, in order: without options, both builds `pywasi python` chooses from (threads, the default,
 * and no-threads); --no-opt and --debug, one build without threads. */
export function nxBuildArguments(options: BuildOptions): string[][] {
  if (options.threads) {
    if (options.debug || !options.opt) throw new CliError('--threads builds the optimised threads build: --debug and --no-opt apply to the build without threads only');
    return [['nx', 'build', 'python', '--configuration=threads']];
  }
  const configuration = options.debug ? 'debug' : options.opt ? undefined : 'noopt';
  if (configuration) return [['nx', 'build', 'python', `--configuration=${configuration}`]];
  return [
    ['nx', 'build', 'python'],
    ['nx', 'build', 'python', '--configuration=threads'],
  ];
}

/** The packages of --with, checked against those the clone can build, with the packages they are
 * built on (`links`: pandas -> numpy) added. */
export function requestedPackages(list: string, known: string[], links: Record<string, string[]> = {}): string[] {
  const packages = [...new Set(list.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean))].sort();
  if (packages.length === 0) throw new CliError('--with needs one package or more, comma-separated (e.g. --with numpy,pyyaml)');
  const unknown = packages.filter((p) => !known.includes(p));
  if (unknown.length) throw new CliError(`--with: ${unknown.join(', ')} ${unknown.length > 1 ? 'are not packages' : 'is not a package'} this clone builds into python.wasm (it builds: ${known.join(', ')})`);
  const all = new Set(packages);
  for (const p of all) for (const l of links[p] ?? []) all.add(l);
  return [...all].sort();
}

/** Writes the Nx project of a build with these packages built in (when it changed): the name of
 * the project to build. */
function writeComposedBuild(root: string, options: BuildOptions): { project: string; name: string; build: string; nx: string[] } {
  const known = buildablePackages(root);
  const links = packageLinks(root, known);
  const packages = requestedPackages(options.with!, known, links);
  const added = packages.filter((p) => !requestedPackages(options.with!, known).includes(p));
  if (added.length) console.error(`pywasi: built in too, as packages of the list are built on ${added.length > 1 ? 'them' : 'it'}: ${added.join(', ')}`);
  const name = options.name ?? defaultBuildName(packages);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || ['default', 'threads', 'no-threads'].includes(name)) throw new CliError(`--name: "${name}" is not a build name (letters, digits and dashes; not "threads", "no-threads" or "default")`);
  // <name>-threads is the threads build of the project <name>.
  if (name.endsWith(`-${THREADS_CONFIGURATION}`)) throw new CliError(`--name: "${name}" ends in -${THREADS_CONFIGURATION}, the name of a build's threads configuration: give --name ${name.slice(0, -`-${THREADS_CONFIGURATION}`.length)} --threads`);
  if (name === 'full') throw new CliError('--name: "full" is the full build (`npx nx build python-full`): give another name');
  if (options.debug || !options.opt) throw new CliError('--with links the optimised CPython build: --debug and --no-opt apply to the build without threads only');
  const template = JSON.parse(readFileSync(path.join(root, TEMPLATE_PROJECT), 'utf8'));
  const text = JSON.stringify(composedBuildProject(template, name, packages, known), null, 2) + '\n';
  const file = path.join(root, composedProjectFile(name));
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.error(`pywasi: wrote ${composedProjectFile(name)} (the Nx project of this build; delete its directory to forget it)`);
  }
  const project = `python-${name}`;
  return options.threads
    ? { project, name, build: threadsBuildName(name), nx: ['nx', 'build', project, `--configuration=${THREADS_CONFIGURATION}`] }
    : { project, name, build: name, nx: ['nx', 'build', project] };
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('build python.wasm and python311.zip with Nx, with threads and without (cached: only what changed is rebuilt)')
    .option('--debug', 'build CPython --with-pydebug (implies --no-opt), without threads; output in dist/python-debug (`pywasi python --build debug`)', false)
    .option('--no-opt', 'build only the build without threads, and skip wasm-opt for it (faster build, larger and slower python.wasm; `pywasi python --no-threads`)')
    .option('--with <packages>', 'a build with these compiled packages built in (comma-separated), linked from cached pieces; output in dist/python-<name>')
    .option('--name <name>', 'the name of the --with build, for `pywasi python --build NAME` (default: with-<packages>)')
    .option('--threads', 'build only the threads build; with --with, link the threads CPython with the packages\' threads builds, into dist/python-<name>-threads (`pywasi python --build <name>-threads`)')
    .addHelpText(
      'after',
      '\nExamples:\n  pywasi build\n  pywasi build --debug\n  pywasi build --with numpy,pyyaml --name sci\n  pywasi python --build sci -c "import numpy, yaml"\n' +
        '  pywasi build --with markupsafe,pyyaml --threads\n  pywasi python --build with-markupsafe-pyyaml-threads -c "import yaml, markupsafe"\n',
    )
    .action(async (options: BuildOptions) => {
      const root = workspaceRoot();
      if (!root) {
        throw new CliError(
          'pywasi build builds python.wasm from the sources, in a clone of the pywasi repository (where this CLI runs Nx); ' +
            'this pywasi is an installed package, which runs the python.wasm that @pywasi/python ships (`pywasi python` needs no build)',
          1,
        );
      }
      if (options.name !== undefined && options.with === undefined) throw new CliError('--name names a --with build: give --with too');
      const composed = options.with !== undefined ? writeComposedBuild(root, options) : undefined;
      const { execa } = await import('execa'); // see pip.ts
      for (const args of composed ? [composed.nx] : nxBuildArguments(options)) {
        const result = await execa('npx', args, { cwd: root, stdio: 'inherit', reject: false });
        process.exitCode = result.exitCode ?? 1;
        if (process.exitCode !== 0) return;
      }
      if (composed) console.error(`pywasi: built dist/python-${composed.build}: \`pywasi python --build ${composed.build}\` runs it`);
    });
}
