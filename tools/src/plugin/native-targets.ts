// A descriptor (native.json) -> the project's Nx targets. Everything a C library build needs
// beyond its own arguments is derived here, once, instead of being written in every project:
// the cross environment, the places (source, build, stage, output), clean and publish, the
// cached outputs, the inputs (exactly the executor files each target runs), and the variants.
import { posix } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import type { SourcePin, SourceRequest } from '../lib/pinned-source.ts';
import { FROM_SOURCE_ENV, installedToolProbe } from '../lib/installed-tool.ts';
import { tarballName } from '../lib/lib-tarball.ts';
import type { ExecutorInput } from './executor-files.ts';
import { pythonPackageTargets, pythonPackageTools } from './python-package-targets.ts';
import { DescriptorError, type AutotoolsBuild, type CLibraryBuild, type CommandBuild, type NativeDescriptor, type ToolchainBuild, type Platform, type Variant, type WasmArtifact } from './descriptor.ts';

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

/** What a descriptor becomes, before Nx adds the project root. */
export interface NativeProject {
  name: string;
  implicitDependencies: string[];
  targets: Record<string, TargetConfiguration>;
  tags: string[];
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
const platformOf = (d: NativeDescriptor): Platform => d.platform ?? 'wasm32-wasi';
/** Where a variant with its own source pin extracts it. */
const variantSourceDir = (name: string, variant: string) => `build/${name}/src-${variant}`;
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

/** A `reads` key, "project:target". */
function readTarget(key: string): { project: string; target: string } {
  const [project = '', target = ''] = key.split(':');
  return { project, target };
}

/** What `reads` adds to a build target: a dependency on each named target, and its glob of that
 * target's outputs hashed. */
function readsOf(ctx: { d: NativeDescriptor }): { dependsOn: { projects: string[]; target: string }[]; inputs: { dependentTasksOutputFiles: string }[] } {
  const reads = Object.entries(ctx.d.reads ?? {});
  return {
    dependsOn: reads.map(([key]) => readTarget(key)).map(({ project, target }) => ({ projects: [project], target })),
    inputs: reads.map(([, glob]) => ({ dependentTasksOutputFiles: glob })),
  };
}

/** Another native project, by name: its descriptor and root (a project may build another's tree,
 * or read a variant of another's build). */
export type ProjectLookup = (project: string) => { d: NativeDescriptor; root: string } | undefined;

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

export function withExecutor(ctx: Context, executor: string, inputs: TargetConfiguration['inputs'], packages: string[] = []): TargetConfiguration['inputs'] {
  return [...(inputs ?? []), ...ctx.executorInputs(executor, packages)];
}

function sourceTarget(ctx: Context): TargetConfiguration | undefined {
  const source = ctx.d.source;
  if (!source || 'project' in source) return undefined;
  const { patches = 'patches', ...pin } = source;
  const outputPath = placesOf(ctx.name).src;
  // A variant with its own pin (a newer release) extracts into its own tree.
  const configurations = Object.fromEntries(
    Object.entries(ctx.d.variants ?? {})
      .filter(([, v]) => v.source)
      .map(([name, v]) => [name, { ...v.source, outputPath: variantSourceDir(ctx.name, name), patches }]),
  );
  return {
    executor: `${PLUGIN}:source`,
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

function merged(d: NativeDescriptor, v: Variant | undefined): { build: AutotoolsBuild; cflags: string[]; artifact?: WasmArtifact } {
  const b = d.build as AutotoolsBuild;
  const build: AutotoolsBuild = {
    ...b,
    configure: b.configure && { ...b.configure, args: [...(b.configure.args ?? []), ...(v?.configureArgs ?? [])] },
    make: { ...b.make, args: [...(b.make?.args ?? []), ...(v?.makeArgs ?? [])] },
  };
  const artifact = d.artifact && { ...d.artifact, ...v?.artifact };
  return { build, cflags: v?.cflags ?? [], ...(artifact ? { artifact } : {}) };
}

/** Does the variant change what is compiled (then it needs its own build directory)? */
function changesBuild(v: Variant): boolean {
  return Boolean(v.configureArgs?.length || v.makeArgs?.length || v.cflags?.length || v.source || v.llvmMajor !== undefined);
}

/** A variant is a configuration name across the graph: Nx runs a dependency in the configuration
 * of the same name when it has one. Does `project` build differently in `variant`? */
function variesIn(ctx: Context, project: string, variant: string | undefined): boolean {
  const v = variant ? ctx.projects(project)?.d.variants?.[variant] : undefined;
  return Boolean(v && changesBuild(v));
}

/** The places of another project as seen from a variant: its variant's when it has the same one
 * and that changes its build (a debug build reads the debug build of another project; a threads
 * build, the threads sysroot). */
function placesInVariant(ctx: Context, variantName: string | undefined): (project: string) => Places {
  return (project) => placesOf(project, variesIn(ctx, project, variantName) ? variantName : undefined);
}

/** Where the toolchain project records the toolchain (in a variant, when it has that variant). */
export function toolchainManifestOf(toolchainProject: string, variant?: string): string {
  return `dist/${toolchainProject}${variant ? `-${variant}` : ''}/llvm-wasm32.json`;
}

interface AutotoolsOptions {
  places: Places;
  configure?: Record<string, unknown>;
  make: Record<string, unknown>;
  artifact?: Record<string, unknown>;
}

/** The options of each autotools target for one variant (undefined: the default build). */
function autotoolsOptions(ctx: Context, variantName?: string): AutotoolsOptions {
  const { d, name } = ctx;
  const variant = variantName ? d.variants?.[variantName] : undefined;
  const platform = platformOf(d);
  const others = placesInVariant(ctx, variantName);
  // Compiled by another toolchain, against another sysroot or libraries: its own build too.
  const used = platform === 'host' ? [...(d.tools ?? [])] : [ctx.options.toolchainProject, ctx.options.libcProject, ...(d.links ?? []), ...(d.tools ?? [])];
  const depsVary = used.some((p) => p !== name && variesIn(ctx, p, variantName));
  const own = variant && (changesBuild(variant) || depsVary) ? variantName : undefined;
  const places = placesOf(name, own, ctx.sourceProject);
  if (variant?.source && variantName) places.src = variantSourceDir(name, variantName);
  const { build: b, cflags, artifact } = merged(d, variant);
  const cwd = b.inSource ? places.src : places.build;
  const fill = (words: readonly string[] = []) => words.map((w) => fillPaths(w, places, cwd, others));
  const isLibc = name === ctx.options.libcProject;
  const env: Record<string, string> = crossEnv(platform, { cwd, relocatable: Boolean(b.configure?.outputs), links: d.links ?? [], libc: ctx.options.libcProject, isLibc, cflags, placesOfProject: others });
  for (const [key, value] of Object.entries(b.env ?? {})) {
    if (value === null) delete env[key];
    else env[key] = fillPaths(value, places, cwd, others);
  }
  const toolchainVaries = platform !== 'host' && variesIn(ctx, ctx.options.toolchainProject, variantName);
  const triple = TRIPLE[platform];
  const configure = b.configure && {
    ...(b.configure.script ? { script: relative(places.src, b.configure.script) } : {}),
    // The descriptor's arguments first: a wrapper script may take positional ones.
    args: [
      ...fill(b.configure.args),
      ...(b.configure.host !== false && triple ? [`--host=${triple}`] : []),
      ...(b.install ? [`--prefix={root}/${places.stage}`] : []),
    ],
  };
  const source = variant?.source && ctx.source ? { ...ctx.source, pin: variant.source } : ctx.source;
  const base = {
    sourceDir: places.src,
    ...(source ? { source } : {}),
    ...(b.inSource ? {} : { buildDir: places.build }),
    env,
    ...(platform === 'host' ? { toolchain: false } : {}),
    ...(toolchainVaries ? { toolchainManifest: toolchainManifestOf(ctx.options.toolchainProject, variantName) } : {}),
  };
  const make = { targets: fill(b.make?.targets), args: fill(b.make?.args) };
  const out: AutotoolsOptions = { places, make: {} };
  if (b.configure?.outputs) {
    // configure is a target of its own: its outputs are cached, and make must not redo them.
    out.configure = {
      ...base,
      configure,
      make: { targets: fill(b.configure.makeTargets), args: make.args },
      clean: [places.build],
    };
    const assumeOld = b.configure.outputs.filter((o) => !o.includes('*')).map((o) => `--assume-old=${o}`);
    out.make = {
      ...base,
      make: { targets: make.targets, args: [...make.args, ...assumeOld] },
      clean: (b.make?.outputs ?? []).map((o) => join(places.build, o)),
    };
  } else {
    const publish = [
      ...(b.publish
        ? Object.entries(b.publish).map(([from, to]) => ({ from: fillPaths(from, places, '.'), to: join(places.out, to) }))
        : b.install ? [{ from: places.stage, to: places.out }] : []),
      ...Object.entries(b.files ?? {}).map(([file, to]) => ({ from: join(ctx.projectRoot, file), to: join(places.out, to) })),
    ];
    out.make = {
      ...base,
      ...(configure ? { configure } : {}),
      make,
      ...(b.install ? { install: { targets: b.install.targets ?? ['install'], args: fill(b.install.args) } } : {}),
      // In its source tree, make would keep the objects of an earlier build made with other flags
      // (a new toolchain feature): the tree is made afresh for every build.
      clean: b.inSource ? [places.src, places.build, places.stage] : [places.build, places.stage],
      publish,
    };
  }
  // What make writes is in the directory it ran in: the build directory, or the tree itself.
  if (artifact) out.artifact = { input: join(cwd, artifact.file), output: artifact.to, flags: artifact.optimize };
  return out;
}

function autotoolsTargets(ctx: Context): Record<string, TargetConfiguration> {
  const { d } = ctx;
  const b = d.build as AutotoolsBuild;
  const inputs = sharedInputs(ctx, !b.archivesOnly);
  const main = autotoolsOptions(ctx);
  const variants = Object.keys(d.variants ?? {});
  const perVariant = Object.fromEntries(variants.map((v) => [v, autotoolsOptions(ctx, v)]));
  const configurations = (key: 'configure' | 'make' | 'artifact') => Object.fromEntries(variants.map((v) => [v, perVariant[v]![key]!]));
  const places = main.places;
  const targets: Record<string, TargetConfiguration> = {};
  const makeName = d.artifact ? 'make' : 'build';
  // A host tool the machine may have at the pinned version: what is installed is in the hash.
  const tool = b.installed && ctx.source ? { ...b.installed, version: ctx.source.pin.version } : undefined;
  const toolInputs = tool ? [{ runtime: installedToolProbe(tool) }, { env: FROM_SOURCE_ENV }] : [];
  if (b.configure?.outputs) {
    targets.configure = {
      executor: `${PLUGIN}:autotools`,
      cache: true,
      dependsOn: buildsOf(ctx),
      inputs: withExecutor(ctx, 'autotools', sharedInputs(ctx, false)),
      outputs: b.configure.outputs.map((o) => `{options.buildDir}/${o}`),
      options: main.configure!,
      configurations: configurations('configure'),
    };
  }
  const reads = readsOf(ctx);
  const makeDir = b.inSource ? '{options.sourceDir}' : '{options.buildDir}';
  targets[makeName] = {
    executor: `${PLUGIN}:autotools`,
    cache: true,
    dependsOn: [...(b.configure?.outputs ? ['configure', ...buildsOf(ctx)] : buildsOf(ctx)), ...reads.dependsOn],
    // After a configure of its own, make reads what it wrote (the Makefile first of all).
    inputs: withExecutor(ctx, 'autotools', [...(b.configure?.outputs ? [...inputs, { dependentTasksOutputFiles: `build/${ctx.name}/**/*` }] : inputs), ...reads.inputs, ...toolInputs]),
    outputs: b.make?.outputs ? b.make.outputs.map((o) => (o === '.' ? makeDir : `${makeDir}/${o}`)) : [`{workspaceRoot}/${places.out}`],
    options: tool ? { ...main.make!, installed: tool } : main.make!,
    configurations: configurations('make'),
  };
  if (d.artifact) {
    targets.build = {
      executor: `${PLUGIN}:wasm-opt`,
      cache: true,
      dependsOn: [makeName],
      // binaryen's wasm-opt binary is resolved, not imported: named here.
      inputs: withExecutor(ctx, 'wasm-opt', [{ dependentTasksOutputFiles: `**/${d.artifact.file}` }], ['binaryen']),
      outputs: ['{options.output}'],
      options: main.artifact!,
      configurations: configurations('artifact'),
    };
  }
  return targets;
}

function cLibraryTargets(ctx: Context): Record<string, TargetConfiguration> {
  const b = ctx.d.build as CLibraryBuild;
  const places = placesOf(ctx.name);
  return {
    build: {
      executor: `${PLUGIN}:c-library`,
      cache: true,
      dependsOn: buildsOf(ctx),
      // An archive of its own sources: its links' headers matter, their archives do not.
      inputs: withExecutor(ctx, 'c-library', sharedInputs(ctx, false)),
      outputs: [`{workspaceRoot}/${places.out}`],
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
    },
  };
}

function commandOptions(ctx: Context, variantName?: string): Record<string, unknown> {
  const b = ctx.d.build as CommandBuild;
  const variant = variantName ? ctx.d.variants?.[variantName] : undefined;
  const places = placesOf(ctx.name, undefined, ctx.sourceProject);
  const output = variant?.output ?? b.output;
  const others = placesInVariant(ctx, variantName);
  const command = b.command.map((w) => fillPaths(w.replaceAll('{output}', output), places, '.', others));
  return { ...(ctx.source ? { sourceDir: places.src, source: ctx.source } : {}), command, output };
}

/** One cached target that runs a command; its dependencies are its tools, links and reads. */
function commandTargets(ctx: Context): Record<string, TargetConfiguration> {
  const reads = readsOf(ctx);
  const variants = Object.keys(ctx.d.variants ?? {});
  return {
    build: {
      executor: `${PLUGIN}:command`,
      cache: true,
      dependsOn: [...buildsOf(ctx), ...reads.dependsOn],
      inputs: withExecutor(ctx, 'command', [...sharedInputs(ctx, false), ...reads.inputs]),
      outputs: ['{options.output}'],
      options: commandOptions(ctx),
      ...(variants.length ? { configurations: Object.fromEntries(variants.map((v) => [v, commandOptions(ctx, v)])) } : {}),
    },
  };
}

/** Where `npm run pack` puts the wasm libraries' tarballs, beside the npm packages. */
export const LIB_TARBALLS = 'dist/packages/wasm32-wasi';

/**
 * A wasm32 library (what its build publishes to dist/libs/<name>: headers, static libraries,
 * pkg-config files) is packed for builders outside the workspace: `pack`, as for the npm
 * packages. An interpreter (an artifact) or a build for a named output is not a library.
 */
function packTarget(ctx: Context): TargetConfiguration | undefined {
  const { d } = ctx;
  const b = d.build;
  if (!b || (d.platform ?? 'wasm32-wasi') !== 'wasm32-wasi' || d.artifact) return undefined;
  if (b.system === 'autotools' ? Boolean(b.make?.outputs || b.configure?.outputs) : b.system !== 'c-library') return undefined;
  const version = ctx.source?.pin.version ?? d.version;
  if (!version) return undefined;
  const target = 'wasm32-wasi';
  return {
    executor: `${PLUGIN}:lib-tarball`,
    cache: true,
    dependsOn: ['build'],
    inputs: withExecutor(ctx, 'lib-tarball', [{ dependentTasksOutputFiles: '**/*' }]),
    outputs: [`{workspaceRoot}/${LIB_TARBALLS}/${tarballName(ctx.name, version, target)}`],
    options: { from: placesOf(ctx.name).out, name: ctx.name, version, target, outputPath: LIB_TARBALLS },
  };
}

/** The packages and files that make an LLVM major's wasm32 toolchain on Debian: the cache key of
 * everything compiled with it. */
function toolchainProbe(majors: number[]): string {
  const packages = majors.flatMap((m) => [`clang-${m}`, `lld-${m}`, `llvm-${m}`, `libclang-rt-${m}-dev-wasm32`]);
  const files = majors.flatMap((m) => [`/usr/lib/llvm-${m}/bin/clang`, `/usr/lib/llvm-${m}/bin/wasm-ld`]);
  return `dpkg-query -W -f='\${Package}=\${Version} ' ${packages.join(' ')} 2>/dev/null; ls ${files.join(' ')} 2>&1; true`;
}

/** The toolchain project: one cached target that finds (or installs) LLVM and writes its manifest. */
function toolchainTargets(ctx: Context): Record<string, TargetConfiguration> {
  const b = ctx.d.build as ToolchainBuild;
  const variants = Object.entries(ctx.d.variants ?? {});
  const majors = [...new Set([b.llvmMajor, ...variants.map(([, v]) => v.llvmMajor ?? b.llvmMajor)])].sort((x, y) => x - y);
  const features = b.wasmFeatures?.length ? { wasmFeatures: b.wasmFeatures } : {};
  return {
    build: {
      executor: `${PLUGIN}:toolchain`,
      cache: true,
      // What is installed is the output's identity; the runtime probe hashes it.
      inputs: withExecutor(ctx, 'toolchain', [{ runtime: toolchainProbe(majors) }]),
      outputs: ['{options.manifest}'],
      options: { llvmMajor: b.llvmMajor, manifest: toolchainManifestOf(ctx.name), ...features },
      ...(variants.length
        ? { configurations: Object.fromEntries(variants.map(([name, v]) => [name, { llvmMajor: v.llvmMajor ?? b.llvmMajor, manifest: toolchainManifestOf(ctx.name, name), ...features }])) }
        : {}),
    },
  };
}

/** The source request of a descriptor's own pin. */
export function ownSource(source: SourcePin & { patches?: string }, projectRoot: string): SourceRequest {
  const { patches = 'patches', ...pin } = source;
  return { pin, patchesDir: join(projectRoot, patches) };
}

export type ExecutorInputsOf = (executor: string, packages?: string[]) => ExecutorInput[];

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
  if (d.build?.system === 'autotools') Object.assign(targets, autotoolsTargets(ctx));
  else if (d.build?.system === 'c-library') Object.assign(targets, cLibraryTargets(ctx));
  else if (d.build?.system === 'command') Object.assign(targets, commandTargets(ctx));
  else if (d.build?.system === 'llvm-toolchain') Object.assign(targets, toolchainTargets(ctx));
  else if (d.build?.system === 'python-package') Object.assign(targets, pythonPackageTargets(ctx));
  const pack = packTarget(ctx);
  if (pack) targets.pack = pack;
  const implicitDependencies = [...new Set([...buildDeps, ...readProjects])].sort();
  return { name, implicitDependencies, targets, tags: [`platform:${platform}`] };
}
