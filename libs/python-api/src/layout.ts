// Where python.wasm and its standard library are on the host, and where the guest sees them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** PYTHONHOME in the guest, as in CPython's own WASI layout. */
export const GUEST_PREFIX = '/usr/local';

// This module runs from the TypeScript sources (libs/python-api/src/), bundled one level below
// dist/ (dist/apps/cli/main.js, dist/libs/python-api/index.js), or from the installed package
// (index.js with python/ beside it).
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** CPython with threads (pthreads on wasi-threads): what runs when no build is named, on Node 22
 * and newer. The installed @pywasi/python ships it; in the workspace, `nx build python -c threads`. */
export const THREADS_BUILD = 'threads';
/** CPython without threads: for hosts without wasi-threads (WasmEdge), Node before 22, and
 * recorded runs (a run log holds one thread's calls). @pywasi/python-no-threads ships it; in the
 * workspace, `nx build python` (dist/python, beside which the other builds are). */
export const NO_THREADS_BUILD = 'no-threads';

/** What the build without threads was called while it was the default; still accepted, as scripts
 * written then name it (libs/cpython/tests/whole-suite-build.ts). */
export const OLD_NO_THREADS_NAME = 'default';

/** Whether this Node runs the threads build: Node 20's V8 (11.3) loses a local across a timed
 * memory.atomic.wait32 (libs/wasi-host/tests/threads.test.ts), which the threads build's locks use. */
export const runsThreads = (nodeVersion: string = process.versions.node): boolean => Number(nodeVersion.split('.')[0]) >= 22;

/** The build the installed package ships beside this module; undefined in the workspace. */
function packagedDir(): string | undefined {
  const packaged = fileURLToPath(new URL('./python', import.meta.url));
  return !FROM_SOURCES && existsSync(packaged) ? packaged : undefined;
}

/** The workspace's build without threads, beside which `nx build` puts the others (dist/python-<name>). */
const workspaceBase = (): string => fileURLToPath(new URL(FROM_SOURCES ? '../../../dist/python' : '../../python', import.meta.url));

/** The build that runs when none is named: the threads build where it runs (this Node is 22 or
 * newer, and the build is there), else the one without threads. */
export function defaultBuild(env: NodeJS.ProcessEnv = process.env, nodeVersion: string = process.versions.node): string {
  if (!runsThreads(nodeVersion)) return NO_THREADS_BUILD;
  if (existsSync(pythonLayout(pythonBuildDir(THREADS_BUILD, env)).wasm)) return THREADS_BUILD;
  // Only the one without threads is built (a clone that has not built the threads build yet).
  return existsSync(pythonLayout(pythonBuildDir(NO_THREADS_BUILD, env)).wasm) ? NO_THREADS_BUILD : THREADS_BUILD;
}

/** The python build directory runs use when no build is named: $PYWASI_PYTHON_DIR, else the
 * default build's (defaultBuild). */
export function defaultPythonDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['PYWASI_PYTHON_DIR'] || pythonBuildDir(defaultBuild(env), env);
}

/**
 * A python build's directory, by name: `threads`, `no-threads`, `full` (compiled packages built
 * in), or one made by `pywasi build --with`. With $PYWASI_PYTHON_DIR, <that directory>-<name>.
 * Else, in the workspace, dist/python-<name> (no-threads: dist/python); installed, the threads
 * build is the one beside this module and the others the published packages
 * @pywasi/python-<name>, installed where this one resolves packages. A build that is nowhere
 * gets the directory it would have in the workspace or beside this module: the caller's "not
 * found" names it. No name: defaultPythonDir.
 */
export function pythonBuildDir(build: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (build === undefined) return defaultPythonDir(env);
  if (build === OLD_NO_THREADS_NAME) return pythonBuildDir(NO_THREADS_BUILD, env);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(build)) throw new Error(`"${build}" is not a build name (letters, digits and dashes, e.g. full)`);
  const override = env['PYWASI_PYTHON_DIR'];
  if (override) return `${override}-${build}`;
  const packaged = packagedDir();
  if (packaged) return build === THREADS_BUILD ? packaged : (installedBuilds().get(build) ?? `${packaged}-${build}`);
  const base = workspaceBase();
  const local = build === NO_THREADS_BUILD ? base : `${base}-${build}`;
  return existsSync(local) ? local : (installedBuilds().get(build) ?? local);
}

/** How to get a build that is not there, for "not found" messages. */
export function buildHint(build: string): string {
  const nx = build === THREADS_BUILD ? 'npx nx build python -c threads' : build === NO_THREADS_BUILD ? 'npx nx build python' : `npx nx build python-${build}`;
  const npm = build === THREADS_BUILD ? '@pywasi/python' : buildPackageName(build);
  return `\`npm install ${npm}\`, or in a clone of pywasi \`${nx}\``;
}

/** The npm package that publishes a build. */
export const buildPackageName = (build: string): string => `@pywasi/python-${build}`;

/** Published builds installed where this module (or the module `from`) resolves packages, by
 * name: each package @pywasi/python-<name> holds its build in python/. */
export function installedBuilds(from: string | URL = import.meta.url): Map<string, string> {
  const builds = new Map<string, string>();
  for (const modules of createRequire(from).resolve.paths('@pywasi/python') ?? []) {
    const scope = path.join(modules, '@pywasi');
    if (!existsSync(scope)) continue;
    for (const entry of readdirSync(scope)) {
      const name = /^python-([a-z0-9][a-z0-9-]*)$/.exec(entry)?.[1];
      const dir = path.join(scope, entry, 'python');
      if (name && !builds.has(name) && existsSync(dir)) builds.set(name, dir);
    }
  }
  return builds;
}

/** The packages a build has built in (link_python.py lists them beside the zips it adds them to). */
export interface BuiltInPackage {
  name: string;
  version: string;
  modules: string[];
}

export function builtInPackages(distDir: string): BuiltInPackage[] {
  const file = path.join(distDir, 'usr', 'local', 'lib', 'built-in-packages.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BuiltInPackage[]) : [];
}

export interface PythonLayout {
  wasm: string;
  /** python.wasm prepared for start-up snapshots (see snapshot.ts). */
  resumableWasm: string;
  /** Host directory seen as /usr/local/lib: python311.zip and anything beside it. */
  libDir: string;
}

/** A build directory holds python.wasm, python-resumable.wasm and usr/local/lib/. A package ships
 * only python-resumable.wasm: it also starts afresh (its extra exports change nothing), so it
 * serves both kinds of run from one compiled module. */
export function pythonLayout(distDir = defaultPythonDir()): PythonLayout {
  const resumableWasm = path.join(distDir, 'python-resumable.wasm');
  const plain = path.join(distDir, 'python.wasm');
  const wasm = existsSync(plain) || !existsSync(resumableWasm) ? plain : resumableWasm;
  return { wasm, resumableWasm, libDir: path.join(distDir, 'usr', 'local', 'lib') };
}
