// What every target derivation shares: a project's Context (its descriptor, plugin options and
// the other projects it can look up), its places, the placeholder filling, the derived cross
// environment, the inputs and dependencies all its build targets have, and how a variant reaches
// across the graph. The build systems (../build-systems/) and the source and pack targets build
// on these, so a derived rule is written once for all of them.
import { posix } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import type { SourceRequest } from '../../lib/pinned-source.ts';
import type { ExecutorInput } from '../executor-files.ts';
import type { NativeDescriptor, Platform, Variant } from '../descriptor.ts';

const { join, relative } = posix;

export interface PluginOptions {
  /** The project whose output is the sysroot (dist/libs/<it>/sysroot). */
  libcProject?: string;
  /** The project that finds the LLVM toolchain and writes its manifest. */
  toolchainProject?: string;
  /** python-package builds: the interpreter's SDK, the python that runs their builds, its build tools. */
  pythonSdkProject?: string;
  buildPythonProject?: string;
  pythonBuildToolsProject?: string;
}

/** Workspace-relative places of one project (or one variant of it). */
export interface Places {
  src: string;
  build: string;
  stage: string;
  out: string;
}

export function placesOf(name: string, variant?: string, sourceProject?: string): Places {
  const suffix = variant ? `-${variant}` : '';
  return {
    src: `build/${sourceProject ?? name}/src`,
    build: `build/${name}/build${suffix}`,
    stage: `build/${name}/stage${suffix}`,
    out: `dist/libs/${name}${suffix}`,
  };
}

export const TRIPLE: Record<Platform, string | null> = { 'wasm32-wasi': 'wasm32-unknown-wasi', host: null };
export const platformOf = (d: NativeDescriptor): Platform => d.platform ?? 'wasm32-wasi';
/** The platform as a target's description names it. */
export const platformLabel = (d: NativeDescriptor): string => (platformOf(d) === 'host' ? 'this machine' : 'wasm32-wasi');
/** Where a variant with its own source pin or patch series extracts its tree. */
export const variantSourceDir = (name: string, variant: string) => `build/${name}/src-${variant}`;
/** The plugin's name, which prefixes its executors. */
export const PLUGIN = '@pywasi/native-build';

/**
 * Fills the plugin's path placeholders: {src} {build} {stage} {out} relative to `cwd` (where the
 * commands run: configure records these, and relative ones keep a cached configure valid in
 * another checkout), {abs:src}... as absolute paths through the executor's {root}, and
 * {build:<project>} {out:<project>} for another native project. Other placeholders ({cc} {root}
 * {jobs}...) are the executor's and pass unchanged.
 */
export function fillPaths(text: string, places: Places, cwd: string, placesOfProject: (project: string) => Places = (p) => placesOf(p)): string {
  return text.replace(/\{(abs:)?(src|build|stage|out)(?::([\w.-]+))?\}/g, (_all, abs: string | undefined, kind: keyof Places, project: string | undefined) => {
    const path = project ? placesOfProject(project)[kind] : places[kind];
    return abs ? `{root}/${path}` : relative(cwd, path) || '.';
  });
}

/**
 * The compiler environment for the platform: derived, never written in a project. Paths are
 * absolute (through the executor's {root}): a recursive make (automake) runs the compiler in
 * every subdirectory. A configure cached as a target of its own records them, though, and must
 * work restored into another checkout: then they are relative to the build directory, and the
 * project's make must run there alone (CPython's does).
 */
export function crossEnv(
  platform: Platform,
  opts: { cwd: string; relocatable: boolean; links: string[]; libc: string; isLibc: boolean; cflags: string[]; placesOfProject?: (project: string) => Places },
): Record<string, string> {
  if (platform === 'host') return {};
  const rel = (p: string) => (opts.relocatable ? relative(opts.cwd, p) : `{root}/${p}`);
  const out = (project: string) => (opts.placesOfProject ?? placesOf)(project).out;
  const sysroot = opts.isLibc ? '' : ` --sysroot=${rel(`${out(opts.libc)}/sysroot`)}`;
  const env: Record<string, string> = {
    CC: `{cc} --target=wasm32-wasi {target-flags}${sysroot}`,
    AR: '{ar}',
    RANLIB: '{ranlib}',
    NM: '{nm}',
    CFLAGS: ['-O2', '-DNDEBUG', ...opts.cflags].join(' '),
  };
  if (opts.links.length) {
    env.CPPFLAGS = opts.links.map((l) => `-I${rel(`${out(l)}/include`)}`).join(' ');
    env.LDFLAGS = opts.links.map((l) => `-L${rel(`${out(l)}/lib`)}`).join(' ');
    // Only the linked libraries' .pc files: never the build machine's.
    env.PKG_CONFIG_LIBDIR = opts.links.map((l) => rel(`${out(l)}/lib/pkgconfig`)).join(':');
    env.PKG_CONFIG_PATH = '';
  }
  return env;
}

