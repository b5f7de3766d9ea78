import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { reportBuildErrors } from '../../lib/build-error.ts';
import { fillEnv } from '../../lib/build-plan.ts';
import { requireCMake } from '../../lib/cmake/cmake-program.ts';
import { planCMake } from '../../lib/cmake/plan.ts';
import { cmakeToolchain } from '../../lib/cmake/toolchain-file.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { runLogged, startLog } from '../../lib/logged-command.ts';
import { publish } from '../../lib/publish.ts';
import { ensureTargetSource } from '../../lib/target-source.ts';
import { fillPlaceholders, placeholderValues, readToolchainManifest } from '../../lib/toolchain-manifest.ts';
import type { CMakeExecutorOptions } from './schema.d.ts';

/** Where the toolchain file and its platform module go, inside the build directory. */
const TOOLCHAIN_DIR = 'pywasi-toolchain';

export default async function cmakeExecutor(options: CMakeExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const version = await requireCMake(places.label);
    const toolchain = options.toolchain === false ? undefined : readToolchainManifest(places.workspaceRoot, options.toolchainManifest);
    const values = placeholderValues(toolchain, places.workspaceRoot, places.projectRoot);
    for (const path of options.clean ?? []) rmSync(places.abs(path), { recursive: true, force: true });
    await ensureTargetSource(places, options.sourceDir, options.source);
    mkdirSync(places.abs(options.buildDir), { recursive: true });

    let env = fillEnv(options.env, values);
    let toolchainFile: string | undefined;
    if (toolchain) {
      const derived = cmakeToolchain({
        env,
        prefixes: (options.prefixes ?? []).map((p) => fillPlaceholders(p, values)),
        cxx: toolchain.cxx,
        dir: join(places.abs(options.buildDir), TOOLCHAIN_DIR),
      });
      for (const [path, text] of Object.entries(derived.files)) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
      }
      ({ toolchainFile, env } = derived);
    }

    startLog(places.logFile);
    const started = Date.now();
    const plan = planCMake({ ...options, workspaceRoot: places.workspaceRoot, env, ...(toolchainFile ? { toolchainFile } : {}) }, values);
    for (const step of plan) await runLogged({ ...step, label: places.label, logFile: places.logFile });
    for (const { from, to } of options.publish ?? []) publish(places.abs(from), places.abs(to));
    console.log(`[${places.label}] built with cmake ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s; log: ${places.logFile}`);
  });
}
