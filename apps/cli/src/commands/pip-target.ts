// The packages in a `pip install --target` directory (./deps), read from their .dist-info
// directories, and their removal by RECORD. pywasi removes them itself: the host's
// `pip uninstall` has no --target, and run with the directory on sys.path it resolves RECORD's
// `../../bin/NAME` entries (console scripts, which --target moved into DIR/bin) against the
// directory's parent, deleting a file outside it and leaving DIR/bin/NAME behind.
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, rmdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CliError } from '../cli-error.ts';

export interface Distribution {
  /** As METADATA spells it. */
  name: string;
  version: string;
  /** The NAME-VERSION.dist-info directory (absolute). */
  infoDir: string;
}

/** PEP 503's normalised form: how pip compares names (`Typing_Extensions` is `typing-extensions`). */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Fails with one line when the target directory is missing; `install` names how to make it. */
export function requireTarget(target: string, install: string): void {
  let isDir = false;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    throw new CliError(`no package directory ${target}: install packages into it with \`${install}\``, 1);
  }
  if (!isDir) throw new CliError(`${target} is not a directory (pywasi pip keeps packages in a directory)`, 1);
}

/** The first value of each header in a METADATA file (an email-style header block). */
function headers(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break; // the body (long description) follows
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (m && !found.has(m[1]!.toLowerCase())) found.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  return found;
}