/** What a build that installs into a stage publishes as its output: the stage (`install`), or
 * the descriptor's `publish` map ({stage}/{build}/{src} paths -> paths in the output) instead,
 * and its `files` (project files -> paths in the output). Workspace-relative, in order. */
export function publishOf(
  ctx: Pick<Context, 'projectRoot'>,
  places: Places,
  b: { publish?: Record<string, string>; install: boolean; files?: Record<string, string> },
): { from: string; to: string }[] {
  return [
    ...(b.publish
      ? Object.entries(b.publish).map(([from, to]) => ({ from: fillPaths(from, places, '.'), to: join(places.out, to) }))
      : b.install ? [{ from: places.stage, to: places.out }] : []),
    ...Object.entries(b.files ?? {}).map(([file, to]) => ({ from: join(ctx.projectRoot, file), to: join(places.out, to) })),
  ];
}

/** A `reads` key, "project:target". */
export function readTarget(key: string): { project: string; target: string } {
  const [project = '', target = ''] = key.split(':');
  return { project, target };
}

/** What `reads` adds to a build target: a dependency on each named target, and its glob of that
 * target's outputs hashed. */
export function readsOf(ctx: { d: NativeDescriptor }): { dependsOn: { projects: string[]; target: string }[]; inputs: { dependentTasksOutputFiles: string }[] } {
  const reads = Object.entries(ctx.d.reads ?? {});
  return {
    dependsOn: reads.map(([key]) => readTarget(key)).map(({ project, target }) => ({ projects: [project], target })),
    inputs: reads.map(([, glob]) => ({ dependentTasksOutputFiles: glob })),
  };
}

/** Another native project, by name: its descriptor and root (a project may build another's tree,
 * or read a variant of another's build). */
export type ProjectLookup = (project: string) => { d: NativeDescriptor; root: string } | undefined;

/** Nx inputs naming the files (and npm packages, plus `packages`) of an executor of this plugin. */
export type ExecutorInputsOf = (executor: string, packages?: string[]) => ExecutorInput[];

/** One project as every derivation sees it. */
export interface Context {
  name: string;
  /** Workspace-relative. */
  projectRoot: string;
  d: NativeDescriptor;
  options: Required<PluginOptions>;
  /** Projects whose build this one waits for (implicit dependencies). */
  buildDeps: string[];
  sourceProject?: string;
  /** The tree this project builds, when it has one. */
  source?: SourceRequest;
  /** Nx inputs naming the files (and npm packages, plus `packages`) of an executor of this plugin. */
  executorInputs: ExecutorInputsOf;
  projects: ProjectLookup;
}

/**
 * Inputs every build target of the project shares; the executor's files are added per target.
 * What a build reads of other projects is their outputs, so those are hashed (not the other
 * projects' files: a test of one project importing another's code must not rebuild C libraries):
 * libraries through their headers, archives and pkg-config files, a build tool through the files at
 * the top of its build directory. A source tree is the pin and patches that make it: this project's
 * own files, or those of the project whose tree it builds.
 */
export function sharedInputs(ctx: Context, linking = true): NonNullable<TargetConfiguration['inputs']> {
  const { d } = ctx;
  const inputs: NonNullable<TargetConfiguration['inputs']> = [
    'native',
    ...(ctx.sourceProject ? [{ input: 'native', projects: ctx.sourceProject }] : []),
    { dependentTasksOutputFiles: '**/*.h', transitive: true },
    // A configure of its own only compiles probes against the headers: a rebuilt library then
    // relinks (make) without configuring again, which would wipe the build directory.
    ...(linking ? [{ dependentTasksOutputFiles: '**/*.a', transitive: true }] : []),
    { dependentTasksOutputFiles: '**/*.pc', transitive: true },
    ...(d.tools ?? []).map((tool) => ({ dependentTasksOutputFiles: `${placesOf(tool).build}/*` })),
  ];
  if (platformOf(d) === 'host') inputs.push({ runtime: 'cc --version' }, { runtime: 'uname -m' });
  else inputs.push({ dependentTasksOutputFiles: '**/llvm-wasm32.json', transitive: true });
  return inputs;
}

