// The `source` target of a project with a pin of its own: the prepared tree alone, to read or
// debug it. Builds do not wait for it (each prepares its tree itself), so it is not a build system
// of its own but a target any of them may sit beside.
import { posix } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import { PLUGIN, hasOwnTree, placesOf, variantSourceDir, withExecutor, type Context } from './context.ts';

const { join } = posix;

export function sourceTarget(ctx: Context): TargetConfiguration | undefined {
  const source = ctx.d.source;
  if (!source || 'project' in source) return undefined;
  const { patches = 'patches', ...pin } = source;
  const outputPath = placesOf(ctx.name).src;
  // A variant with its own pin (a newer release) or patch series extracts into its own tree.
  const configurations = Object.fromEntries(
    Object.entries(ctx.d.variants ?? {})
      .filter(([, v]) => hasOwnTree(v))
      .map(([name, v]) => [name, { ...(v.source ?? pin), outputPath: variantSourceDir(ctx.name, name), patches: v.patches ?? patches }]),
  );
  return {
    executor: `${PLUGIN}:source`,
    metadata: { description: `fetches ${pin.name} ${pin.version}, verifies its sha256, extracts it to ${outputPath} and applies ${join(ctx.projectRoot, patches)}/*.patch (the tree alone: builds prepare it themselves)` },
    // The tree on its own (to read or debug it). Builds do not wait for this target: each prepares
    // its tree itself, so a build that is a cache hit runs no source step at all. Not cached by
    // Nx: without its daemon Nx restores a hit by rewriting the whole tree, with fresh mtimes, and
    // make would then recompile everything built from it; the executor keeps a tree whose stamp
    // matches the pin and patches (a re-run is a no-op that keeps timestamps).
    cache: false,
    inputs: withExecutor(ctx, 'source', [`{projectRoot}/${patches}/*.patch`]),
    outputs: ['{options.outputPath}'],
    options: { ...pin, outputPath, patches },
    ...(Object.keys(configurations).length ? { configurations } : {}),
  };
}
