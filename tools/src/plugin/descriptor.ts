// The descriptor of a native project: `native.json` in its directory. It says what is built
// (a pinned source, a build system, its arguments, the libraries it links) and nothing the plugin
// can derive (the cross compiler, sysroot, --host, include/lib/pkg-config paths, clean and publish
// places, caching inputs and outputs). See tools/README.md for the fields and an example.
import type { SourcePin } from '../lib/pinned-source.ts';

export const DESCRIPTOR_FILE = 'native.json';

/** Where the output runs: cross-compiled for wasm32-wasi against the sysroot, or built for this machine. */
export type Platform = 'wasm32-wasi' | 'host';

export interface AutotoolsStep {
  /** Arguments. Paths may use {src} {build} {stage} {out} (relative to the build directory, where
   * the commands run), the executor's {root} {project} {cc} {ar} {ranlib} {nm} {jobs}. */
  args?: string[];
}

export interface ConfigureStep extends AutotoolsStep {
  /** Workspace-relative script run instead of the source's `configure`. */
  script?: string;
  /** Pass --host for the platform (default true; zlib's hand-written configure knows no --host). */
  host?: boolean;
  /** Files configure writes, relative to the build directory: given, configure is a target of its
   * own whose outputs are cached, and make treats them as up to date (`--assume-old`). */
  outputs?: string[];
  /** Make targets that belong to configuring (generated files later targets read), run by it. */
  makeTargets?: string[];
}

export interface MakeStep extends AutotoolsStep {
  targets?: string[];
  /** Files the build is for, relative to the build directory ("." for all of it); without it the
   * output is dist/libs/<name>. */
  outputs?: string[];
}

export interface AutotoolsBuild {
  system: 'autotools';
  configure?: ConfigureStep;
  make?: MakeStep;
  /** `make install` into {stage}, then {stage} is published as dist/libs/<name>. */
  install?: { targets?: string[]; args?: string[] };
  /** Run make in the source tree itself (no configure; the project's makefile writes where it is told). */
  inSource?: boolean;
  /** The build compiles static archives and links nothing, not even a configure probe (OpenSSL's
   * Configure is perl): the archives of its links are then not its inputs, only their headers and
   * pkg-config files, so an edit of a linked library's code that leaves its headers alone does not
   * rebuild this one. */
  archivesOnly?: boolean;
  /** Added to the derived environment; null removes a derived variable (CPython sets its own CFLAGS). */
  env?: Record<string, string | null>;
  /** Extra files to publish: project-relative file -> path inside the output. */
  files?: Record<string, string>;
  /** Publish these instead of {stage}: a path with {build}/{src}/{stage} -> path inside the output. */
  publish?: Record<string, string>;
  /** A host tool: use the machine's own when one of `candidates` prints exactly the pinned source's
   * version for `versionArgs`; the build directory then holds a wrapper named `file` that runs it. */
  installed?: { candidates: string[]; versionArgs: string[]; file: string };
}

/** A CMake project: configured with a toolchain file derived from the same cross environment an
 * autotools build gets, built, and installed into {stage}. */
export interface CMakeBuild {
  system: 'cmake';
  /** The project's options as cache entries, `-D<name>=<value>`. Values may use {src} {build}
   * {stage} {out} (relative to the build directory) and the executor's placeholders. */
  defines?: Record<string, string>;
  /** `cmake --build --target` these (default: the project's `all`). */
  targets?: string[];
  /** `cmake --install` into {stage}, then {stage} is published as dist/libs/<name>. */
  install?: Record<string, never>;
  /** Added to the derived environment; null removes a derived variable. The compiler variables
   * (CC, CFLAGS, CPPFLAGS, LDFLAGS, AR, RANLIB, NM) go into the toolchain file, the rest to cmake. */
  env?: Record<string, string | null>;
  /** Extra files to publish: project-relative file -> path inside the output. */
  files?: Record<string, string>;
  /** Publish these instead of {stage}: a path with {build}/{src}/{stage} -> path inside the output. */
  publish?: Record<string, string>;
}

