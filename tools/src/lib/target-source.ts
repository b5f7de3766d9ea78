import { existsSync } from 'node:fs';
import { BuildError } from './build-error.ts';
import { downloadsDir } from './cache-dir.ts';
import type { TargetPlaces } from './executor-context.ts';
import { prepareSource, type SourceRequest } from './pinned-source.ts';

/**
 * Makes sure a build's source tree is there before it runs: prepared from its pin (verified,
 * extracted, patched; kept as it is when pin and patches are unchanged), or, for a target that
 * names no pin, required to exist already.
 */
export async function ensureTargetSource(places: TargetPlaces, sourceDir: string, source: SourceRequest | undefined): Promise<void> {
  if (source) {
    await prepareSource(source.pin, {
      downloadsDir: downloadsDir(),
      destDir: places.abs(sourceDir),
      patchesDir: places.abs(source.patchesDir),
      log: (line) => console.log(`[${places.label}] ${line}`),
    });
  } else if (!existsSync(places.abs(sourceDir))) {
    throw new BuildError(`source tree ${sourceDir} does not exist and the target names no pinned source to prepare it from`);
  }
}
