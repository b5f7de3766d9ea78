// The `pack` target of a wasm32 library: its published output as a tarball for builders outside
// the workspace. Which projects are libraries depends on the build system's outputs, so this is
// decided here, after any build system, not by each of them.
import type { TargetConfiguration } from '@nx/devkit';
import { tarballName } from '../../lib/lib-tarball.ts';
import { PLUGIN, placesOf, withExecutor, type Context } from './context.ts';

/** Where `npm run pack` puts the wasm libraries' tarballs, beside the npm packages. */
export const LIB_TARBALLS = 'dist/packages/wasm32-wasi';

/**
 * A wasm32 library (what its build publishes to dist/libs/<name>: headers, static libraries,
 * pkg-config files) is packed for builders outside the workspace: `pack`, as for the npm
 * packages. An interpreter (an artifact) or a build for a named output is not a library.
 */
export function packTarget(ctx: Context): TargetConfiguration | undefined {
  const { d } = ctx;
  const b = d.build;
  if (!b || (d.platform ?? 'wasm32-wasi') !== 'wasm32-wasi' || d.artifact) return undefined;
  const library = b.system === 'autotools' ? !b.make?.outputs && !b.configure?.outputs : b.system === 'cmake' || b.system === 'c-library';
  if (!library) return undefined;
  const version = ctx.source?.pin.version ?? d.version;
  if (!version) return undefined;
  const target = 'wasm32-wasi';
  const tarball = `${LIB_TARBALLS}/${tarballName(ctx.name, version, target)}`;
  const from = placesOf(ctx.name).out;
  return {
    executor: `${PLUGIN}:lib-tarball`,
    metadata: { description: `packs ${from} (headers, static libraries, .pc files) into ${tarball}, for builds outside the workspace` },
    cache: true,
    dependsOn: ['build'],
    inputs: withExecutor(ctx, 'lib-tarball', [{ dependentTasksOutputFiles: '**/*' }]),
    outputs: [`{workspaceRoot}/${tarball}`],
    options: { from, name: ctx.name, version, target, outputPath: LIB_TARBALLS },
  };
}
