// Pure-Python packages for tests from Debian's archive (the Python package index is unreachable
// here): the machine's apt names each .deb and its digest, apt-helper fetches and checks it into
// the download cache once, and dpkg-deb unpacks its dist-packages into a directory the guest sees
// (the CLI puts ./deps on the guest's sys.path).
//
//   await debianPythonPackages(['python3-requests', 'python3-urllib3'], path.join(cwd, 'deps'));
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { pywasiCacheDir } from '../src/lib/cache-dir.ts';

interface DebFile {
  url: string;
  file: string;
  sha256: string;
}

async function debFiles(packages: string[]): Promise<DebFile[]> {
  const printed = await execa('apt-get', ['download', '--print-uris', ...packages], { reject: false, all: true });
  const debs = [...String(printed.stdout).matchAll(/^'([^']+)'\s+(\S+\.deb)\s+\d+\s+SHA256:([0-9a-f]{64})/gm)].map((m) => ({ url: m[1]!, file: m[2]!, sha256: m[3]! }));
  if (printed.exitCode !== 0 || debs.length !== packages.length) {
    throw new Error(`apt cannot name the .deb files of ${packages.join(', ')} (run apt-get update first?):\n${String(printed.all).slice(-800)}`);
  }
  return debs;
}

/** Unpacks the dist-packages of `packages` (Debian binary packages, Architecture: all) into `dest`. */
export async function debianPythonPackages(packages: string[], dest: string): Promise<void> {
  const cache = path.join(pywasiCacheDir(), 'debs');
  mkdirSync(cache, { recursive: true });
  mkdirSync(dest, { recursive: true });
  for (const deb of await debFiles(packages)) {
    const file = path.join(cache, deb.file);
    if (!existsSync(file)) {
      const got = await execa('/usr/lib/apt/apt-helper', ['download-file', deb.url, `${file}.part`, `SHA256:${deb.sha256}`], { reject: false, all: true });
      if (got.exitCode !== 0) throw new Error(`could not fetch ${deb.url}:\n${String(got.all).slice(-400)}`);
      await execa('mv', [`${file}.part`, file]);
    }
    const unpacked = mkdtempSync(path.join(tmpdir(), 'pywasi-deb-'));
    try {
      await execa('dpkg-deb', ['-x', file, unpacked]);
      const site = path.join(unpacked, 'usr/lib/python3/dist-packages');
      for (const entry of readdirSync(site)) cpSync(path.join(site, entry), path.join(dest, entry), { recursive: true });
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
  }
}
