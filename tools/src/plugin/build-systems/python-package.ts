// The python-package build system: a Python package pinned to its sdist, whose C extensions are
// built into the interpreter as built-in modules. The package's own build (setuptools,
// meson-python...) runs on the build python against the interpreter's SDK, with the compiler
// environment every wasm32 project gets; what a package descriptor names is only its pin, the C
// libraries it links and, rarely, settings for its build backend. A package builds in every
// variant the SDK has (threads: against the threads interpreter, with the threads toolchain and
// the threads builds of its libraries), into an output of its own, without declaring it.
import type { TargetConfiguration } from '@nx/devkit';
import type { CommandBuild, PythonPackageBuild } from '../descriptor.ts';
import { buildsOf, crossEnv, placesInVariant, placesOf, sharedInputs, toolchainManifestOf, variantOf, variesIn, withExecutor, PLUGIN, type Context } from '../targets/context.ts';

/** The projects every package build uses besides its links: the interpreter's SDK, the python
 * that runs the build, and the build tools it imports. */
export function pythonPackageTools(ctx: Pick<Context, 'options'>): string[] {
  return [ctx.options.pythonSdkProject, ctx.options.buildPythonProject, ctx.options.pythonBuildToolsProject];
}

/** Where the interpreter's SDK is in a variant: its command's output there (the SDK project is a
 * command build: cpython-sdk writes dist/libs/cpython-sdk-threads from CPython's threads build). */
export function sdkOutput(ctx: Pick<Context, 'options' | 'projects'>, variant?: string): string {
  const sdk = ctx.projects(ctx.options.pythonSdkProject);
  const b = sdk?.d.build;
  if (b?.system !== 'command') return placesOf(ctx.options.pythonSdkProject).out;
  return (variant ? sdk!.d.variants?.[variant]?.output : undefined) ?? (b as CommandBuild).output;
}

/** The variants a package builds in: the SDK's and its own. */
export function packageVariants(ctx: Pick<Context, 'd' | 'options' | 'projects'>): string[] {
  const sdk = ctx.projects(ctx.options.pythonSdkProject);
  return [...new Set([...Object.keys(sdk?.d.variants ?? {}), ...Object.keys(ctx.d.variants ?? {})])].filter((v) => variantOf(ctx, ctx.d, v)).sort();
}

/** The executor's options in one variant (undefined: the default build). */
function packageOptions(ctx: Context, variantName?: string): Record<string, unknown> {
  const b = ctx.d.build as PythonPackageBuild;
  const variant = variantName ? variantOf(ctx, ctx.d, variantName) : undefined;
  const places = placesOf(ctx.name, variantName);
  const others = placesInVariant(ctx, variantName);
  const { buildPythonProject, pythonBuildToolsProject, libcProject, toolchainProject } = ctx.options;
  // A linked project is a C library (headers, archives, pkg-config) or another Python package
  // whose files the build imports (numpy for pandas: its headers).
  const isPackage = (project: string) => ctx.projects(project)?.d.build?.system === 'python-package';
  const links = (ctx.d.links ?? []).filter((l) => !isPackage(l));
  const packages = (ctx.d.links ?? []).filter(isPackage);
  const cflags = [...(b.cflags ?? []), ...(variant?.cflags ?? [])];
  const env = crossEnv('wasm32-wasi', { cwd: places.build, relocatable: false, links, libc: libcProject, isLibc: false, cflags, placesOfProject: others });
  for (const [key, value] of Object.entries(b.env ?? {})) {
    if (value === null) delete env[key];
    else env[key] = value;
  }
  const toolchainVaries = variesIn(ctx, toolchainProject, variantName);
  return {
    sourceDir: places.src,
    ...(ctx.source ? { source: ctx.source } : {}),
    buildDir: places.build,
    outputPath: places.out,
    buildPython: `${placesOf(buildPythonProject).build}/python`,
    buildTools: placesOf(pythonBuildToolsProject).build,
    sdk: sdkOutput(ctx, variantName),
    env,
    libDirs: links.map((l) => `${others(l).out}/lib`),
    ...(packages.length ? { packages: packages.map((p) => others(p).out) } : {}),
    ...(b.configSettings ? { configSettings: b.configSettings } : {}),
    ...(b.mesonProperties ? { mesonProperties: b.mesonProperties } : {}),
    ...(toolchainVaries ? { toolchainManifest: toolchainManifestOf(toolchainProject, variantName) } : {}),
  };
}

export function pythonPackageTargets(ctx: Context): Record<string, TargetConfiguration> {
  const { pythonSdkProject, buildPythonProject, pythonBuildToolsProject } = ctx.options;
  const places = placesOf(ctx.name);
  const variants = packageVariants(ctx);
  const isPackage = (project: string) => ctx.projects(project)?.d.build?.system === 'python-package';
  const packages = (ctx.d.links ?? []).filter(isPackage);
  // Inputs are the target's, not a configuration's: each names the default's and every variant's
  // place (a glob of another place matches no output of this run's dependencies, and hashes as nothing).
  const inEvery = (place: (variant?: string) => string, files: string) =>
    [...new Set([undefined, ...variants].map((v) => `${place(v)}/${files}`))].map((glob) => ({ dependentTasksOutputFiles: glob }));
  return {
    build: {
      executor: `${PLUGIN}:python-package`,
      metadata: { description: `builds the Python package ${ctx.source?.pin.name ?? ctx.name}: its C extensions as built-in modules of the interpreter (${pythonSdkProject}), its files, published to ${places.out}${variants.length ? ` (${variants.map((v) => `-c ${v}: ${placesOf(ctx.name, v).out}`).join(', ')})` : ''}` },
      cache: true,
      dependsOn: buildsOf(ctx),
      inputs: withExecutor(ctx, 'python-package', [
        ...sharedInputs(ctx, false),
        // What the build runs: the build python and the exact build tools (their RECORDs hash every file).
        { dependentTasksOutputFiles: `${placesOf(buildPythonProject).build}/*` },
        { dependentTasksOutputFiles: `${placesOf(pythonBuildToolsProject).build}/*.dist-info/RECORD` },
        // What sysconfig answers for the target: its flags and extension suffix.
        ...inEvery((v) => sdkOutput(ctx, v), '**/*.py'),
        // What the build reads of a linked package: its manifest, its headers and Cython declarations.
        ...packages.flatMap((p) => [`python-package.json`, `build-files/**/*`].flatMap((f) => inEvery((v) => placesInVariant(ctx, v)(p).out, f))),
      ]),
      outputs: ['{options.outputPath}'],
      options: packageOptions(ctx),
      ...(variants.length ? { configurations: Object.fromEntries(variants.map((v) => [v, packageOptions(ctx, v)])) } : {}),
    },
  };
}
