// The llvm-toolchain build system: the toolchain project, whose one target finds (or installs)
// the pinned LLVM for wasm32 and writes the manifest every other wasm32 build compiles with. What
// is installed is hashed through a runtime probe, per LLVM major a variant may ask for.
import type { TargetConfiguration } from '@nx/devkit';
import { debianPackages } from '../../lib/llvm-toolchain.ts';
import type { ToolchainBuild } from '../descriptor.ts';
import { PLUGIN, toolchainManifestOf, withExecutor, type Context } from '../targets/context.ts';

/** The packages and files that make an LLVM major's wasm32 toolchain on Debian: the cache key of
 * everything compiled with it. */
function toolchainProbe(majors: number[]): string {
  const packages = majors.flatMap(debianPackages);
  const files = majors.flatMap((m) => [`/usr/lib/llvm-${m}/bin/clang`, `/usr/lib/llvm-${m}/bin/wasm-ld`]);
  return `dpkg-query -W -f='\${Package}=\${Version} ' ${packages.join(' ')} 2>/dev/null; ls ${files.join(' ')} 2>&1; true`;
}

/** The toolchain project: one cached target that finds (or installs) LLVM and writes its manifest. */
export function toolchainTargets(ctx: Context): Record<string, TargetConfiguration> {
  const b = ctx.d.build as ToolchainBuild;
  const variants = Object.entries(ctx.d.variants ?? {});
  const majors = [...new Set([b.llvmMajor, ...variants.map(([, v]) => v.llvmMajor ?? b.llvmMajor)])].sort((x, y) => x - y);
  const features = b.wasmFeatures?.length ? { wasmFeatures: b.wasmFeatures } : {};
  const manifest = toolchainManifestOf(ctx.name);
  return {
    build: {
      executor: `${PLUGIN}:toolchain`,
      metadata: { description: `finds (or installs) LLVM ${majors.join(', ')} for wasm32 and records it in ${manifest}, the manifest every wasm32 build compiles with` },
      cache: true,
      // What is installed is the output's identity; the runtime probe hashes it.
      inputs: withExecutor(ctx, 'toolchain', [{ runtime: toolchainProbe(majors) }]),
      outputs: ['{options.manifest}'],
      options: { llvmMajor: b.llvmMajor, manifest, ...features },
      ...(variants.length
        ? {
            configurations: Object.fromEntries(
              variants.map(([name, v]) => [name, { llvmMajor: v.llvmMajor ?? b.llvmMajor, manifest: toolchainManifestOf(ctx.name, name), ...(v.wasmFeatures ? { wasmFeatures: v.wasmFeatures } : features) }]),
            ),
          }
        : {}),
    },
  };
}
