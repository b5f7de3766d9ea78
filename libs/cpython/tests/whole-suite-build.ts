// The python build whole-suite.ts measures, by name, as `pywasi python --build NAME` runs it:
// where Nx publishes it, the Nx command that makes it, and where the suite keeps its results.
// "default" is dist/python (`nx build python`); another name is either a configuration of
// python:build, published in dist/python-NAME (`nx build python -c threads`), or a project of its
// own, python-NAME (`nx build python-full`). Its tests are those of the CPython source variant of
// the same name when there is one (threads: build/cpython-source/src-threads, whose patches let
// test.support start threads on WASI), else the default source's. Native results belong to no
// build: they are kept once for all of them.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workspaceRoot } from './harness.ts';

export const DEFAULT_BUILD = 'default';

const testsDir = path.dirname(fileURLToPath(import.meta.url));
export const reportDir = path.join(workspaceRoot, 'build', 'cpython-tests');
/** The native side's results of the last runs (any build), reused while their identity holds. */
export const nativeCacheFile = path.join(reportDir, 'whole-suite-native.json');
export const nativeLogDir = path.join(reportDir, 'whole-suite', 'native');

export interface SuiteBuild {
  name: string;
  /** Its python.wasm, where `pywasi python --build NAME` finds it in a clone. */
  wasm: string;
  /** The arguments of the `nx` command that builds it. */
  nxBuild: string[];
  /** What `pywasi python` needs to run it. */
  cliArgs: string[];
  /** The variant of cpython-source whose Lib/test python.wasm runs (undefined: the default source). */
  sourceVariant: string | undefined;
  /** The arguments of the `nx` command that prepares that source. */
  sourceNx: string[];
  /** The committed results of its last full run: the baseline a run is compared with. */
  baselineFile: string;
  /** This run's results. */
  runFile: string;
  /** The output and junit report of every module's python.wasm run. */
  wasmLogDir: string;
}

const readJson = (...parts: string[]): unknown => JSON.parse(readFileSync(path.join(workspaceRoot, ...parts), 'utf8'));

/** The configurations of python:build (libs/python/project.json): builds that `nx build python
 * -c NAME` makes. */
function pythonConfigurations(): string[] {
  const project = readJson('libs', 'python', 'project.json') as { targets?: { build?: { configurations?: Record<string, unknown> } } };
  return Object.keys(project.targets?.build?.configurations ?? {});
}

/** The variants of the CPython source (libs/cpython/source/native.json): trees patched otherwise. */
function sourceVariants(): string[] {
  return Object.keys((readJson('libs', 'cpython', 'source', 'native.json') as { variants?: Record<string, unknown> }).variants ?? {});
}

export function suiteBuild(name: string): SuiteBuild {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`"${name}" is not a build name (letters, digits and dashes: default, threads, full...)`);
  const isDefault = name === DEFAULT_BUILD;
  const suffix = isDefault ? '' : `-${name}`;
  let nxBuild: string[];
  if (isDefault) nxBuild = ['build', 'python'];
  else if (pythonConfigurations().includes(name)) nxBuild = ['build', 'python', `--configuration=${name}`];
  else nxBuild = ['build', `python-${name}`];
  const sourceVariant = !isDefault && sourceVariants().includes(name) ? name : undefined;
  return {
    name,
    wasm: path.join(workspaceRoot, 'dist', `python${suffix}`, 'python.wasm'),
    nxBuild,
    cliArgs: ['--build', name],
    sourceVariant,
    sourceNx: ['run', `cpython-source:source${sourceVariant ? `:${sourceVariant}` : ''}`],
    baselineFile: path.join(testsDir, `whole-suite-results${suffix}.json`),
    runFile: path.join(reportDir, `whole-suite-results${suffix}.json`),
    wasmLogDir: path.join(reportDir, 'whole-suite', `wasm${suffix}`),
  };
}
