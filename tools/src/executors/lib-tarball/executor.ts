import type { ExecutorContext } from '@nx/devkit';
import { reportBuildErrors } from '../../lib/build-error.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { packLibrary } from '../../lib/lib-tarball.ts';
import type { LibTarballExecutorOptions } from './schema.d.ts';

export default async function libTarballExecutor(options: LibTarballExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const packed = await packLibrary({
      from: places.abs(options.from),
      name: options.name,
      version: options.version,
      target: options.target,
      outputDir: places.abs(options.outputPath),
      forbidden: [places.workspaceRoot],
    });
    console.log(`[${places.label}] ${options.from} -> ${places.abs(options.outputPath).slice(places.workspaceRoot.length + 1)}/${packed.top}.tar.gz (${packed.files} files, ${(packed.bytes / 1024).toFixed(0)} KiB)`);
  });
}
