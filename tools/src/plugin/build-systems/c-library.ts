// The c-library build system: our own C sources (no configure, no makefile) compiled against the
// sysroot into lib<libName>.a plus public headers, in one cached target.
import type { TargetConfiguration } from '@nx/devkit';
import type { CLibraryBuild } from '../descriptor.ts';
import { PLUGIN, buildsOf, changesBuild, placesInVariant, placesOf, sharedInputs, toolchainManifestOf, variesIn, withExecutor, type Context } from '../targets/context.ts';

export function cLibraryTargets(ctx: Context): Record<string, TargetConfiguration> {
  const b = ctx.d.build as CLibraryBuild;
  const places = placesOf(ctx.name);
  return {
    build: {
      executor: `${PLUGIN}:c-library`,
      metadata: { description: `compiles ${ctx.name}'s C sources against the ${ctx.options.libcProject} sysroot into ${places.out}: lib/lib${b.libName}.a and its headers` },
      cache: true,
      dependsOn: buildsOf(ctx),
      // An archive of its own sources: its links' headers matter, their archives do not.
      inputs: withExecutor(ctx, 'c-library', sharedInputs(ctx, false)),
      outputs: ['{options.outputPath}'],
      options: {
        sources: b.sources,
        ...(b.includeDirs ? { includeDirs: b.includeDirs } : {}),
        ...(b.publicInclude ? { publicInclude: b.publicInclude } : {}),
        cflags: b.cflags ?? [],
        sysroot: `dist/libs/${ctx.options.libcProject}/sysroot`,
        libName: b.libName,
        ...(b.files ? { files: b.files } : {}),
        outputPath: places.out,
      },
      ...(Object.keys(ctx.d.variants ?? {}).length ? { configurations: variantConfigurations(ctx) } : {}),
    },
  };
}

/** A variant (threads, say) compiles with its toolchain and sysroot when those projects have it,
 * into an output and build directory of its own; one that changes nothing keeps the default's. */
function variantConfigurations(ctx: Context): Record<string, Record<string, unknown>> {
  const b = ctx.d.build as CLibraryBuild;
  const { toolchainProject, libcProject } = ctx.options;
  return Object.fromEntries(
    Object.entries(ctx.d.variants ?? {}).map(([name, v]) => {
      const toolchainVaries = variesIn(ctx, toolchainProject, name);
      const own = changesBuild(v) || toolchainVaries || variesIn(ctx, libcProject, name);
      if (!own) return [name, {}];
      const places = placesOf(ctx.name, name);
      return [
        name,
        {
          cflags: [...(b.cflags ?? []), ...(v.cflags ?? [])],
          sysroot: `${placesInVariant(ctx, name)(libcProject).out}/sysroot`,
          outputPath: places.out,
          stageDir: `${places.build}/c-library`,
          ...(toolchainVaries ? { toolchainManifest: toolchainManifestOf(toolchainProject, name) } : {}),
        },
      ];
    }),
  );
}