export interface CLibraryBuild {
  system: 'c-library';
  /** Project-relative globs of the C sources. */
  sources: string[];
  includeDirs?: string[];
  publicInclude?: string;
  cflags?: string[];
  /** lib<libName>.a */
  libName: string;
  /** Project files published too, to output-relative paths (a .pc file). */
  files?: Record<string, string>;
}

/** One command (a tool of another project, a script) that writes one output. */
export interface CommandBuild {
  system: 'command';
  /** Program and arguments, run in the workspace root. Placeholders: {src} {output}
   * {build:<project>} (a variant's, when that project has the same variant) and the executor's
   * {root} {project}. */
  command: string[];
  /** Workspace-relative file or directory the command writes. */
  output: string;
}

/** The LLVM toolchain every wasm32 project compiles with: found (or installed with apt-get) and
 * recorded in a manifest that is an input of every build using it. */
export interface ToolchainBuild {
  system: 'llvm-toolchain';
  llvmMajor: number;
  /** WebAssembly features beyond the LLVM major's defaults that every wasm32 compile enables
   * (clang's -m<feature>): what every engine that runs the modules must support. */
  wasmFeatures?: WasmFeature[];
}

/** clang's names of the WebAssembly features it can target (`-m<name>`). */
export const WASM_FEATURES = ['bulk-memory', 'sign-ext', 'nontrapping-fptoint', 'mutable-globals', 'simd128', 'relaxed-simd', 'tail-call', 'multivalue', 'reference-types', 'extended-const', 'atomics', 'exception-handling'] as const;
export type WasmFeature = (typeof WASM_FEATURES)[number];

/** A Python package (an sdist) whose C extensions are built into the interpreter: its own build
 * runs on the build python against the interpreter's SDK (see python-package-targets.ts). */
export interface PythonPackageBuild {
  system: 'python-package';
  /** PEP 517 config settings for the package's build backend (placeholders allowed; a list
   * repeats the key, e.g. meson-python's setup-args). */
  configSettings?: Record<string, string | string[]>;
  /** meson-python builds: properties of the derived cross file (e.g. numpy's longdouble_format). */
  mesonProperties?: Record<string, string | boolean>;
  /** Added to every C and C++ compile of the package, after the derived flags (the package's
   * CFLAGS, and CXXFLAGS, which start from them): e.g. a wasm feature such as -msimd128. */
  cflags?: string[];
  /** Added to the derived compiler environment; null removes a derived variable. */
  env?: Record<string, string | null>;
}

export type BuildSystem = AutotoolsBuild | CMakeBuild | CLibraryBuild | CommandBuild | ToolchainBuild | PythonPackageBuild;

/** A wasm module the build makes, optimised with wasm-opt into the distribution. */
export interface WasmArtifact {
  /** The module as make leaves it, relative to the build directory. */
  file: string;
  /** Workspace-relative destination. */
  to: string;
  /** wasm-opt flags. */
  optimize: string[];
}

/** What a variant changes; everything else comes from the descriptor. A variant that changes the
 * build (not only `artifact`) gets its own source-or-build directory, so variants never share one. */
export interface Variant {
  /** Appended to configure's arguments. */
  configureArgs?: string[];
  makeArgs?: string[];
  cflags?: string[];
  /** A newer release of the tree: extracted into a tree of the variant's own. */
  source?: SourcePin;
  /** Project-relative directory of the variant's whole patch series (default: the project's
   * `patches`), applied in name order to a tree of the variant's own; it may link the project's
   * patches it keeps. On the project that owns a tree, every project building that tree reads it
   * in this variant. */
  patches?: string;
  artifact?: Partial<WasmArtifact>;
  /** A command build's output in this variant. */
  output?: string;
  /** The toolchain project's LLVM major in this variant. */
  llvmMajor?: number;
  /** The toolchain project's wasm features in this variant: the whole list, replacing the build's
   * (threads: atomics). */
  wasmFeatures?: WasmFeature[];
}

