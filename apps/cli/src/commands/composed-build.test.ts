import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { workspaceRoot } from '../../../../tools/testing/nx.ts';
import { requestedPackages } from './build.ts';
import { buildablePackages, composedBuildProject, defaultBuildName, packageLinks, TEMPLATE_PROJECT } from './composed-build.ts';

const cli = new URL('../../bin/pywasi.js', import.meta.url).pathname;
const template = JSON.parse(readFileSync(path.join(workspaceRoot, TEMPLATE_PROJECT), 'utf8'));
const known = buildablePackages(workspaceRoot);
const templatePackages = (template.implicitDependencies as string[]).filter((p) => known.includes(p));

describe('a build with chosen packages built in', () => {
  test('the packages are those of libs/python-packages that build into python.wasm', () => {
    expect(known).toEqual(expect.arrayContaining(['lxml', 'markupsafe', 'msgpack', 'numpy', 'pyyaml']));
    expect(known).not.toContain('tests');
  });

  test('derived with the full build\'s own packages, it is the full build without its publishing targets', () => {
    const { pack, 'nx-release-publish': publish, ...targets } = template.targets;
    expect(pack).toBeDefined();
    expect(publish).toBeDefined();
    expect(composedBuildProject(template, 'full', templatePackages, known)).toEqual({ ...template, targets });
  });

  test('another set links those packages into its own directory', () => {
    const project = composedBuildProject(template, 'sci', ['numpy', 'pyyaml'], known) as any;
    expect(project.name).toBe('python-sci');
    expect(project.implicitDependencies).toEqual(['cpython-sdk', 'stdlib-zip', 'cpython-build-python', 'numpy', 'pyyaml']);
    expect(project.targets.link.dependsOn[0].projects).toEqual(['cpython-sdk', 'stdlib-zip', 'cpython-build-python', 'numpy', 'pyyaml']);
    const command: string[] = project.targets.link.options.command;
    expect(command.filter((_, i) => command[i - 1] === '--package')).toEqual(['dist/libs/numpy', 'dist/libs/pyyaml']);
    expect(command.slice(command.indexOf('--wasm'))).toEqual(['--wasm', 'build/python-sci/python.wasm', '--lib-dir', 'dist/python-sci/usr/local/lib']);
    expect(project.targets.link.outputs).toEqual(['{options.output}', '{options.alsoWrites}']);
    expect(project.targets.link.options).toMatchObject({ output: 'build/python-sci/python.wasm', alsoWrites: 'dist/python-sci/usr/local/lib' });
    expect(project.targets.build.options.output).toBe('dist/python-sci/python-resumable.wasm');
    expect(Object.keys(project.targets)).toEqual(['link', 'optimize', 'build']);
    expect(JSON.stringify(project)).not.toContain('python-full');
  });

  test('its threads configuration links the threads SDK and stdlib with the packages\' threads builds, into <name>-threads', () => {
    const project = composedBuildProject(template, 'sci', ['markupsafe', 'pyyaml'], known) as any;
    const link = project.targets.link.configurations.threads;
    const command: string[] = link.command;
    expect(command.filter((_, i) => command[i - 1] === '--package')).toEqual(['dist/libs/markupsafe-threads', 'dist/libs/pyyaml-threads']);
    expect(command[command.indexOf('--sdk') + 1]).toBe('dist/libs/cpython-sdk-threads');
    expect(command[command.indexOf('--stdlib') + 1]).toBe('dist/python-threads/usr/local/lib');
    expect(command.slice(command.indexOf('--wasm'))).toEqual(['--wasm', 'build/python-sci-threads/python.wasm', '--lib-dir', 'dist/python-sci-threads/usr/local/lib']);
    expect(link).toMatchObject({ output: 'build/python-sci-threads/python.wasm', alsoWrites: 'dist/python-sci-threads/usr/local/lib' });
    expect(project.targets.optimize.configurations.threads).toEqual({ input: 'build/python-sci-threads/python.wasm', output: 'dist/python-sci-threads/python.wasm' });
    expect(project.targets.build.configurations.threads).toEqual({ input: 'dist/python-sci-threads/python.wasm', output: 'dist/python-sci-threads/python-resumable.wasm' });
  });

  test('its default name says what it has', () => {
    expect(defaultBuildName(['pyyaml', 'numpy'])).toBe('with-numpy-pyyaml');
  });

  test('--with takes known packages, comma-separated, in any case; an unknown one is named with the known ones', () => {
    expect(requestedPackages('PyYAML, numpy,pyyaml', known)).toEqual(['numpy', 'pyyaml']);
    expect(() => requestedPackages('numpy,scipy', known)).toThrow(`--with: scipy is not a package this clone builds into python.wasm (it builds: ${known.join(', ')})`);
    expect(() => requestedPackages(' , ', known)).toThrow('--with needs one package or more');
  });

  test('a package built on another (pandas links numpy) brings it into the build', () => {
    const links = packageLinks(workspaceRoot, known);
    expect(links['pandas']).toEqual(['numpy']);
    expect(links['lxml']).toEqual([]); // its links are C libraries
    expect(requestedPackages('pandas,pyyaml', known, links)).toEqual(['numpy', 'pandas', 'pyyaml']);
  });

  test('pywasi build refuses bad combinations in one line, before building anything', async () => {
    const run = (...args: string[]) => execa(process.execPath, [cli, 'build', ...args], { reject: false });
    for (const [args, message] of [
      [['--name', 'sci'], 'pywasi: --name names a --with build: give --with too'],
      [['--with', 'numpy', '--name', 'full'], 'pywasi: --name: "full" is the full build (`npx nx build python-full`): give another name'],
      [['--with', 'numpy', '--name', 'Bad_Name'], 'pywasi: --name: "Bad_Name" is not a build name (letters, digits and dashes; not "threads", "no-threads" or "default")'],
      [['--with', 'numpy', '--debug'], 'pywasi: --with links the optimised CPython build: --debug and --no-opt apply to the build without threads only'],
      [['--with', 'numpy', '--name', 'sci-threads'], 'pywasi: --name: "sci-threads" ends in -threads, the name of a build\'s threads configuration: give --name sci --threads'],
      [['--threads', '--no-opt'], 'pywasi: --threads builds the optimised threads build: --debug and --no-opt apply to the build without threads only'],
      [['--with', 'nosuch'], `pywasi: --with: nosuch is not a package this clone builds into python.wasm (it builds: ${known.join(', ')})`],
    ] as const) {
      const result = await run(...args);
      expect({ args, exit: result.exitCode, err: result.stderr }).toEqual({ args, exit: 2, err: message });
    }
  }, 60_000);
});
