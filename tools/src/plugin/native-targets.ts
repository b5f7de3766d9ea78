// A descriptor (native.json) -> the project's Nx targets. Everything a C library build needs
// beyond its own arguments is derived, once, instead of being written in every project: the cross
// environment, the places (source, build, stage, output), clean and publish, the cached outputs,
// the inputs (exactly the executor files each target runs), and the variants. This module works
// out the project's dependencies and source tree, then hands it to its build system: one file
// each in build-systems/, one line each in BUILD_SYSTEMS. What they share is targets/context.ts.
import { posix } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import type { SourcePin, SourceRequest } from '../lib/pinned-source.ts';
import { autotoolsTargets } from './build-systems/autotools.ts';
import { cLibraryTargets } from './build-systems/c-library.ts';
import { cmakeTargets } from './build-systems/cmake.ts';
import { commandTargets } from './build-systems/command.ts';
import { toolchainTargets } from './build-systems/llvm-toolchain.ts';
import { pythonPackageTargets, pythonPackageTools } from './build-systems/python-package.ts';
import { DescriptorError, type BuildSystem, type NativeDescriptor } from './descriptor.ts';
import { platformOf, readTarget, type Context, type ExecutorInputsOf, type PluginOptions, type ProjectLookup } from './targets/context.ts';
import { packTarget } from './targets/pack-target.ts';
import { sourceTarget } from './targets/source-target.ts';

export type { ExecutorInputsOf, PluginOptions, ProjectLookup } from './targets/context.ts';

const { join } = posix;

/** What a descriptor becomes, before Nx adds the project root. */
export interface NativeProject {
  name: string;
  implicitDependencies: string[];
  targets: Record<string, TargetConfiguration>;
  tags: string[];
}

/** The targets of one build system, keyed by target name. */
type BuildSystemTargets = (ctx: Context) => Record<string, TargetConfiguration>;

/** `build.system` -> its targets. A new build system is a file in build-systems/ and a line here. */
const BUILD_SYSTEMS: { [S in BuildSystem['system']]: BuildSystemTargets } = {
  autotools: autotoolsTargets,
  cmake: cmakeTargets,
  'c-library': cLibraryTargets,
  command: commandTargets,
  'llvm-toolchain': toolchainTargets,
  'python-package': pythonPackageTargets,
};

/** The source request of a descriptor's own pin. */
export function ownSource(source: SourcePin & { patches?: string }, projectRoot: string): SourceRequest {
  const { patches = 'patches', ...pin } = source;
  return { pin, patchesDir: join(projectRoot, patches) };
}

export function nativeProject(
  d: NativeDescriptor,
  projectRoot: string,
  options: PluginOptions,
  executorInputs: ExecutorInputsOf,
  projects: ProjectLookup = () => undefined,
): NativeProject {
  const name = d.name ?? posix.basename(projectRoot);
  const opts: Required<PluginOptions> = {
    libcProject: options.libcProject ?? 'wasi-libc',
    toolchainProject: options.toolchainProject ?? 'toolchain',
    pythonSdkProject: options.pythonSdkProject ?? 'cpython-sdk',
    buildPythonProject: options.buildPythonProject ?? 'cpython-build-python',
    pythonBuildToolsProject: options.pythonBuildToolsProject ?? 'python-build-tools',
  };
  const platform = platformOf(d);
  const deps = new Set<string>();
  if (d.build && platform !== 'host' && d.build.system !== 'llvm-toolchain') {
    deps.add(opts.toolchainProject);
    if (name !== opts.libcProject) deps.add(opts.libcProject);
  }
  for (const p of [...(d.links ?? []), ...(d.tools ?? [])]) deps.add(p);
  if (d.build?.system === 'python-package') for (const p of pythonPackageTools({ options: opts })) deps.add(p);
  const sourceProject = d.source && 'project' in d.source ? d.source.project : undefined;
  if (sourceProject) deps.add(sourceProject);
  const buildDeps = [...deps].sort();
  // A project read at another target (configure, say) is a dependency, but its build is not awaited.
  const readProjects = Object.keys(d.reads ?? {}).map((key) => readTarget(key).project);
  const other = sourceProject ? projects(sourceProject) : undefined;
  const source = sourceProject
    ? other?.d.source && !('project' in other.d.source) ? ownSource(other.d.source, other.root) : undefined
    : d.source && !('project' in d.source) ? ownSource(d.source, projectRoot) : undefined;
  if (sourceProject && !source) throw new DescriptorError(`source.project "${sourceProject}" is not a native project with a pinned source (a native.json with source.sha256)`);
  const ctx: Context = { name, projectRoot, d, options: opts, executorInputs, projects, buildDeps, ...(sourceProject ? { sourceProject } : {}), ...(source ? { source } : {}) };
  const targets: Record<string, TargetConfiguration> = {};
  const sourceOnly = sourceTarget(ctx);
  if (sourceOnly) targets.source = sourceOnly;
  if (d.build) Object.assign(targets, BUILD_SYSTEMS[d.build.system](ctx));
  const pack = packTarget(ctx);
  if (pack) targets.pack = pack;
  const implicitDependencies = [...new Set([...buildDeps, ...readProjects])].sort();
  return { name, implicitDependencies, targets, tags: [`platform:${platform}`] };
}
