// Python packages another package's build imports (pandas' build asks numpy.get_include()): the
// build python runs on the build machine, so it cannot run the target's extension modules, and
// the build machine's copy of the package has the build machine's headers (numpy's
// _numpyconfig.h gives 8-byte longs; wasm32's are 4). The build python imports such a package
// from a tree of the target's files instead (its Python files, C headers and Cython
// declarations, as the package's project published them), and the cross sitecustomize adds the
// same package directories of the build tools to each package's __path__, where the build
// machine's wheel of the same version supplies the extension modules. What the package answers
// about its files (numpy.get_include(), a .pxd Cython finds on sys.path) is then the target's.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildError } from '../build-error.ts';
import { normalizedName } from '../package-index.ts';
import type { PackageManifest } from './built-in-modules.ts';

export interface TargetImports {
  /** The tree of the target's files, first on the build python's path. */
  dir: string;
  packages: { name: string; version: string }[];
}

/** The version of `name` a directory of installed wheels holds (from its .dist-info), if any. */
export function installedVersion(siteDir: string, name: string): string | undefined {
  const wanted = normalizedName(name);
  for (const entry of existsSync(siteDir) ? readdirSync(siteDir) : []) {
    const match = /^(.+)-([^-]+)\.dist-info$/.exec(entry);
    if (match && normalizedName(match[1]!) === wanted) return match[2];
  }
  return undefined;
}

/**
 * Lays the target's files of the published packages (`packageDirs`: their python-package.json,
 * site-packages and build files) out in `dir`, after checking that the build tools hold the
 * build machine's wheel of each at the same version.
 */
export function layOutTargetImports(packageDirs: string[], buildTools: string | undefined, dir: string, label: string): TargetImports {
  mkdirSync(dir, { recursive: true });
  const packages = packageDirs.map((packageDir) => {
    const manifestFile = join(packageDir, 'python-package.json');
    if (!existsSync(manifestFile)) throw new BuildError(`${label} links ${packageDir}, which holds no python-package.json: build that package first`);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as PackageManifest;
    if (manifest.buildFiles === undefined) throw new BuildError(`${manifestFile} names no buildFiles (its headers): it was published by an older python-package executor; rebuild ${manifest.name}`);
    const onBuildMachine = buildTools ? installedVersion(buildTools, manifest.name) : undefined;
    if (onBuildMachine !== manifest.version) {
      throw new BuildError(
        `${label} links the Python package ${manifest.name} ${manifest.version}: its build imports it with the build machine's extension modules, ` +
          `so the build tools (${buildTools ?? 'none given'}) must hold ${manifest.name}==${manifest.version} for the build python, ` +
          `and they hold ${onBuildMachine ?? 'none'}: pin ${manifest.name}==${manifest.version} in the build tools' requirements`,
      );
    }
    for (const part of [manifest.site, manifest.buildFiles]) {
      const from = join(packageDir, part);
      if (existsSync(from)) cpSync(from, dir, { recursive: true });
    }
    return { name: manifest.name, version: manifest.version };
  });
  return { dir, packages };
}
