import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { glob } from 'tinyglobby';
import { BuildError, reportBuildErrors } from '../../lib/build-error.ts';
import { planCLibrary } from '../../lib/c-library-plan.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { runLogged, startLog } from '../../lib/logged-command.ts';
import { publish } from '../../lib/publish.ts';
import { readToolchainManifest } from '../../lib/toolchain-manifest.ts';
import type { CLibraryExecutorOptions } from './schema.d.ts';

export default async function cLibraryExecutor(options: CLibraryExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const toolchain = readToolchainManifest(places.workspaceRoot, options.toolchainManifest);
    const projectDir = places.abs(places.projectRoot);
    const sysroot = places.abs(options.sysroot);
    if (!existsSync(join(sysroot, 'include'))) {
      throw new BuildError(`sysroot ${options.sysroot} has no include/; build the project that produces it first`);
    }
    const sources = (await glob(options.sources, { cwd: projectDir, absolute: true })).sort();
    if (sources.length === 0) throw new BuildError(`no C sources match ${options.sources.join(', ')} in ${places.projectRoot}`);

    // Build into a stage under build/, publish to outputPath only when everything succeeded.
    const stage = places.abs(options.stageDir ?? join('build', places.label, 'c-library'));
    rmSync(stage, { recursive: true, force: true });
    const objDir = join(stage, 'obj');
    mkdirSync(objDir, { recursive: true });
    mkdirSync(join(stage, 'out', 'lib'), { recursive: true });
    const plan = planCLibrary({
      projectDir,
      sources,
      includeDirs: options.includeDirs ?? [],
      cflags: [...(toolchain.targetFlags ?? []), ...(options.cflags ?? [])],
      sysroot,
      target: options.target ?? 'wasm32-wasi',
      objDir,
      archive: join(stage, 'out', 'lib', `lib${options.libName}.a`),
      cc: toolchain.tools.clang,
      ar: toolchain.tools['llvm-ar'],
    });

    startLog(places.logFile);
    const pending = [...plan.compiles];
    const worker = async () => {
      for (let step = pending.shift(); step; step = pending.shift()) {
        await runLogged({ ...step, label: places.label, logFile: places.logFile });
      }
    };
    await Promise.all(Array.from({ length: availableParallelism() }, worker));
    await runLogged({ ...plan.archive, label: places.label, logFile: places.logFile });
    if (options.publicInclude) cpSync(join(projectDir, options.publicInclude), join(stage, 'out', 'include'), { recursive: true });
    for (const [file, to] of Object.entries(options.files ?? {})) {
      if (!existsSync(join(projectDir, file))) throw new BuildError(`${places.projectRoot}/${file} (listed in files) does not exist`);
      cpSync(join(projectDir, file), join(stage, 'out', to));
    }
    publish(join(stage, 'out'), places.abs(options.outputPath));
    console.log(`[${places.label}] ${sources.length} sources -> ${options.outputPath}/lib/lib${options.libName}.a`);
  });
}
