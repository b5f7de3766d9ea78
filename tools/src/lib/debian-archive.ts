import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * Fetches pristine upstream tarballs (`*.orig.tar.*`) from Debian's archive using only this
 * machine's own apt configuration: no mirror host name lives in the repository. Source lines
 * (`deb-src`) are derived at run time in a temporary apt configuration; system files are untouched.
 */

export interface AptSource {
  uris: string[];
  suites: string[];
  components: string[];
  /** Every other deb822 field (Signed-By...), copied verbatim. */
  extra: Record<string, string>;
}

/** Parses deb822 `.sources` text; keeps only stanzas whose Types include `deb`. */
export function parseDeb822Sources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields: Record<string, string> = {};
    let last = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#') || line.trim() === '') continue;
      if (/^\s/.test(line) && last) {
        fields[last] += '\n' + line;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      last = line.slice(0, colon).trim();
      fields[last] = line.slice(colon + 1).trim();
    }
    const { Types, URIs, Suites, Components, Enabled, ...extra } = fields;
    if (!Types?.split(/\s+/).includes('deb') || !URIs || !Suites || Enabled === 'no') continue;
    sources.push({ uris: URIs.split(/\s+/), suites: Suites.split(/\s+/), components: (Components ?? '').split(/\s+/).filter(Boolean), extra });
  }
  return sources;
}

/** Parses one-line `deb [options] uri suite components...` sources (options are dropped). */
export function parseOneLineSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const extra: Record<string, string> = {};
    const signedBy = /signed-by=(\S+)/.exec(match[1] ?? '');
    if (signedBy?.[1]) extra['Signed-By'] = signedBy[1];
    sources.push({ uris: [match[2]!], suites: [match[3]!], components: (match[4] ?? '').split(/\s+/).filter(Boolean), extra });
  }
  return sources;
}

/** The machine's apt sources, read the way apt reads them (only *.sources and *.list files). */
export function machineAptSources(etcApt = '/etc/apt'): AptSource[] {
  const sources: AptSource[] = [];
  const list = join(etcApt, 'sources.list');
  if (existsSync(list)) sources.push(...parseOneLineSources(readFileSync(list, 'utf8')));
  const partsDir = join(etcApt, 'sources.list.d');
  const parts = existsSync(partsDir) ? readdirSync(partsDir).sort() : [];
  for (const name of parts) {
    const text = readFileSync(join(partsDir, name), 'utf8');
    if (name.endsWith('.sources')) sources.push(...parseDeb822Sources(text));
    else if (name.endsWith('.list')) sources.push(...parseOneLineSources(text));
  }
  return sources;
}

export function toDebSrcStanzas(sources: AptSource[]): string {
  return sources
    .map((s) =>
      [
        'Types: deb-src',
        `URIs: ${s.uris.join(' ')}`,
        `Suites: ${s.suites.join(' ')}`,
        `Components: ${s.components.join(' ')}`,
        ...Object.entries(s.extra).map(([k, v]) => `${k}: ${v}`),
      ].join('\n'),
    )
    .join('\n\n') + '\n';
}

/** Pool path of a source package, by Debian's rule (lib* packages use four letters). */
export function poolPath(sourcePackage: string, file: string): string {
  const prefix = sourcePackage.startsWith('lib') ? sourcePackage.slice(0, 4) : sourcePackage.slice(0, 1);
  return `pool/main/${prefix}/${sourcePackage}/${file}`;
}

export interface DebianOrig {
  package: string;
  /** Debian version of the source package; any other version carrying the same orig file works too. */
  version: string;
  file: string;
  /** The Debian release serving it when that is not this machine's own (e.g. trixie on bookworm). */
  suite?: string;
}