export interface NativeDescriptor {
  /** The project's name; default: its directory's name. */
  name?: string;
  description?: string;
  /** The version of a library whose sources are its own (no pinned release): names its package. */
  version?: string;
  platform?: Platform;
  /** A pinned release extracted into build/<name>/src with the project's patches/ applied, or the
   * name of a project (with `source` only) whose tree this one builds. */
  source?: (SourcePin & { patches?: string }) | { project: string };
  build?: BuildSystem;
  /** Native projects whose headers, static libraries and pkg-config files this one uses. */
  links?: string[];
  /** Native projects whose outputs the build runs (a build python, a code generator). */
  tools?: string[];
  /** Other targets whose outputs the build reads ("project:target" -> glob of the files read). */
  reads?: Record<string, string>;
  artifact?: WasmArtifact;
  variants?: Record<string, Variant>;
}

export class DescriptorError extends Error {}

const PLATFORMS: readonly string[] = ['wasm32-wasi', 'host'];
/** The build systems whose targets have a configuration per variant. A python-package build also
 * builds in every variant of the interpreter's SDK without declaring it. */
const VARIANT_SYSTEMS: readonly string[] = ['autotools', 'c-library', 'cmake', 'command', 'llvm-toolchain', 'python-package'];

/** Checks what JSON cannot: one message per mistake, naming the file and the field. */
export function validateDescriptor(file: string, raw: unknown): NativeDescriptor {
  const problems: string[] = [];
  const d = raw as NativeDescriptor;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new DescriptorError(`${file}: must hold a JSON object`);
  const known = ['$schema', 'name', 'description', 'version', 'platform', 'source', 'build', 'links', 'tools', 'reads', 'artifact', 'variants'];
  for (const key of Object.keys(d)) if (!known.includes(key)) problems.push(`unknown field "${key}" (known: ${known.slice(1).join(', ')})`);
  if (d.platform !== undefined && !PLATFORMS.includes(d.platform)) problems.push(`platform "${d.platform}" is not one of ${PLATFORMS.join(', ')}`);
  if (d.source && !('project' in d.source)) {
    for (const field of ['name', 'version', 'sha256'] as const) if (typeof d.source[field] !== 'string') problems.push(`source.${field} is required`);
    if (typeof d.source.sha256 === 'string' && !/^[0-9a-f]{64}$/.test(d.source.sha256)) problems.push('source.sha256 must be 64 lowercase hex digits');
  }
  if (d.build) {
    if (d.build.system === 'c-library') {
      if (!Array.isArray(d.build.sources) || !d.build.sources.length) problems.push('build.sources must list the C sources');
      if (typeof d.build.libName !== 'string') problems.push('build.libName is required');
      if (typeof d.version !== 'string') problems.push('version is required: a library with its own sources names its package with it (e.g. "1.0.0")');
    } else if (d.build.system === 'autotools') {
      if (!d.source && !d.build.inSource) problems.push('an autotools build needs a source');
      const tool = d.build.installed;
      if (tool) {
        if (d.platform !== 'host') problems.push('build.installed: only a host tool can be taken from the machine');
        if (!Array.isArray(tool.candidates) || !tool.candidates.length || !Array.isArray(tool.versionArgs) || typeof tool.file !== 'string') {
          problems.push('build.installed needs candidates (paths or command names), versionArgs and file');
        }
      }
    } else if (d.build.system === 'cmake') {
      if (!d.source) problems.push('a cmake build needs a source (a pinned release, or another project\'s tree)');
      for (const [key, value] of Object.entries(d.build.defines ?? {})) {
        if (typeof value !== 'string') problems.push(`build.defines.${key} must be a string (CMake cache values are text: "ON", "OFF", a path)`);
      }
      if (!d.build.install && !d.build.publish) problems.push('a cmake build publishes its installed stage ("install": {}) or what "publish" names: give one');
    } else if (d.build.system === 'command') {
      if (!Array.isArray(d.build.command) || !d.build.command.length || d.build.command.some((w) => typeof w !== 'string')) problems.push('build.command must list the program and its arguments');
      if (typeof d.build.output !== 'string') problems.push('build.output (the file or directory the command writes) is required');
    } else if (d.build.system === 'llvm-toolchain') {
      if (!Number.isInteger(d.build.llvmMajor)) problems.push('build.llvmMajor (an integer, e.g. 16) is required');
      for (const f of d.build.wasmFeatures ?? []) {
        if (!WASM_FEATURES.includes(f)) problems.push(`build.wasmFeatures: "${f}" is not a WebAssembly feature clang knows (${WASM_FEATURES.join(', ')})`);
      }
    } else if (d.build.system === 'python-package') {
      if (!d.source || 'project' in d.source) problems.push('a python-package build needs a pinned source (the sdist: name, version, sha256, pypi)');
    } else problems.push(`build.system "${(d.build as { system?: string }).system}" is not one of autotools, cmake, c-library, command, llvm-toolchain, python-package`);
  }
  for (const field of ['links', 'tools'] as const) {
    if (d[field] !== undefined && (!Array.isArray(d[field]) || d[field].some((x) => typeof x !== 'string'))) problems.push(`${field} must be a list of project names`);
  }
  if (d.artifact && (typeof d.artifact.file !== 'string' || typeof d.artifact.to !== 'string' || !Array.isArray(d.artifact.optimize))) {
    problems.push('artifact needs file, to and optimize (wasm-opt flags)');
  }
  for (const [target, glob] of Object.entries(d.reads ?? {})) {
    if (!/^[\w.@/-]+:[\w-]+$/.test(target) || typeof glob !== 'string') problems.push(`reads: "${target}" must be "project:target" -> a glob of the files read`);
  }
  // A project that only provides a tree (no build) may have variants of that tree.
  const treeOnly = !d.build && Object.values(d.variants ?? {}).every((v) => Object.keys(v).every((k) => k === 'source' || k === 'patches'));
  if (d.variants && !treeOnly && !VARIANT_SYSTEMS.includes(d.build?.system ?? '')) problems.push(`variants are supported for ${VARIANT_SYSTEMS.join(', ')} builds (and source and patches variants of a project without a build)`);
  for (const [name, v] of Object.entries(d.variants ?? {})) {
    // What a variant may change of a build that has no configure and make, and of a package.
    const takes = d.build?.system === 'cmake' ? ['cflags', 'source', 'patches'] : d.build?.system === 'python-package' ? ['cflags'] : undefined;
    const other = takes ? Object.keys(v).filter((k) => !takes.includes(k)) : [];
    if (other.length) problems.push(`variants.${name}: a ${d.build!.system} build's variant takes ${takes!.join(', ')}, not ${other.join(', ')}`);
    if ((v.source || v.patches !== undefined) && (!d.source || 'project' in d.source)) problems.push(`variants.${name}: source and patches vary a pinned tree, and this project has none (give them on the project that owns the tree)`);
    if (v.llvmMajor !== undefined && d.build?.system !== 'llvm-toolchain') problems.push(`variants.${name}.llvmMajor: only the toolchain project has one (a variant of the same name there gives this project its compiler)`);
    if (v.wasmFeatures !== undefined && d.build?.system !== 'llvm-toolchain') problems.push(`variants.${name}.wasmFeatures: only the toolchain project has them (a variant of the same name there gives this project its compile flags)`);
    for (const f of v.wasmFeatures ?? []) {
      if (!WASM_FEATURES.includes(f)) problems.push(`variants.${name}.wasmFeatures: "${f}" is not a WebAssembly feature clang knows (${WASM_FEATURES.join(', ')})`);
    }
  }
  if (problems.length) throw new DescriptorError(`${file}:\n  - ${problems.join('\n  - ')}`);
  return d;
}
