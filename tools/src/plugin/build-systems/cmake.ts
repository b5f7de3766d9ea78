// The cmake build system: a CMake project configured, built and installed into its stage, in one
// cached target. Its compiler is the one every other wasm32 build gets: the executor writes a
// CMake toolchain file from the derived cross environment (crossEnv), and the linked libraries'
// outputs are where CMake's find_package and find_library look, and nowhere else. A variant
// (threads) is a configuration: with the toolchain, sysroot and libraries of that variant when
// they have it, into a build directory and output of its own.
import type { TargetConfiguration } from '@nx/devkit';
import type { CMakeBuild } from '../descriptor.ts';
import {
  PLUGIN,
  buildsOf,
  changesBuild,
  crossEnv,
  fillPaths,
  placesInVariant,
  placesOf,
  platformLabel,
  platformOf,
  publishOf,
  readsOf,
  sharedInputs,
  toolchainManifestOf,
  treeOf,
  variesIn,
  withExecutor,
  type Context,
} from '../targets/context.ts';

/** cmake's version is in the hash: another CMake may generate another build. Missing, it hashes
 * as nothing and the executor names the package to install. */
export const CMAKE_PROBE = 'cmake --version 2>/dev/null | head -n 1; true';

/** The executor's options in one variant (undefined: the default build). */
function cmakeOptions(ctx: Context, variantName?: string): Record<string, unknown> {
  const { d, name } = ctx;
  const b = d.build as CMakeBuild;
  const variant = variantName ? d.variants?.[variantName] : undefined;
  const platform = platformOf(d);
  const others = placesInVariant(ctx, variantName);
  const links = d.links ?? [];
  // Compiled by another toolchain, against another sysroot or libraries: its own build too.
  const used = platform === 'host' ? [...(d.tools ?? [])] : [ctx.options.toolchainProject, ctx.options.libcProject, ...links, ...(d.tools ?? [])];
  const own = variant && (changesBuild(variant) || used.some((p) => p !== name && variesIn(ctx, p, variantName))) ? variantName : undefined;
  const tree = treeOf(ctx, variantName);
  const places = { ...placesOf(name, own, ctx.sourceProject), src: tree.dir };
  const fill = (text: string) => fillPaths(text, places, places.build, others);
  const env: Record<string, string> = crossEnv(platform, { cwd: places.build, relocatable: false, links, libc: ctx.options.libcProject, isLibc: false, cflags: [], placesOfProject: others });
  for (const [key, value] of Object.entries(b.env ?? {})) {
    if (value === null) delete env[key];
    else env[key] = fill(value);
  }
  // After the descriptor's own CFLAGS (libpng sets all of them), so a variant's always apply.
  if (variant?.cflags?.length) env['CFLAGS'] = [env['CFLAGS'], ...variant.cflags].filter(Boolean).join(' ');
  const install = Boolean(b.install);
  const toolchainVaries = platform !== 'host' && variesIn(ctx, ctx.options.toolchainProject, variantName);
  return {
    sourceDir: places.src,
    ...(tree.source ? { source: tree.source } : {}),
    buildDir: places.build,
    ...(install ? { stageDir: places.stage } : {}),
    env,
    defines: Object.fromEntries(Object.entries(b.defines ?? {}).map(([key, value]) => [key, fill(value)])),
    ...(b.targets ? { targets: b.targets } : {}),
    // find_package and find_library look in the linked libraries' outputs only.
    ...(platform === 'host' ? { toolchain: false } : { prefixes: links.map((l) => `{root}/${others(l).out}`) }),
    clean: [places.build, places.stage],
    publish: publishOf(ctx, places, { ...b, install }),
    ...(toolchainVaries ? { toolchainManifest: toolchainManifestOf(ctx.options.toolchainProject, variantName) } : {}),
    outputPath: places.out,
  };
}

export function cmakeTargets(ctx: Context): Record<string, TargetConfiguration> {
  const { d, name } = ctx;
  const b = d.build as CMakeBuild;
  const places = placesOf(name, undefined, ctx.sourceProject);
  const reads = readsOf(ctx);
  const steps = ['configure', 'build', ...(b.install ? ['install'] : [])].join(' + ');
  const variants = Object.keys(d.variants ?? {});
  return {
    build: {
      executor: `${PLUGIN}:cmake`,
      metadata: { description: `CMake ${steps} of ${name} for ${platformLabel(d)}, published to ${places.out}` },
      cache: true,
      dependsOn: [...buildsOf(ctx), ...reads.dependsOn],
      inputs: withExecutor(ctx, 'cmake', [...sharedInputs(ctx), ...reads.inputs, { runtime: CMAKE_PROBE }]),
      outputs: ['{options.outputPath}'],
      options: cmakeOptions(ctx),
      ...(variants.length ? { configurations: Object.fromEntries(variants.map((v) => [v, cmakeOptions(ctx, v)])) } : {}),
    },
  };
}
