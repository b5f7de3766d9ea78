// `npm pack` of an assembled package directory, the tarball landing beside it in place of its
// older versions: dist/packages/pywasi-host -> dist/packages/pywasi-host-0.1.0.tgz.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import { BuildError } from '../build-error.ts';

export interface Tarball {
  file: string;
  bytes: number;
  entries: number;
  unpackedBytes: number;
}

export async function packBeside(packageDir: string, version: string): Promise<Tarball> {
  const prefix = `${basename(packageDir)}-`;
  const tarball = join(dirname(packageDir), `${prefix}${version}.tgz`);
  const packing = `${packageDir}.packing-${process.pid}`;
  rmSync(packing, { recursive: true, force: true });
  mkdirSync(packing, { recursive: true });
  try {
    const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packing], { cwd: packageDir, reject: false });
    if (packed.failed) throw new BuildError(`npm pack failed in ${packageDir}:\n${packed.stderr || packed.stdout}`);
    const written = readdirSync(packing);
    if (written.length !== 1) throw new BuildError(`npm pack wrote ${written.join(', ') || 'nothing'}, not one tarball`);
    for (const old of readdirSync(dirname(packageDir))) {
      if (old.startsWith(prefix) && old.endsWith('.tgz') && /^\d/.test(old.slice(prefix.length))) rmSync(join(dirname(packageDir), old));
    }
    renameSync(join(packing, written[0]!), tarball);
    const [report] = JSON.parse(packed.stdout) as { entryCount: number; unpackedSize: number }[];
    return { file: tarball, bytes: statSync(tarball).size, entries: report?.entryCount ?? 0, unpackedBytes: report?.unpackedSize ?? 0 };
  } finally {
    rmSync(packing, { recursive: true, force: true });
  }
}
