// A built wasm library as a tarball for builders outside this workspace: headers, static
// libraries and relocatable pkg-config files under one top directory named after the library,
// its version and target (zlib-1.2.13-wasm32-wasi/). Reproducible: entries sorted, times,
// owners and modes normalised, gzip without a name or time.
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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
  /** Text that must not appear in a packed text file: the build machine's own paths. */
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

/** The files that go into the package, relative to `from`; refuses a text file that names a
 * forbidden path (a .pc file that would only work on this machine). */
export function packedFiles(from: string, forbidden: string[]): string[] {
  if (!existsSync(from)) throw new BuildError(`${from} does not exist: build the library first`);
  const files = walk(from).filter((f) => !LEFT_OUT.test(f)).map((f) => relative(from, f)).sort();
  if (files.length === 0) throw new BuildError(`${from} holds no files to pack`);
  for (const file of files.filter((f) => TEXT.test(f))) {
    const text = readFileSync(join(from, file), 'utf8');
    const found = forbidden.find((path) => text.includes(path));
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