/** The distributions installed in `target`, sorted by name. */
export function distributions(target: string): Distribution[] {
  const found: Distribution[] = [];
  let entries;
  try {
    entries = readdirSync(target, { withFileTypes: true });
  } catch (error) {
    throw new CliError(`cannot read ${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 1);
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.endsWith('.dist-info')) continue;
    const infoDir = path.resolve(target, entry.name);
    let meta: Map<string, string>;
    try {
      meta = headers(readFileSync(path.join(infoDir, 'METADATA'), 'utf8'));
    } catch {
      continue; // not a distribution pip would see either
    }
    const name = meta.get('name');
    const version = meta.get('version');
    if (name && version) found.push({ name, version, infoDir });
  }
  return found.sort((a, b) => byCodePoint(canonicalName(a.name), canonicalName(b.name)) || byCodePoint(a.infoDir, b.infoDir));
}

/** The first field of each RECORD row (CSV: a path with a comma or quote is quoted). */
export function recordPaths(text: string): string[] {
  const paths: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    if (!line.startsWith('"')) {
      paths.push(line.split(',')[0]!);
      continue;
    }
    let value = '';
    for (let i = 1; i < line.length; i++) {
      if (line[i] === '"') {
        if (line[i + 1] === '"') {
          value += '"';
          i++;
        } else break;
      } else value += line[i];
    }
    paths.push(value);
  }
  return paths.filter((p) => p !== '');
}

/** Sorts as pip does (Python's str order), whatever the locale. */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const inside = (dir: string, p: string): boolean => p !== dir && p.startsWith(dir + path.sep);

/**
 * Where a RECORD entry is on disk. Entries are relative to the target; pip --target records
 * files of the wheel's other schemes (scripts, data) as `../../bin/NAME`, relative to the
 * temporary home's `lib/python` it installed into, and then moved `bin/`... into the target. An
 * entry that is nowhere inside the target is not the package's to remove (undefined).
 */
export function recordedFile(target: string, entry: string): string | undefined {
  const direct = path.resolve(target, entry);
  if (inside(target, direct)) return direct;
  const viaHome = path.resolve(target, 'lib', 'python', entry);
  return inside(target, viaHome) ? viaHome : undefined;
}

export interface Removal {
  dist: Distribution;
  /** Files (and symlinks) to delete, absolute, sorted. */
  files: string[];
  /** RECORD entries that point outside the target: left alone. */
  outside: string[];
}

function readRecord(dist: Distribution): string[] {
  try {
    return recordPaths(readFileSync(path.join(dist.infoDir, 'RECORD'), 'utf8'));
  } catch {
    throw new CliError(`cannot uninstall ${dist.name} ${dist.version}: ${path.join(dist.infoDir, 'RECORD')} is missing, so which files are its own is unknown`, 1);
  }
}

/** Whether p's directory really is inside the target (no symlinked directory leads out of it). */
function reallyInside(realTarget: string, p: string): boolean {
  try {
    return inside(realTarget, path.join(realpathSync(path.dirname(p)), path.basename(p)));
  } catch {
    return false;
  }
}

const exists = (p: string): boolean => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/**
 * The files `dist` installed, by its RECORD, with the bytecode caches of its .py files (any
 * interpreter's: the host's pip compiles them, python.wasm may add its own), and its whole
 * .dist-info. `keep` spares files (those another distribution records, shared with it).
 */
export function planRemoval(target: string, dist: Distribution, keep: (file: string) => boolean = () => false): Removal {
  const root = path.resolve(target);
  const realRoot = realpathSync(root);
  const files = new Set<string>();
  const outside: string[] = [];
  const add = (p: string) => {
    if (!keep(p) && exists(p) && reallyInside(realRoot, p)) files.add(p);
  };
  for (const entry of readRecord(dist)) {
    const file = recordedFile(root, entry);
    if (file === undefined) {
      outside.push(entry);
      continue;
    }
    add(file);
    if (file.endsWith('.py')) {
      const cache = path.join(path.dirname(file), '__pycache__');
      const stem = path.basename(file, '.py');
      let names: string[] = [];
      try {
        names = readdirSync(cache);
      } catch {
        // no cache
      }
      // NAME.TAG.pyc or NAME.TAG.opt-N.pyc (importlib.util.cache_from_source)
      const cached = new RegExp(`^${escapeRegExp(stem)}\\.[^.]+(\\.opt-[0-9]+)?\\.pyc$`);
      for (const name of names) if (cached.test(name)) add(path.join(cache, name));
    }
  }
  for (const file of walk(dist.infoDir)) add(file);
  return { dist, files: [...files].sort(), outside };
}

/** Every non-directory under dir. */
function walk(dir: string): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/**
 * What pip's "Would remove:" lists: a top-level directory of the target as DIR/* when all its
 * files go, else each file.
 */
export function summarise(target: string, removal: Removal): string[] {
  const root = path.resolve(target);
  const going = new Set(removal.files);
  const byTop = new Map<string, string[]>();
  for (const file of removal.files) {
    const top = path.join(root, topLevel(root, file));
    byTop.set(top, [...(byTop.get(top) ?? []), file]);
  }
  const lines: string[] = [];
  for (const [top, files] of byTop) {
    const whole = top !== files[0] && walk(top).every((f) => going.has(f));
    const shown = whole ? [path.join(top, '*')] : files;
    lines.push(...shown.map((p) => path.join(target, path.relative(root, p))));
  }
  return lines.sort(byCodePoint);
}

/** The entry directly in the target that holds p (its top-level package, bin, a .dist-info...). */
export function topLevel(target: string, p: string): string {
  return path.relative(path.resolve(target), p).split(path.sep)[0]!;
}

/** Deletes the files, then the directories they leave empty (never the target itself). */
export function remove(target: string, removal: Removal): void {
  const root = path.resolve(target);
  const dirs = new Set<string>();
  for (const file of removal.files) {
    try {
      rmSync(file, { force: true });
    } catch (error) {
      const { name, version } = removal.dist;
      throw new CliError(`cannot remove ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}): ${name} ${version} is partly uninstalled`, 1);
    }
    for (let dir = path.dirname(file); inside(root, dir); dir = path.dirname(dir)) dirs.add(dir);
  }
  // Deepest first, so a parent is tried once its children are gone.
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty: holds what is not this package's
    }
  }
}

/** Files recorded by the distributions other than `except` (their shared files stay). */
export function recordedByOthers(target: string, all: Distribution[], except: Distribution[]): Set<string> {
  const root = path.resolve(target);
  const skip = new Set(except.map((d) => d.infoDir));
  const files = new Set<string>();
  for (const dist of all) {
    if (skip.has(dist.infoDir) || !existsSync(path.join(dist.infoDir, 'RECORD'))) continue;
    for (const entry of readRecord(dist)) {
      const file = recordedFile(root, entry);
      if (file !== undefined) files.add(file);
    }
  }
  return files;
}
