// What a wheel built for a static interpreter holds, sorted: its extension modules (archives,
// archive-extension.sh made them) become built-in modules, everything else is the package's files
// on the path. A built-in module is entered in the interpreter's init table under its full dotted
// name; its init function is renamed after that name, as two packages may each have a `_speedups`.
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { execa } from 'execa';
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
  /** The wheel's C and Cython sources and headers, laid out as in site-packages: nothing imports
   * them, so they stay out of the interpreter's zips, but another package's build reads them
   * (numpy's headers and .pxd for pandas). A directory relative to the manifest. */
  buildFiles: string;
}

/** C and Cython sources and headers a wheel may carry: nothing imports them. */
const SOURCE_ONLY = /\.(c|cc|cpp|cxx|h|hh|hpp|pyx|pxd|pxi)$/;

/** The init function an extension is linked under: unique per dotted name. */
export function initSymbol(moduleName: string): string {
  return moduleName.includes('.') ? `PyInit_${moduleName.replaceAll('.', '__')}` : `PyInit_${moduleName}`;
}

/** The archive member archive-extension.sh writes the extension's link flags to. */
export const LINK_FLAGS_MEMBER = 'pywasi-link.txt';

/** Takes the link flags out of an extension's archive (leaving only objects in it). */
async function takeLinkFlags(archive: string, ar: string, file: string): Promise<string[]> {
  const listed = await execa(ar, ['t', archive], { reject: false });
  if (listed.failed) throw new BuildError(`${file} is not an archive (${listed.stderr.trim()}): the build linked it itself instead of archiving it (did it ignore CC/LDSHARED or the cross file?)`);
  if (!listed.stdout.split('\n').includes(LINK_FLAGS_MEMBER)) throw new BuildError(`${file} was not made by archive-extension.sh (no ${LINK_FLAGS_MEMBER} in it)`);
  const flags = (await execa(ar, ['p', archive, LINK_FLAGS_MEMBER])).stdout.split('\n').filter(Boolean);
  await execa(ar, ['d', archive, LINK_FLAGS_MEMBER]);
  return flags;
}

/** Splits an unpacked wheel into built-in modules, files for the path and files only builds read. */
export async function sortWheel(wheelDir: string, extSuffixes: string[], ar: string): Promise<{ modules: BuiltinModule[]; files: string[]; buildFiles: string[] }> {
  const modules: BuiltinModule[] = [];
  const files: string[] = [];
  const buildFiles: string[] = [];
  const suffixes = [...extSuffixes].sort((a, b) => b.length - a.length);
  for (const entry of readdirSync(wheelDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = relative(wheelDir, join(entry.parentPath, entry.name)).split(sep).join('/');
    const suffix = suffixes.find((s) => file.endsWith(s));
    if (suffix) {
      const name = file.slice(0, -suffix.length).replaceAll('/', '.');
      const last = name.split('.').pop()!;
      const links = await takeLinkFlags(join(wheelDir, file), ar, file);
      modules.push({ name, definedInit: `PyInit_${last}`, init: initSymbol(name), file, links });
    } else if (SOURCE_ONLY.test(file)) buildFiles.push(file);
    else files.push(file);
  }
  modules.sort((a, b) => a.name.localeCompare(b.name));
  return { modules, files: files.sort(), buildFiles: buildFiles.sort() };
}
