import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { BuildError, reportBuildErrors } from '../../lib/build-error.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { writeDeclarations } from '../../lib/npm-package/declarations.ts';
import { entryFiles, publishManifest, type Manifest } from '../../lib/npm-package/manifest.ts';
import { packBeside } from '../../lib/npm-package/tarball.ts';
import { publish } from '../../lib/publish.ts';
import type { NpmPackageExecutorOptions } from './schema.d.ts';

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`);

export default async function npmPackageExecutor(options: NpmPackageExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const manifestFile = options.manifest ?? join(places.projectRoot, 'package.json');
    let source: Manifest;
    try {
      source = JSON.parse(readFileSync(places.abs(manifestFile), 'utf8')) as Manifest;
    } catch (error) {
      throw new BuildError(`cannot read ${manifestFile}: ${(error as Error).message}`);
    }
    const manifest = publishManifest(source, manifestFile);

    // Assembled beside its place, then swapped in: a failed pack leaves the previous package whole.
    const outputPath = places.abs(options.outputPath);
    const staging = `${outputPath}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      for (const file of options.files) {
        const from = places.abs(file.from);
        if (!existsSync(from)) throw new BuildError(`${file.from} does not exist: is the target that makes it among this target's dependsOn?`);
        const to = join(staging, file.to ?? basename(file.from));
        mkdirSync(dirname(to), { recursive: true });
        cpSync(from, to, { recursive: true });
      }
      await writeDeclarations(
        (options.declarations ?? []).map((d) => ({ entry: places.abs(d.entry), output: join(staging, d.output) })),
        places.abs(options.tsConfig ?? 'tsconfig.base.json'),
      );
      // package.json itself (a data package exports only it) is written below.
      const missing = entryFiles(manifest).filter((f) => f !== 'package.json' && !existsSync(join(staging, f)));
      if (missing.length) throw new BuildError(`${manifestFile} names ${missing.join(', ')}, which the package does not hold: add ${missing.length > 1 ? 'them' : 'it'} to the target's files or declarations`);
      writeFileSync(join(staging, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
      publish(staging, outputPath);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }

    const tarball = await packBeside(outputPath, manifest.version);
    console.log(`[${places.label}] ${relative(places.workspaceRoot, tarball.file)}: ${size(tarball.bytes)} (${tarball.entries} files, ${size(tarball.unpackedBytes)} unpacked)`);
  });
}
