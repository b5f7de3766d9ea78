// The environment that makes a Python package's own build (setuptools, meson-python...), run by
// the build machine's python, compile for the target interpreter instead: the target's
// _sysconfigdata answers what sysconfig says (compiler flags, EXT_SUFFIX, the platform of wheel
// tags), its headers come before the build python's, and extensions are archived, not linked.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { BuildError } from '../build-error.ts';
import type { BuildMachineTools } from './build-machine-tools.ts';

/** What a build needs of the target interpreter, found in its SDK (an installed-prefix layout). */
export interface TargetPython {
  /** include/python3.X: Python.h and the target's pyconfig.h. */
  includeDir: string;
  /** The directory of _sysconfigdata_*.py. */
  sysconfigDir: string;
  /** Its module name, e.g. _sysconfigdata__wasi_wasm32-wasi. */
  sysconfigName: string;
  /** What sysconfig.get_platform() answers for the target, e.g. wasi-wasm32. */
  hostPlatform: string;
}

/** Reads the SDK's layout: include/pythonX.Y and lib/pythonX.Y/_sysconfigdata_<abiflags>_<machdep>_<multiarch>.py. */
export function targetPythonOf(sdkDir: string): TargetPython {
  const pick = (dir: string, what: string) => {
    const found = existsSync(dir) ? readdirSync(dir).filter((f) => /^python\d+\.\d+$/.test(f)) : [];
    if (found.length !== 1) throw new BuildError(`${dir} should hold one pythonX.Y directory (${what}), found ${found.length ? found.join(', ') : 'none'}: is ${sdkDir} a built SDK?`);
    return join(dir, found[0]!);
  };
  const includeDir = pick(join(sdkDir, 'include'), 'the headers');
  const sysconfigDir = pick(join(sdkDir, 'lib'), 'the _sysconfigdata module');
  const data = readdirSync(sysconfigDir).filter((f) => /^_sysconfigdata_.*\.py$/.test(f));
  if (data.length !== 1) throw new BuildError(`${sysconfigDir} should hold one _sysconfigdata_*.py, found ${data.length}`);
  const sysconfigName = data[0]!.slice(0, -'.py'.length);
  // CPython names it _sysconfigdata_{abiflags}_{machdep}_{multiarch}; its configure sets the
  // cross build's platform to {machdep}-{cpu}.
  const match = /^_sysconfigdata_[a-z]*_([a-z0-9]+)_([a-z0-9_]+)(?:-.*)?$/.exec(sysconfigName);
  if (!match) throw new BuildError(`${sysconfigName}: not the _sysconfigdata_<abiflags>_<machdep>_<multiarch> name a cross-built CPython installs`);
  return { includeDir, sysconfigDir, sysconfigName, hostPlatform: `${match[1]}-${match[2]}` };
}

/** Makes sysconfig answer the target's include directory, and the packages of PYWASI_TARGET_IMPORTS
 * find their extension modules (see sitecustomize.py there). */
const CROSS_SITE = dirname(fileURLToPath(new URL('./cross-site/sitecustomize.py', import.meta.url)));

/**
 * The environment of the package's build, over the compiler environment the plugin derived
 * (CFLAGS, CPPFLAGS, LDFLAGS, PKG_CONFIG_*): the wrappers as the compilers (a shared-object link
 * archives), on PATH with `cython`; the target's files of the packages it imports
 * (target-imports.ts), the build tools and the target's sysconfig on PYTHONPATH.
 */
export function crossPythonEnv(
  target: TargetPython,
  compilerEnv: Record<string, string>,
  opts: { buildTools?: string; targetImports?: string; ar: string; tools: BuildMachineTools },
): Record<string, string> {
  const cflags = [`-I${target.includeDir}`, compilerEnv['CFLAGS'] ?? ''].join(' ').trim();
  return {
    ...compilerEnv,
    CC: opts.tools.cc,
    CXX: opts.tools.cxx,
    CFLAGS: cflags,
    CXXFLAGS: [cflags, compilerEnv['CXXFLAGS'] ?? ''].join(' ').trim(),
    LDSHARED: `${opts.tools.cc} -shared`,
    LDCXXSHARED: `${opts.tools.cxx} -shared`,
    PATH: `${opts.tools.binDir}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    PYWASI_AR: opts.ar,
    PYWASI_TARGET_INCLUDE: target.includeDir,
    PYTHONPATH: [CROSS_SITE, opts.targetImports, opts.buildTools, target.sysconfigDir].filter(Boolean).join(':'),
    ...(opts.targetImports ? { PYWASI_TARGET_IMPORTS: opts.targetImports } : {}),
    _PYTHON_SYSCONFIGDATA_NAME: target.sysconfigName,
    _PYTHON_HOST_PLATFORM: target.hostPlatform,
    // The build machine's pip settings (a find-links dir, a cache) have no say in this build.
    PIP_CONFIG_FILE: '/dev/null',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** The file name endings of the target's extension modules, as its sysconfig gives them. */
export async function extensionSuffixes(buildPython: string, env: Record<string, string>): Promise<string[]> {
  const probe = "import json, sysconfig; print(json.dumps([sysconfig.get_config_var('EXT_SUFFIX'), '.abi3.so', '.so']))";
  const result = await execa(buildPython, ['-c', probe], { env, reject: false });
  if (result.failed) throw new BuildError(`the build python could not read the target's sysconfig (${env['_PYTHON_SYSCONFIGDATA_NAME']}): ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

/** The PEP 517 backend a source tree names in pyproject.toml (setuptools' when it names none). */
export function buildBackend(tree: string): string {
  const pyproject = join(tree, 'pyproject.toml');
  const text = existsSync(pyproject) ? readFileSync(pyproject, 'utf8') : '';
  return /^\s*build-backend\s*=\s*["']([^"']+)["']/m.exec(text)?.[1] ?? 'setuptools.build_meta:__legacy__';
}
