// The cmake build system: a CMake project configured, built and installed into its stage, in one
// cached target. Its compiler is the one every other wasm32 build gets: the executor writes a
// CMake toolchain file from the derived cross environment (crossEnv), and the linked libraries'
// outputs are where CMake's find_package and find_library look, and nowhere else.
import type { TargetConfiguration } from '@nx/devkit';
import type { CMakeBuild } from '../descriptor.ts';
import {
  PLUGIN,
  buildsOf,
  crossEnv,
  fillPaths,
  placesOf,
  platformLabel,
  platformOf,
  publishOf,
  readsOf,
  sharedInputs,
  withExecutor,
  type Context,
} from '../targets/context.ts';

/** cmake's version is in the hash: another CMake may generate another build. Missing, it hashes
 * as nothing and the executor names the package to install. */
export const CMAKE_PROBE = 'cmake --version 2>/dev/null | head -n 1; true';

export function cmakeTargets(ctx: Context): Record<string, TargetConfiguration> {
  const { d, name } = ctx;
  const b = d.build as CMakeBuild;
  const platform = platformOf(d);
  const places = placesOf(name, undefined, ctx.sourceProject);
  const links = d.links ?? [];
  const fill = (text: string) => fillPaths(text, places, places.build);
  const env: Record<string, string> = crossEnv(platform, { cwd: places.build, relocatable: false, links, libc: ctx.options.libcProject, isLibc: false, cflags: [] });
  for (const [key, value] of Object.entries(b.env ?? {})) {
    if (value === null) delete env[key];
    else env[key] = fill(value);
  }
  const install = Boolean(b.install);
  const reads = readsOf(ctx);
  const steps = ['configure', 'build', ...(install ? ['install'] : [])].join(' + ');
  return {
    build: {
      executor: `${PLUGIN}:cmake`,
      metadata: { description: `CMake ${steps} of ${name} for ${platformLabel(d)}, published to ${places.out}` },
      cache: true,
      dependsOn: [...buildsOf(ctx), ...reads.dependsOn],
      inputs: withExecutor(ctx, 'cmake', [...sharedInputs(ctx), ...reads.inputs, { runtime: CMAKE_PROBE }]),
      outputs: [`{workspaceRoot}/${places.out}`],
      options: {
        sourceDir: places.src,
        ...(ctx.source ? { source: ctx.source } : {}),
        buildDir: places.build,
        ...(install ? { stageDir: places.stage } : {}),
        env,
        defines: Object.fromEntries(Object.entries(b.defines ?? {}).map(([key, value]) => [key, fill(value)])),
        ...(b.targets ? { targets: b.targets } : {}),
        // find_package and find_library look in the linked libraries' outputs only.
        ...(platform === 'host' ? { toolchain: false } : { prefixes: links.map((l) => `{root}/${placesOf(l).out}`) }),
        clean: [places.build, places.stage],
        publish: publishOf(ctx, places, { ...b, install }),
      },
    },
  };
}