/** The builds this one reads: the declared projects only. (`^build` would also follow edges Nx
 * finds in test code, e.g. a C library's test importing the host, and build the host first.) */
export function buildsOf(ctx: Context): NonNullable<TargetConfiguration['dependsOn']> {
  const projects = ctx.buildDeps.filter((p) => p !== ctx.sourceProject);
  return projects.length ? [{ projects, target: 'build' }] : [];
}

/** `inputs` plus exactly the files of the plugin's `executor` that the target runs. */
export function withExecutor(ctx: Context, executor: string, inputs: TargetConfiguration['inputs'], packages: string[] = []): TargetConfiguration['inputs'] {
  return [...(inputs ?? []), ...ctx.executorInputs(executor, packages)];
}

/** Does the variant change what is compiled (then it needs its own build directory)? */
export function changesBuild(v: Variant): boolean {
  return Boolean(v.configureArgs?.length || v.makeArgs?.length || v.cflags?.length || v.source || v.patches !== undefined || v.llvmMajor !== undefined || v.wasmFeatures !== undefined);
}

/** Does the variant make a tree of its own (a newer pin, another patch series)? */
export const hasOwnTree = (v: Variant | undefined): boolean => Boolean(v && (v.source || v.patches !== undefined));

/** The tree a build reads in a variant, and how it is prepared. The project owning the tree (this
 * one, or the one its `source.project` names) decides: when it gives the variant a pin or patch
 * series of its own, every project building that tree reads `build/<owner>/src-<variant>` in that
 * variant (CPython and its stdlib zip read the threads tree); otherwise the default tree. */
export function treeOf(ctx: Context, variantName?: string): { dir: string; source?: SourceRequest } {
  const owner = ctx.sourceProject ? ctx.projects(ctx.sourceProject) : { d: ctx.d, root: ctx.projectRoot };
  const v = variantName ? owner?.d.variants?.[variantName] : undefined;
  const dir = placesOf(ctx.name, undefined, ctx.sourceProject).src;
  if (!ctx.source) return { dir };
  if (!owner || !variantName || !hasOwnTree(v)) return { dir, source: ctx.source };
  return {
    dir: variantSourceDir(ctx.sourceProject ?? ctx.name, variantName),
    source: { pin: v!.source ?? ctx.source.pin, patchesDir: v!.patches !== undefined ? join(owner.root, v!.patches) : ctx.source.patchesDir },
  };
}

/** A variant is a configuration name across the graph: Nx runs a dependency in the configuration
 * of the same name when it has one. Does `project` build differently in `variant`? */
export function variesIn(ctx: Context, project: string, variant: string | undefined, seen: ReadonlySet<string> = new Set()): boolean {
  const p = variant ? ctx.projects(project) : undefined;
  const v = p && variant ? variantOf(ctx, p.d, variant) : undefined;
  if (!p || !v) return false;
  if (changesBuild(v)) return true;
  // A variant that changes nothing itself still builds apart when what it is compiled with or
  // links does (threads: the toolchain's atomics, the threads sysroot): its users read that build.
  if (seen.has(project)) return false;
  const used = platformOf(p.d) === 'host' ? [...(p.d.tools ?? [])] : [ctx.options.toolchainProject, ctx.options.libcProject, ...(p.d.links ?? []), ...(p.d.tools ?? [])];
  const next = new Set([...seen, project]);
  return used.some((u) => u !== project && variesIn(ctx, u, variant, next));
}

/** A project's variant of that name: its own, or, for a Python package, any variant of the
 * interpreter's SDK (a package builds against each build of the interpreter without declaring it). */
export function variantOf(ctx: Pick<Context, 'options' | 'projects'>, d: NativeDescriptor, variant: string): Variant | undefined {
  const own = d.variants?.[variant];
  if (own || d.build?.system !== 'python-package') return own;
  return ctx.projects(ctx.options.pythonSdkProject)?.d.variants?.[variant] ? {} : undefined;
}

/** The places of another project as seen from a variant: its variant's when it has the same one
 * and that changes its build (a debug build reads the debug build of another project; a threads
 * build, the threads sysroot). */
export function placesInVariant(ctx: Context, variantName: string | undefined): (project: string) => Places {
  return (project) => placesOf(project, variesIn(ctx, project, variantName) ? variantName : undefined);
}

/** Where the toolchain project records the toolchain (in a variant, when it has that variant). */
export function toolchainManifestOf(toolchainProject: string, variant?: string): string {
  return `dist/${toolchainProject}${variant ? `-${variant}` : ''}/llvm-wasm32.json`;
}