/** This machine's Debian codename (bookworm), from os-release; undefined elsewhere. */
export function machineCodename(osRelease = '/etc/os-release'): string | undefined {
  if (!existsSync(osRelease)) return undefined;
  return /^VERSION_CODENAME=["']?([\w-]+)/m.exec(readFileSync(osRelease, 'utf8'))?.[1];
}

/**
 * The machine's Debian sources moved to another release: each suite named after the machine's
 * codename becomes the same suite of `suite` (bookworm-security -> trixie-security); sources of
 * no Debian release (a vendor's nodistro) are dropped, since they serve nothing of it.
 */
export function sourcesForSuite(sources: AptSource[], suite: string, codename: string | undefined): AptSource[] {
  if (!codename) return [];
  const moved: AptSource[] = [];
  for (const source of sources) {
    const suites = source.suites.filter((s) => s === codename || s.startsWith(`${codename}-`)).map((s) => suite + s.slice(codename.length));
    if (suites.length) moved.push({ ...source, suites });
  }
  return moved;
}

/** What the archive says about a pinned orig file. */
export interface DebianLookup {
  /** Candidate URLs, best first. */
  urls: string[];
  /** The source package's version the archive serves now, when apt could tell. */
  servedVersion?: string;
  /** The orig files of that version. */
  servedOrigs?: string[];
}

/**
 * Candidate URLs for a Debian orig file, best first: those apt itself prints for the pinned
 * version, then for the archive's current version, then the pool path under every mirror URI;
 * and which version the archive serves now (the archive keeps only current revisions, so a pin
 * can disappear: the caller then names the version that replaced it).
 */
export async function debianLookup(orig: DebianOrig, machineSources = machineAptSources(), codename = machineCodename()): Promise<DebianLookup> {
  const sources = orig.suite ? sourcesForSuite(machineSources, orig.suite, codename) : machineSources;
  if (sources.length === 0) return { urls: [] };
  const urls: string[] = [];
  let servedVersion: string | undefined;
  const servedOrigs: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'pywasi-apt-'));
  try {
    mkdirSync(join(dir, 'sources.list.d'));
    mkdirSync(join(dir, 'lists', 'partial'), { recursive: true });
    mkdirSync(join(dir, 'cache', 'archives', 'partial'), { recursive: true });
    writeFileSync(join(dir, 'sources.list.d', 'pywasi-deb-src.sources'), toDebSrcStanzas(sources));
    const aptOptions = [
      '-o', `Dir::Etc::SourceParts=${join(dir, 'sources.list.d')}`,
      '-o', 'Dir::Etc::SourceList=/dev/null',
      '-o', `Dir::State::Lists=${join(dir, 'lists')}`,
      '-o', `Dir::Cache=${join(dir, 'cache')}`,
      '-o', 'Debug::NoLocking=1',
      '-o', 'APT::Sandbox::User=root',
    ];
    const update = await execa('apt-get', [...aptOptions, 'update'], { reject: false });
    if (update.exitCode === 0) {
      for (const spec of [`${orig.package}=${orig.version}`, orig.package]) {
        // `source --print-uris` may exit non-zero for a missing .dsc although it printed the orig.
        const printed = await execa('apt-get', [...aptOptions, 'source', '--print-uris', spec], { reject: false });
        for (const line of printed.stdout.split('\n')) {
          const match = /^'([^']+)'\s+(\S+)\s/.exec(line);
          if (!match) continue;
          if (match[2] === orig.file) urls.push(match[1]!);
          if (spec !== orig.package) continue;
          // The current version: <package>_<version without epoch>.dsc, and its orig files.
          const dsc = new RegExp(`^${escapeRegExp(orig.package)}_(.+)\\.dsc$`).exec(match[2]!);
          if (dsc) servedVersion = dsc[1];
          if (/\.orig(-[\w-]+)?\.tar\./.test(match[2]!)) servedOrigs.push(match[2]!);
        }
      }
    }
  } catch {
    // apt-get missing or unusable: the pool paths below may still work.
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const source of sources) {
    for (const uri of source.uris) urls.push(`${uri.replace(/\/$/, '')}/${poolPath(orig.package, orig.file)}`);
  }
  return { urls: [...new Set(urls)], ...(servedVersion ? { servedVersion, servedOrigs } : {}) };
}

/** Debian versions compare without their epoch in file names (1:1.2.13.dfsg-1 -> 1.2.13.dfsg-1). */
export const withoutEpoch = (version: string) => version.replace(/^\d+:/, '');

/** One line for a pin the archive no longer serves, naming what replaced it; undefined if it is served. */
export function disappearedPin(orig: DebianOrig, lookup: DebianLookup): string | undefined {
  if (!lookup.servedVersion || withoutEpoch(orig.version) === lookup.servedVersion) return undefined;
  const sameFile = lookup.servedOrigs?.includes(orig.file);
  if (sameFile) return undefined; // a new Debian revision of the same upstream file: still fine
  return (
    `Debian's archive${orig.suite ? ` (${orig.suite})` : ''} no longer serves ${orig.package} ${orig.version} (${orig.file}); it serves ${lookup.servedVersion}` +
    (lookup.servedOrigs?.length ? ` (${lookup.servedOrigs.join(', ')})` : '') +
    `: update source.debian (version, file) and source.sha256 in the project's native.json`
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
