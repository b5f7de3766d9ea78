import { realpathSync } from 'node:fs';
import type { ExecutorContext } from '@nx/devkit';
import { reportBuildErrors } from '../../lib/build-error.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { buildMachineDirs, packLibrary } from '../../lib/lib-tarball.ts';
import type { LibTarballExecutorOptions } from './schema.d.ts';

export default async function libTarballExecutor(options: LibTarballExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  // The directories the library's build used (the target this one depends on): a packed text file
  // must not name a path in them.
  const build = context.projectName ? context.projectsConfigurations?.projects[context.projectName]?.targets?.['build'] : undefined;
  const forbidden = buildMachineDirs(places.workspaceRoot, build?.options as Record<string, unknown> | undefined, realpathSync(places.workspaceRoot));
  return reportBuildErrors(places.label, async () => {
    const packed = await packLibrary({
      from: places.abs(options.from),
      name: options.name,
      version: options.version,
      target: options.target,
      outputDir: places.abs(options.outputPath),
      forbidden,
    });
    console.log(`[${places.label}] ${options.from} -> ${places.abs(options.outputPath).slice(places.workspaceRoot.length + 1)}/${packed.top}.tar.gz (${packed.files} files, ${(packed.bytes / 1024).toFixed(0)} KiB)`);
  });
}
