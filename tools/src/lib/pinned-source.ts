import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { BuildError } from './build-error.ts';
import { debianLookup, disappearedPin, type DebianLookup, type DebianOrig } from './debian-archive.ts';
import { downloadFile, verifySha256 } from './download.ts';
import { findIndexFile } from './package-index.ts';

/** An upstream source release pinned by digest, with the places it can be obtained from. */
export interface SourcePin {
  name: string;
  version: string;
  sha256: string;
  /** File name in the download cache; defaults to the Debian orig name, else the URL's base name. */
  fileName?: string;
  upstreamUrl?: string;
  debian?: DebianOrig;
  /** A project on the Python package index pip uses here: its file with this sha256 (an sdist). */
  pypi?: string;
}

/** A pinned source a build prepares before it runs, with the patches applied to it. */
export interface SourceRequest {
  pin: SourcePin;
  /** Workspace-relative directory of the *.patch files (applied in name order). */
  patchesDir: string;
}

export function pinnedFileName(pin: SourcePin): string {
  const name = pin.fileName ?? pin.debian?.file ?? (pin.upstreamUrl ? basename(new URL(pin.upstreamUrl).pathname) : pin.pypi ? `${pin.pypi}-${pin.version}.tar.gz` : undefined);
  if (!name) throw new BuildError(`source pin ${pin.name} ${pin.version} names no file: give fileName, debian, pypi or upstreamUrl`);
  return name;
}

export interface ObtainOptions {
  downloadsDir: string;
  /** Where candidate URLs come from; tests replace the Debian lookup. */
  debianLookup?: (orig: DebianOrig) => Promise<DebianLookup>;
  log?: (line: string) => void;
}

/**
 * Returns the path of the verified tarball: from the download cache, else the upstream URL, else
 * Debian's archive. A cached file that fails verification is deleted and the build fails loudly
 * (someone or something changed it); a download that fails verification is deleted and the next
 * place is tried.
 */
export async function obtainTarball(pin: SourcePin, options: ObtainOptions): Promise<string> {
  const log = options.log ?? console.log;
  const dest = join(options.downloadsDir, pinnedFileName(pin));
  if (existsSync(dest)) {
    await verifySha256(dest, pin.sha256);
    log(`${pin.name} ${pin.version}: ${dest} (cached, sha256 ok)`);
    return dest;
  }
  const failures: string[] = [];
  const tryUrls = async (urls: string[]): Promise<boolean> => {
    for (const url of urls) {
      log(`${pin.name} ${pin.version}: downloading ${url}`);
      try {
        await downloadFile(url, dest);
        await verifySha256(dest, pin.sha256);
        log(`${pin.name} ${pin.version}: sha256 ok`);
        return true;
      } catch (error) {
        failures.push(`${url}: ${(error as Error).message.split('\n')[0]}`);
        log(`${pin.name} ${pin.version}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    return false;
  };
  if (pin.upstreamUrl && (await tryUrls([pin.upstreamUrl]))) return dest;
  if (pin.pypi) {
    try {
      const { url } = await findIndexFile(pin.pypi, pin.sha256);
      if (await tryUrls([url])) return dest;
    } catch (error) {
      failures.push(`package index: ${(error as Error).message}`);
    }
  }
  if (pin.debian) {
    log(`${pin.name} ${pin.version}: looking up Debian source package ${pin.debian.package} ${pin.debian.version}`);
    const lookup = await (options.debianLookup ?? debianLookup)(pin.debian);
    if (lookup.urls.length === 0) failures.push(`Debian archive: no apt sources of ${pin.debian.suite ? `Debian ${pin.debian.suite} (derived from this machine's)` : 'this machine'} found`);
    if (await tryUrls(lookup.urls)) return dest;
    const gone = disappearedPin(pin.debian, lookup);
    if (gone) throw new BuildError(`${gone}. (Or put a verified copy at ${dest}.)`);
  }
  throw new BuildError(
    `could not obtain ${pin.name} ${pin.version} (${pinnedFileName(pin)}, sha256 ${pin.sha256}):\n` +
      failures.map((f) => `  - ${f}`).join('\n') +
      `\nPut a verified copy at ${dest} to build offline.`,
  );
}

export interface ExtractOptions {
  tarball: string;
  destDir: string;
  /** Directory of `*.patch` files applied in name order with `patch -p1`; may be absent. */
  patchesDir?: string;
  stripComponents?: number;
  log?: (line: string) => void;
}

/** The patches that apply to a source, in the order they are applied. */
export function listPatches(patchesDir: string | undefined): string[] {
  if (!patchesDir || !existsSync(patchesDir)) return [];
  return readdirSync(patchesDir)
    .filter((f) => f.endsWith('.patch'))
    .sort()
    .map((f) => join(patchesDir, f));
}

/**
 * Extracts and patches into a staging directory that replaces `destDir` only when every patch
 * applied: a failed run leaves the previous tree (or nothing) behind, never a half-patched one.
 */
export async function extractAndPatch(options: ExtractOptions): Promise<void> {
  const log = options.log ?? console.log;
  const staging = `${options.destDir}.staging`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const strip = options.stripComponents ?? 1;
    log(`extracting ${basename(options.tarball)} into ${options.destDir}`);
    const tar = await execa('tar', ['-xf', options.tarball, '-C', staging, `--strip-components=${strip}`], { reject: false });
    if (tar.failed) throw new BuildError(`extracting ${options.tarball} failed:\n${tar.stderr}`);
    for (const patch of listPatches(options.patchesDir)) {
      log(`applying ${basename(patch)}`);
      const applied = await execa('patch', ['-p1', '--forward', '--batch', '--no-backup-if-mismatch', '-d', staging, '-i', patch], { reject: false, all: true });
      if (applied.failed) {
        throw new BuildError(`patch ${patch} does not apply to ${basename(options.tarball)}:\n${applied.all}`);
      }
    }
    rmSync(options.destDir, { recursive: true, force: true });
    renameSync(staging, options.destDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The file in an extracted tree that records what it was made from. */
export const SOURCE_STAMP = '.pinned-source.json';

/** The identity of an extracted tree: the pin, the extraction and each patch's content. */
export function sourceStamp(pin: SourcePin, patches: string[], stripComponents = 1): string {
  const patchDigests = patches.map((file) => ({
    name: basename(file),
    sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
  }));
  return JSON.stringify({ name: pin.name, version: pin.version, sha256: pin.sha256, stripComponents, patches: patchDigests }, null, 2) + '\n';
}

/**
 * The whole `source` step: a verified tarball, extracted and patched into `destDir`. The tarball is
 * verified on every run; a tree that already carries the same stamp is then kept as it is, so its
 * files keep their timestamps and incremental builds that compile from it (make) stay incremental.
 * (So the tree is prepared by every build that reads it, not restored by Nx: Nx without its daemon
 * rewrites a cached target's outputs on every hit, with fresh mtimes.)
 */
export async function prepareSource(
  pin: SourcePin,
  options: ObtainOptions & Omit<ExtractOptions, 'tarball'>,
): Promise<void> {
  const tarball = await obtainTarball(pin, options);
  const stamp = sourceStamp(pin, listPatches(options.patchesDir), options.stripComponents);
  const stampFile = join(options.destDir, SOURCE_STAMP);
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    (options.log ?? console.log)(`${pin.name} ${pin.version}: ${options.destDir} is up to date (same pin and patches), kept`);
    return;
  }
  await extractAndPatch({ ...options, tarball });
  writeFileSync(stampFile, stamp);
}
