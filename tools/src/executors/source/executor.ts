import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { reportBuildErrors } from '../../lib/build-error.ts';
import { downloadsDir } from '../../lib/cache-dir.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { extractAndPatch, obtainTarball } from '../../lib/pinned-source.ts';
import type { SourceExecutorOptions } from './schema.d.ts';

export default async function sourceExecutor(options: SourceExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  const log = (line: string) => console.log(`[${places.label}] ${line}`);
  return reportBuildErrors(places.label, async () => {
    const tarball = await obtainTarball(options, { downloadsDir: downloadsDir(), log });
    await extractAndPatch({
      tarball,
      destDir: places.abs(options.outputPath),
      patchesDir: join(places.abs(places.projectRoot), options.patches ?? 'patches'),
      stripComponents: options.stripComponents,
      log,
    });
  });
}
