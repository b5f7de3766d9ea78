// A built wasm library as a tarball for builders outside this workspace: headers, static
// libraries and relocatable pkg-config files under one top directory named after the library,
// its version and target (zlib-1.2.13-wasm32-wasi/). Reproducible: entries sorted, times,
// owners and modes normalised, gzip without a name or time.
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { execa } from 'execa';
import { BuildError } from './build-error.ts';

export interface LibTarballInput {
  /** Absolute directory of the built library (include/, lib/, or a sysroot). */
  from: string;
  name: string;
  version: string;
  target: string;
  /** Absolute directory the tarball is written to. */
  outputDir: string;
  /** Absolute directories of the build machine the build used (the workspace, build and install
   * prefixes): a packed text file must not name a path in them (see namesMachinePath). */
  forbidden: string[];
}

export interface LibTarball {
  file: string;
  top: string;
  bytes: number;
  files: number;
}

/** Files a package leaves out: libtool archives record the build's absolute paths and serve no
 * static link. */
const LEFT_OUT = /\.la$/;
const TEXT = /\.(pc|h|hpp|cmake|txt|imports)$/;

export const tarballTop = (name: string, version: string, target: string) => `${name}-${version}-${target}`;
export const tarballName = (name: string, version: string, target: string) => `${tarballTop(name, version, target)}.tar.gz`;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

/** Characters that may start a path token when just before it: whitespace, quotes and the
 * separators of assignments, lists and markup (`prefix=/x`, `PATH:/x`, `"/x"`, `(/x`, `</x>`). A
 * letter, digit, `.`, `/`, `-`, `_`, `}` or `)` before it makes it the tail of a longer path
 * (`../src/x`, `${prefix}/src`, `/srv/src`). */
const TOKEN_START = /[\s"'`=:(,;<>[{|]/;
/** Characters that continue a path component: after them the directory would be another one
 * (`/srcfoo`, `/src.orig`, `/src-2`). */
const NAME_CHAR = /[\p{L}\p{N}_.\-+~@%$#]/u;

/** Is `i` the start of a path token in `text`: start of the text, after a token separator, or
 * right after a compiler option letter at the start of a token (`-I/x`, `-L/x`)? */
function startsToken(text: string, i: number): boolean {
  if (i === 0 || TOKEN_START.test(text[i - 1]!)) return true;
  return i >= 2 && text[i - 2] === '-' && /[A-Za-z]/.test(text[i - 1]!) && (i === 2 || TOKEN_START.test(text[i - 3]!));
}

/**
 * Which of `dirs` (absolute directories of the build machine) `text` names as a path, if any: an
 * occurrence that starts a token (see startsToken) and is followed by `/` or by the end of the
 * token. A relative path that merely contains the directory's name (`../src/include/x.h` with the
 * workspace at /src) or a longer name (`/srcfoo`) does not count. Of several, the longest is
 * returned, so the message names the most precise place.
 */
export function namesMachinePath(text: string, dirs: readonly string[]): string | undefined {
  const candidates = [...new Set(dirs.map((d) => d.replace(/\/+$/, '')))]
    // The root, or a relative path, names nothing of this machine in particular.
    .filter((d) => d.startsWith('/') && d.length > 1)
    .sort((a, b) => b.length - a.length);
  return candidates.find((dir) => {
    for (let i = text.indexOf(dir); i !== -1; i = text.indexOf(dir, i + 1)) {
      const after = text[i + dir.length];
      if (startsToken(text, i) && (after === undefined || after === '/' || !NAME_CHAR.test(after))) return true;
    }
    return false;
  });
}

/**
 * The directories of the build machine a library's build used, absolute: the workspace (as given
 * and, when it differs, as the file system resolves it: a build may record either), and from the
 * options of the project's build target, its source, build and output directories and the
 * `--prefix=` it installed to. Placeholders `{root}` are the workspace.
 */
export function buildMachineDirs(workspaceRoot: string, buildOptions: Record<string, unknown> = {}, realRoot: string = workspaceRoot): string[] {
  const abs = (p: string) => (isAbsolute(p) ? p : join(workspaceRoot, p));
  const dirs = [workspaceRoot, realRoot];
  for (const key of ['sourceDir', 'buildDir', 'outputPath']) {
    const value = buildOptions[key];
    if (typeof value === 'string' && value) dirs.push(abs(value.replaceAll('{root}', workspaceRoot)));
  }
  const configure = buildOptions['configure'] as { args?: unknown } | undefined;
  for (const arg of Array.isArray(configure?.args) ? configure.args : []) {
    if (typeof arg === 'string' && arg.startsWith('--prefix=')) dirs.push(abs(arg.slice('--prefix='.length).replaceAll('{root}', workspaceRoot)));
  }
  return [...new Set(dirs)];
}

/** The files that go into the package, relative to `from`; refuses a text file that names a
 * forbidden path (a .pc file that would only work on this machine). */
export function packedFiles(from: string, forbidden: string[]): string[] {
  if (!existsSync(from)) throw new BuildError(`${from} does not exist: build the library first`);
  const files = walk(from).filter((f) => !LEFT_OUT.test(f)).map((f) => relative(from, f)).sort();
  if (files.length === 0) throw new BuildError(`${from} holds no files to pack`);
  for (const file of files.filter((f) => TEXT.test(f))) {
    const text = readFileSync(join(from, file), 'utf8');
    const found = namesMachinePath(text, forbidden);
    if (found) {
      throw new BuildError(`${file} names ${found}, a path of this machine: the package would not work elsewhere (make it relative, e.g. prefix=\${pcfiledir}/../..)`);
    }
  }
  return files;
}

export async function packLibrary(input: LibTarballInput): Promise<LibTarball> {
  const files = packedFiles(input.from, input.forbidden);
  const top = tarballTop(input.name, input.version, input.target);
  const file = join(input.outputDir, tarballName(input.name, input.version, input.target));
  const partial = `${file}.partial`;
  mkdirSync(input.outputDir, { recursive: true });
  // The files as they are, renamed under the top directory on the way into the archive.
  const tar = execa('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--mode=u+rw,go+r,go-w', '--format=gnu',
    '-C', input.from, `--transform=s,^,${top}/,`, '-cf', '-', '--', ...files], { buffer: false, stderr: 'pipe', reject: false });
  try {
    await pipeline(tar.stdout!, createGzip({ level: 9 }), createWriteStream(partial));
    const packed = await tar;
    if (packed.exitCode !== 0) throw new BuildError(`tar failed for ${top}:\n${packed.stderr ?? ''}`);
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
  return { file, top, bytes: statSync(file).size, files: files.length };
}
