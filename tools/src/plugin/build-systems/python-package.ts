// The python-package build system: a Python package pinned to its sdist, whose C extensions are
// built into the interpreter as built-in modules. The package's own build (setuptools,
// meson-python...) runs on the build python against the interpreter's SDK, with the compiler
// environment every wasm32 project gets; what a package descriptor names is only its pin, the C
// libraries it links and, rarely, settings for its build backend.
import type { TargetConfiguration } from '@nx/devkit';
import type { PythonPackageBuild } from '../descriptor.ts';
import { buildsOf, crossEnv, placesOf, sharedInputs, withExecutor, PLUGIN, type Context } from '../targets/context.ts';

/** The projects every package build uses besides its links: the interpreter's SDK, the python
 * that runs the build, and the build tools it imports. */
export function pythonPackageTools(ctx: Pick<Context, 'options'>): string[] {
  return [ctx.options.pythonSdkProject, ctx.options.buildPythonProject, ctx.options.pythonBuildToolsProject];
}

export function pythonPackageTargets(ctx: Context): Record<string, TargetConfiguration> {
  const b = ctx.d.build as PythonPackageBuild;
  const places = placesOf(ctx.name);
  const { pythonSdkProject, buildPythonProject, pythonBuildToolsProject, libcProject } = ctx.options;
  // A linked project is a C library (headers, archives, pkg-config) or another Python package
  // whose files the build imports (numpy for pandas: its headers).
  const isPackage = (project: string) => ctx.projects(project)?.d.build?.system === 'python-package';
  const links = (ctx.d.links ?? []).filter((l) => !isPackage(l));
  const packages = (ctx.d.links ?? []).filter(isPackage);
  const env = crossEnv('wasm32-wasi', { cwd: places.build, relocatable: false, links, libc: libcProject, isLibc: false, cflags: b.cflags ?? [] });
  for (const [key, value] of Object.entries(b.env ?? {})) {
    if (value === null) delete env[key];
    else env[key] = value;
  }
  return {
    build: {
      executor: `${PLUGIN}:python-package`,
      metadata: { description: `builds the Python package ${ctx.source?.pin.name ?? ctx.name}: its C extensions as built-in modules of the interpreter (${pythonSdkProject}), its files, published to ${places.out}` },
      cache: true,
      dependsOn: buildsOf(ctx),
      inputs: withExecutor(ctx, 'python-package', [
        ...sharedInputs(ctx, false),
        // What the build runs: the build python and the exact build tools (their RECORDs hash every file).
        { dependentTasksOutputFiles: `${placesOf(buildPythonProject).build}/*` },
        { dependentTasksOutputFiles: `${placesOf(pythonBuildToolsProject).build}/*.dist-info/RECORD` },
        // What sysconfig answers for the target: its flags and extension suffix.
        { dependentTasksOutputFiles: `${placesOf(pythonSdkProject).out}/**/*.py` },
        // What the build reads of a linked package: its manifest, its headers and Cython declarations.
        ...packages.flatMap((p) => [`python-package.json`, `build-files/**/*`].map((f) => ({ dependentTasksOutputFiles: `${placesOf(p).out}/${f}` }))),
      ]),
      outputs: [`{workspaceRoot}/${places.out}`],
      options: {
        sourceDir: places.src,
        ...(ctx.source ? { source: ctx.source } : {}),
        buildDir: places.build,
        outputPath: places.out,
        buildPython: `${placesOf(buildPythonProject).build}/python`,
        buildTools: placesOf(pythonBuildToolsProject).build,
        sdk: placesOf(pythonSdkProject).out,
        env,
        libDirs: links.map((l) => `${placesOf(l).out}/lib`),
        ...(packages.length ? { packages: packages.map((p) => placesOf(p).out) } : {}),
        ...(b.configSettings ? { configSettings: b.configSettings } : {}),
        ...(b.mesonProperties ? { mesonProperties: b.mesonProperties } : {}),
      },
    },
  };
}
