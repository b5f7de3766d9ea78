// What a wheel built for a static interpreter holds, sorted: its extension modules (archives,
// archive-extension.sh made them) become built-in modules, everything else is the package's files
// on the path. A built-in module is entered in the interpreter's init table under its full dotted
// name; its init function is renamed after that name, as two packages may each have a `_speedups`.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { BuildError } from '../build-error.ts';

export interface BuiltinModule {
  /** Full dotted name, e.g. markupsafe._speedups. */
  name: string;
  /** The init function the extension defines (PyInit_ + its last name). */
  definedInit: string;
  /** The name it is linked under. */
  init: string;
  /** Wheel-relative path of the archive. */
  file: string;
  /** Link flags the package's build gave for it (-l, -L). */
  links: string[];
}

/** The manifest a package's build publishes beside its archives (python-package.json). */
export interface PackageManifest {
  name: string;
  version: string;
  modules: { name: string; init: string; archive: string }[];
  /** -l flags the extensions need, in the order the builds gave them. */
  libs: string[];
  /** Where the libraries they name are: the lib dirs of the projects the package links. */
  libDirs: string[];
  /** The package's files for the path: a directory relative to the manifest. */
  site: string;
}

/** C and Cython sources and headers a wheel may carry: nothing imports them. */
const SOURCE_ONLY = /\.(c|cc|cpp|cxx|h|hh|hpp|pyx|pxd|pxi)$/;

/** The init function an extension is linked under: unique per dotted name. */
export function initSymbol(moduleName: string): string {
  return moduleName.includes('.') ? `PyInit_${moduleName.replaceAll('.', '__')}` : `PyInit_${moduleName}`;
}

/** Splits an unpacked wheel into built-in modules and files for the path. */
export function sortWheel(wheelDir: string, extSuffixes: string[]): { modules: BuiltinModule[]; files: string[]; dropped: string[] } {
  const modules: BuiltinModule[] = [];
  const files: string[] = [];
  const dropped: string[] = [];
  const suffixes = [...extSuffixes].sort((a, b) => b.length - a.length);
  for (const entry of readdirSync(wheelDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = relative(wheelDir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (file.endsWith('.libs') && suffixes.some((s) => file.endsWith(s + '.libs'))) continue;
    const suffix = suffixes.find((s) => file.endsWith(s));
    if (suffix) {
      const name = file.slice(0, -suffix.length).replaceAll('/', '.');
      const last = name.split('.').pop()!;
      const linksFile = join(wheelDir, file + '.libs');
      let links: string[] = [];
      try {
        links = readFileSync(linksFile, 'utf8').split('\n').filter(Boolean);
      } catch {
        throw new BuildError(`${file}: the build did not make it with archive-extension.sh (no ${file}.libs beside it): did it ignore LDSHARED?`);
      }
      modules.push({ name, definedInit: `PyInit_${last}`, init: initSymbol(name), file, links });
    } else if (SOURCE_ONLY.test(file)) dropped.push(file);
    else files.push(file);
  }
  modules.sort((a, b) => a.name.localeCompare(b.name));
  return { modules, files: files.sort(), dropped: dropped.sort() };
}
