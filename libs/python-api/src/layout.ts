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

/** The python build directory runs use: $PYWASI_PYTHON_DIR; else the one the installed package
 * ships beside this module; else where `nx build python` puts it in the workspace. */
export function defaultPythonDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['PYWASI_PYTHON_DIR']) return env['PYWASI_PYTHON_DIR'];
  const packaged = fileURLToPath(new URL('./python', import.meta.url));
  if (!FROM_SOURCES && existsSync(packaged)) return packaged;
  return fileURLToPath(new URL(FROM_SOURCES ? '../../../dist/python' : '../../python', import.meta.url));
}

/** A python build other than the default one, by name (`full`: compiled packages built in). It is
 * the directory beside the default one, python-<name> (dist/python-full in the workspace), when
 * that exists; else the published package @pywasi/python-<name>, installed where this one
 * resolves packages. When neither exists, the directory beside the default one: the caller's
 * "not found" names it. */
export function pythonBuildDir(build: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const base = defaultPythonDir(env);
  if (!build || build === 'default') return base;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(build)) throw new Error(`"${build}" is not a build name (letters, digits and dashes, e.g. full)`);
  const beside = path.join(path.dirname(base), `${path.basename(base)}-${build}`);
  if (existsSync(beside) || env['PYWASI_PYTHON_DIR']) return beside;
  return installedBuilds().get(build) ?? beside;
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
