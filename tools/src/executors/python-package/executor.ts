import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { BuildError, reportBuildErrors } from '../../lib/build-error.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { runLogged, startLog } from '../../lib/logged-command.ts';
import { publish } from '../../lib/publish.ts';
import { sortWheel, type PackageManifest } from '../../lib/python-package/built-in-modules.ts';
import { writeBuildMachineTools } from '../../lib/python-package/build-machine-tools.ts';
import { buildBackend, crossPythonEnv, extensionSuffixes, targetPythonOf } from '../../lib/python-package/cross-python.ts';
import { layOutTargetImports } from '../../lib/python-package/target-imports.ts';
import { ensureTargetSource } from '../../lib/target-source.ts';
import { fillPlaceholders, placeholderValues, readToolchainManifest } from '../../lib/toolchain-manifest.ts';
import { localizeSymbols, renameSymbols } from '../../lib/wasm-object-symbols.ts';
import type { PythonPackageExecutorOptions } from './schema.d.ts';

/**
 * A Python package's C extensions for a static interpreter: the package's own build (PEP 517,
 * through pip) runs on the build python against the target's SDK; its wheel is split into
 * archives, one per extension with its init function renamed, a manifest, and its files.
 */
export default async function pythonPackageExecutor(options: PythonPackageExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const toolchain = readToolchainManifest(places.workspaceRoot, options.toolchainManifest);
    const values = placeholderValues(toolchain, places.workspaceRoot, places.projectRoot);
    const fill = (text: string) => fillPlaceholders(text, values);
    const buildPython = places.abs(options.buildPython);
    if (!existsSync(buildPython)) throw new BuildError(`the build python ${options.buildPython} does not exist: build its project first`);
    const target = targetPythonOf(places.abs(options.sdk));

    await ensureTargetSource(places, options.sourceDir, options.source);
    // The package's build writes into its tree (build/, *.egg-info, generated C): a fresh copy.
    const buildDir = places.abs(options.buildDir);
    const tree = join(buildDir, 'tree');
    const wheelDir = join(buildDir, 'wheel');
    const unpacked = join(buildDir, 'unpacked');
    rmSync(buildDir, { recursive: true, force: true });
    mkdirSync(wheelDir, { recursive: true });
    cpSync(places.abs(options.sourceDir), tree, { recursive: true });

    const compilerEnv = Object.fromEntries(Object.entries(options.env).map(([k, v]) => [k, fill(v)]));
    const tools = writeBuildMachineTools(
      buildDir,
      { cc: (compilerEnv['CC'] ?? '').split(/\s+/).filter(Boolean), cxx: values['cxx']!, cxxIncludeDir: values['cxx-include']!, cxxLibDir: values['cxx-lib']!, ar: values['ar']!, strip: values['strip']! },
      buildPython,
      options.mesonProperties,
    );
    const buildTools = options.buildTools && places.abs(options.buildTools);
    const imports = options.packages?.length ? layOutTargetImports(options.packages.map((p) => places.abs(p)), buildTools, join(buildDir, 'imports'), places.label) : undefined;
    const env = crossPythonEnv(target, compilerEnv, { buildTools, ...(imports ? { targetImports: imports.dir } : {}), ar: values['ar']!, tools });
    startLog(places.logFile);
    const started = Date.now();
    // meson-python builds for the target through a cross file; other backends through CC & co.
    const configSettings = Object.entries(options.configSettings ?? {}).flatMap(([k, v]) => {
      const given: unknown[] = Array.isArray(v) ? v : [v];
      if (given.some((one) => typeof one !== 'string')) throw new BuildError(`configSettings.${k} must be a string or a list of strings`);
      return (given as string[]).map((one) => [k, fill(one)] as const);
    });
    if (buildBackend(tree) === 'mesonpy') configSettings.unshift(['setup-args', `--cross-file=${tools.crossFile}`]);
    const settings = configSettings.map(([k, v]) => `--config-settings=${k}=${v}`);
    await runLogged({
      command: buildPython,
      args: ['-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '--no-index', '--no-cache-dir', '--disable-pip-version-check', '--verbose', '--wheel-dir', wheelDir, ...settings, tree],
      cwd: buildDir,
      env,
      label: places.label,
      logFile: places.logFile,
    });

    const wheels = readdirSync(wheelDir).filter((f) => f.endsWith('.whl'));
    if (wheels.length !== 1) throw new BuildError(`pip wheel made ${wheels.length} wheels in ${wheelDir}, expected one`);
    await runLogged({ command: buildPython, args: ['-I', '-m', 'zipfile', '-e', join(wheelDir, wheels[0]!), unpacked], cwd: buildDir, label: places.label, logFile: places.logFile });

    const extSuffixes = await extensionSuffixes(buildPython, env);
    const { modules, files, buildFiles } = await sortWheel(unpacked, extSuffixes, values['ar']!);
    if (modules.length === 0 && !options.pureOk) {
      throw new BuildError(`${wheels[0]} has no extension modules: the build may have fallen back to pure Python (see ${places.logFile}); a pure-Python package needs no build here (pywasi pip installs it)`);
    }

    const staging = join(buildDir, 'out');
    mkdirSync(join(staging, 'lib'), { recursive: true });
    const objects = join(buildDir, 'objects');
    mkdirSync(objects);
    for (const m of modules) {
      // One extension, one object, as its shared object would be: its parts linked together
      // (wasm-ld -r), its init function renamed after its dotted name, and every other name it
      // defines made local, so that no two extensions' helpers can meet in python.wasm.
      const object = join(objects, `${m.name}.o`);
      const partial = await execa(values['wasm-ld']!, ['-r', '--whole-archive', join(unpacked, m.file), '-o', object], { reject: false, all: true });
      if (partial.failed) throw new BuildError(`linking ${m.file} into one object failed:\n${partial.all}`);
      const renames = m.init === m.definedInit ? new Map<string, string>() : new Map([[m.definedInit, m.init]]);
      const renamed = renameSymbols(readFileSync(object), renames, `${m.name} (${m.file})`);
      if (renamed.renamed.length !== renames.size) throw new BuildError(`${m.file} defines no ${m.definedInit}: is it an extension module?`);
      const { bytes, localized } = localizeSymbols(renamed.bytes, new Set([m.init]), `${m.name} (${m.file})`);
      writeFileSync(object, bytes);
      await execa(values['ar']!, ['qcs', join(staging, 'lib', `${m.name}.a`), object]);
      console.log(`[${places.label}] ${m.name}: built in as ${m.init}, ${localized} names made local${m.links.length ? `, links ${m.links.join(' ')}` : ''}`);
    }
    for (const f of files) cpSync(join(unpacked, f), join(staging, 'site-packages', f));
    // Out of the zips, for the builds of packages that link this one.
    for (const f of buildFiles) cpSync(join(unpacked, f), join(staging, 'build-files', f));
    const libs = [...new Set(modules.flatMap((m) => m.links.filter((l) => l.startsWith('-l'))))];
    const manifest: PackageManifest = {
      name: options.source?.pin.name ?? places.label,
      version: options.source?.pin.version ?? '',
      modules: modules.map((m) => ({ name: m.name, init: m.init, archive: `lib/${m.name}.a` })),
      libs,
      // The C++ runtime is the toolchain's (archive-extension.sh names it for a C++ link).
      libDirs: [...options.libDirs, ...(libs.includes('-lc++') ? [values['cxx-lib']!] : [])],
      site: 'site-packages',
      buildFiles: 'build-files',
    };
    writeFileSync(join(staging, 'python-package.json'), JSON.stringify(manifest, null, 2) + '\n');
    publish(staging, places.abs(options.outputPath));
    if (imports) console.log(`[${places.label}] imported the target's ${imports.packages.map((p) => `${p.name} ${p.version}`).join(', ')} at build time`);
    console.log(`[${places.label}] ${modules.length} built-in modules, ${files.length} files (${buildFiles.length} C/Cython sources and headers for other builds) in ${((Date.now() - started) / 1000).toFixed(1)} s; log: ${places.logFile}`);
  });
}
