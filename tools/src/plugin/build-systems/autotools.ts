// The autotools build system: configure? + make + install?, for a library, a host tool or an
// interpreter. A configure may be a cached target of its own (CPython's takes minutes), and a wasm
// artifact gets a wasm-opt `build` after `make`. Every variant is a configuration of these targets.
import { posix } from 'node:path';
import type { TargetConfiguration } from '@nx/devkit';
import { FROM_SOURCE_ENV, installedToolProbe } from '../../lib/installed-tool.ts';
import type { AutotoolsBuild, NativeDescriptor, Variant, WasmArtifact } from '../descriptor.ts';
import {
  PLUGIN,
  TRIPLE,
  buildsOf,
  changesBuild,
  crossEnv,
  fillPaths,
  placesInVariant,
  placesOf,
  platformLabel,
  publishOf,
  platformOf,
  readsOf,
  sharedInputs,
  toolchainManifestOf,
  treeOf,
  variesIn,
  withExecutor,
  type Context,
  type Places,
} from '../targets/context.ts';

const { join, relative } = posix;

/** The descriptor's build with a variant's additions (undefined: the default build). */
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
  const tree = treeOf(ctx, variantName);
  const places = { ...placesOf(name, own, ctx.sourceProject), src: tree.dir };
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
  const base = {
    sourceDir: places.src,
    ...(tree.source ? { source: tree.source } : {}),
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
      ...(b.make?.outputs ? {} : { outputPath: places.out }),
    };
  } else {
    const publish = publishOf(ctx, places, { ...b, install: Boolean(b.install) });
    out.make = {
      ...base,
      ...(configure ? { configure } : {}),
      make,
      ...(b.install ? { install: { targets: b.install.targets ?? ['install'], args: fill(b.install.args) } } : {}),
      // In its source tree, make would keep the objects of an earlier build made with other flags
      // (a new toolchain feature): the tree is made afresh for every build.
      clean: b.inSource ? [places.src, places.build, places.stage] : [places.build, places.stage],
      publish,
      // The cached output: a variant's own (dist/libs/<name>-threads) is its configuration's.
      ...(b.make?.outputs ? {} : { outputPath: places.out }),
    };
  }
  // What make writes is in the directory it ran in: the build directory, or the tree itself.
  if (artifact) out.artifact = { input: join(cwd, artifact.file), output: artifact.to, flags: artifact.optimize };
  return out;
}

/** What the make target runs and where its product lands, in one line. */
function makeDescription(ctx: Context, places: Places, installed: boolean): string {
  const b = ctx.d.build as AutotoolsBuild;
  const steps = [...(b.configure && !b.configure.outputs ? ['configure'] : []), 'make', ...(b.install ? ['make install'] : [])].join(' + ');
  const after = b.configure?.outputs ? ' after its cached configure' : '';
  const cwd = b.inSource ? places.src : places.build;
  const product = b.make?.outputs ? `: ${b.make.outputs.map((o) => (o === '.' ? cwd : join(cwd, o))).join(', ')}` : `, published to ${places.out}`;
  const machine = installed ? " (or the machine's own at the pinned version)" : '';
  return `${steps} of ${ctx.name} for ${platformLabel(ctx.d)}${b.inSource ? ' in its source tree' : ''}${after}${product}${machine}`;
}

export function autotoolsTargets(ctx: Context): Record<string, TargetConfiguration> {
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
  const { name } = ctx;
  const platform = platformLabel(d);
  if (b.configure?.outputs) {
    targets.configure = {
      executor: `${PLUGIN}:autotools`,
      metadata: { description: `configure of ${name} for ${platform} in ${places.build}, cached on its own (make does not redo it)` },
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
    metadata: { description: makeDescription(ctx, places, Boolean(tool)) },
    cache: true,
    dependsOn: [...(b.configure?.outputs ? ['configure', ...buildsOf(ctx)] : buildsOf(ctx)), ...reads.dependsOn],
    // After a configure of its own, make reads what it wrote (the Makefile first of all).
    inputs: withExecutor(ctx, 'autotools', [...(b.configure?.outputs ? [...inputs, { dependentTasksOutputFiles: `build/${ctx.name}/**/*` }] : inputs), ...reads.inputs, ...toolInputs]),
    outputs: b.make?.outputs ? b.make.outputs.map((o) => (o === '.' ? makeDir : `${makeDir}/${o}`)) : ['{options.outputPath}'],
    options: tool ? { ...main.make!, installed: tool } : main.make!,
    configurations: configurations('make'),
  };
  if (d.artifact) {
    targets.build = {
      executor: `${PLUGIN}:wasm-opt`,
      metadata: { description: `wasm-opt of ${String(main.artifact!['input'])} into ${String(main.artifact!['output'])}` },
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
