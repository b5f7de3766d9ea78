import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { reportBuildErrors } from '../../lib/build-error.ts';
import { downloadsDir } from '../../lib/cache-dir.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { prepareSource } from '../../lib/pinned-source.ts';
import type { SourceExecutorOptions } from './schema.d.ts';

export default async function sourceExecutor(options: SourceExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, () =>
    prepareSource(options, {
      downloadsDir: downloadsDir(),
      destDir: places.abs(options.outputPath),
      patchesDir: join(places.abs(places.projectRoot), options.patches ?? 'patches'),
      stripComponents: options.stripComponents,
      log: (line) => console.log(`[${places.label}] ${line}`),
    }),
  );
}
