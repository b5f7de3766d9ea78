// The list of files every green build on main uploads (.github/artifacts.txt, read by the
// workflow) against what the workspace declares: each line must name outputs of a build or pack
// target, and every package `npm run pack` writes and every wasm module or zip a build writes to
// dist/ must be on it. Read from the project files and the plugin's derivation of native.json (no
// project graph, no build), so a renamed output or a new package fails here, not in CI after a
// build of an hour.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { globSync } from 'tinyglobby';
import { validateDescriptor, type NativeDescriptor } from '../plugin/descriptor.ts';
import { nativeProject, type PluginOptions } from '../plugin/native-targets.ts';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..');
const LIST = '.github/artifacts.txt';
const WORKFLOW = '.github/workflows/ci.yml';
const IGNORE = ['**/node_modules/**', 'dist/**', 'build/**'];

const read = (file: string) => readFileSync(join(workspaceRoot, file), 'utf8');
const readJson = (file: string): any => JSON.parse(read(file));

interface Target {
  executor?: string;
  outputs?: string[];
  options?: Record<string, unknown>;
}

interface Project {
  name: string;
  root: string;
  version?: string;
  targets: Record<string, Target>;
}

/** The globs of the list: its lines less comments and blank ones. */
function listed(): string[] {
  return read(LIST)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** Outputs built but not uploaded: `#- <glob>  <why>` lines (comments to the workflow). */
function notUploaded(): { glob: string; why: string }[] {
  return read(LIST)
    .split('\n')
    .flatMap((line) => {
      const m = /^#-\s+(\S+)\s*(.*)$/.exec(line.trim());
      return m ? [{ glob: m[1]!, why: m[2]!.trim() }] : [];
    });
}

/** Every project with its targets as Nx sees them: project.json, package.json "nx", and the
 * targets the plugin derives from native.json. */
function workspaceProjects(): Project[] {
  const projects = new Map<string, Project>();
  const at = (root: string, name: string) => projects.get(root) ?? projects.set(root, { name, root, targets: {} }).get(root)!;
  const cwd = workspaceRoot;
  for (const file of globSync(['apps/*/package.json', 'libs/**/package.json', 'tools/package.json'], { cwd, ignore: IGNORE })) {
    const pkg = readJson(file);
    const project = at(dirname(file), pkg.name);
    project.version = pkg.version;
    Object.assign(project.targets, pkg.nx?.targets ?? {});
  }
  for (const file of globSync(['apps/**/project.json', 'libs/**/project.json'], { cwd, ignore: IGNORE })) {
    const json = readJson(file);
    const project = at(dirname(file), json.name);
    project.name = json.name ?? project.name;
    Object.assign(project.targets, json.targets ?? {});
  }
  const nx = readJson('nx.json');
  const plugin = (nx.plugins as (string | { plugin: string; options?: PluginOptions })[]).find((p) => typeof p === 'object' && p.plugin.endsWith('tools/src/plugin/index.ts'));
  const descriptors = globSync(['apps/**/native.json', 'libs/**/native.json'], { cwd, ignore: IGNORE }).map((file) => ({
    root: dirname(file),
    d: validateDescriptor(file, readJson(file)) as NativeDescriptor,
  }));
  const byName = new Map(descriptors.map(({ root, d }) => [d.name ?? basename(root), { root, d }]));
  for (const { root, d } of descriptors) {
    const derived = nativeProject(d, root, typeof plugin === 'object' ? (plugin.options ?? {}) : {}, () => [], (name) => byName.get(name));
    Object.assign(at(root, derived.name).targets, derived.targets);
  }
  return [...projects.values()];
}

/** A target's outputs, workspace-relative, with nx.json's targetDefaults (by executor, then by
 * target name) applied and {options.*}, {workspaceRoot}, {projectRoot} filled in. */
function outputsOf(project: Project, targetName: string): { outputs: string[]; options: Record<string, unknown> } {
  const target = project.targets[targetName]!;
  const defaults = (readJson('nx.json').targetDefaults ?? {}) as Record<string, Target>;
  const fallback = (target.executor && defaults[target.executor]) || defaults[targetName] || {};
  const options = { ...fallback.options, ...target.options };
  const outputs = (target.outputs ?? fallback.outputs ?? []).map((output) =>
    output
      .replace(/\{options\.([\w-]+)\}/g, (all, key: string) => (typeof options[key] === 'string' ? (options[key] as string) : all))
      .replace(/^\{workspaceRoot\}\//, '')
      .replaceAll('{projectRoot}', project.root),
  );
  return { outputs, options };
}

/** A shell glob (`*`, `?`, `[...]`; `**` across directories) as a regular expression. */
function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    const close = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (close !== -1) {
      re += `[${glob.slice(i + 1, close).replace(/^!/, '^')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const hasGlob = (path: string) => /[*?[]/.test(path);

interface Declared {
  /** Every output of every build and pack target, a package's tarball by its file name. */
  outputs: string[];
  /** What `npm run pack` writes: the npm tarballs and the libraries' tarballs. */
  packed: string[];
  /** The wasm modules and zips build targets write to dist/ (the default configuration). */
  modules: string[];
  /** npm packages whose tarball, by the name the npm-package executor gives it, no output declares. */
  undeclared: string[];
}

function declared(): Declared {
  const result: Declared = { outputs: [], packed: [], modules: [], undeclared: [] };
  for (const project of workspaceProjects()) {
    for (const targetName of ['build', 'pack'] as const) {
      if (!project.targets[targetName]) continue;
      const { outputs, options } = outputsOf(project, targetName);
      if (targetName === 'pack') {
        if (project.targets.pack!.executor?.endsWith(':npm-package')) {
          // The package directory and its tarball, <outputPath>-<version>.tgz, the one a glob declares.
          const tarball = `${String(options['outputPath'])}-${project.version}.tgz`;
          if (!outputs.some((o) => globRegExp(o).test(tarball))) result.undeclared.push(`${project.name}: ${tarball}`);
          result.packed.push(tarball);
          result.outputs.push(...outputs.filter((o) => !hasGlob(o)), tarball);
        } else {
          result.packed.push(...outputs);
          result.outputs.push(...outputs);
        }
      } else {
        // A command build whose output is a directory names the files it writes there ({output}/<file>).
        const command = Array.isArray(options['command']) ? (options['command'] as string[]) : [];
        const dir = typeof options['output'] === 'string' ? `${options['output']}/` : null;
        const inOutputDir = dir ? command.filter((a) => a.startsWith(dir)) : [];
        result.modules.push(...[...outputs, ...inOutputDir].filter((o) => o.startsWith('dist/') && /\.(wasm|zip)$/.test(o)));
        result.outputs.push(...outputs);
      }
    }
  }
  return result;
}

const workspace = declared();

test('the workspace declares what the list is checked against (npm packages, library tarballs, wasm modules)', () => {
  expect(workspace.packed.filter((p) => p.endsWith('.tgz')).length).toBeGreaterThanOrEqual(3);
  expect(workspace.packed.filter((p) => p.endsWith('.tar.gz')).length).toBeGreaterThanOrEqual(5);
  expect(workspace.undeclared).toEqual([]);
  expect(workspace.modules).toEqual(expect.arrayContaining(['dist/python/python.wasm', 'dist/python/python-resumable.wasm', 'dist/lua/lua.wasm', 'dist/python/usr/local/lib/python311.zip', 'dist/python/usr/local/lib/python311-src.zip']));
});

test('each line of the list is a workspace-relative path under dist/', () => {
  expect(listed().length).toBeGreaterThan(0);
  for (const line of listed()) expect({ line, ok: /^dist\/[^\s]+$/.test(line) && !line.split('/').includes('..') }).toEqual({ line, ok: true });
});

test('each line of the list names an output a build or pack target declares', () => {
  const named = (line: string) =>
    workspace.outputs.some((output) => (hasGlob(output) ? output === line : globRegExp(line).test(output) || line.startsWith(`${output}/`)));
  expect(listed().filter((line) => !named(line))).toEqual([]);
});

test('every package `npm run pack` writes, and every wasm module and zip of a build, is on the list', () => {
  const globs = [...listed(), ...notUploaded().map((n) => n.glob)].map(globRegExp);
  const missing = [...workspace.packed, ...workspace.modules].filter((file) => !globs.some((glob) => glob.test(file)));
  expect(missing).toEqual([]);
});

test('what is built but not uploaded says why', () => {
  for (const { glob, why } of notUploaded()) expect({ glob, why: why.length > 10 }).toEqual({ glob, why: true });
});

test('the files the list names have names of their own (the artifact holds them side by side)', () => {
  const globs = listed().map(globRegExp);
  const names = [...new Set([...workspace.packed, ...workspace.modules])].filter((file) => globs.some((glob) => glob.test(file))).map((file) => basename(file));
  expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
});

test('the workflow uploads what the list names', () => {
  const workflow = read(WORKFLOW);
  expect(workflow).toContain(LIST);
  expect(workflow).toMatch(/uses: actions\/upload-artifact@v4\n(\s+.*\n)*?\s+path: artifacts\//);
});

test('the glob matching of this test', () => {
  expect(globRegExp('dist/packages/*.tgz').test('dist/packages/pywasi-0.1.0.tgz')).toBe(true);
  expect(globRegExp('dist/packages/*.tgz').test('dist/packages/wasm32-wasi/x.tgz')).toBe(false);
  expect(globRegExp('dist/packages/pywasi-[0-9]*.tgz').test('dist/packages/pywasi-0.1.0.tgz')).toBe(true);
  expect(globRegExp('dist/packages/pywasi-[0-9]*.tgz').test('dist/packages/pywasi-host-0.1.0.tgz')).toBe(false);
  expect(globRegExp('dist/packages/wasm32-wasi/*.tar.gz').test('dist/packages/wasm32-wasi/wasi-libc-0.0~git20220510.9886d3d-wasm32-wasi.tar.gz')).toBe(true);
});
