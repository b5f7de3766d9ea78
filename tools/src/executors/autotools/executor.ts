import { mkdirSync, rmSync } from 'node:fs';
import type { ExecutorContext } from '@nx/devkit';
import { reportBuildErrors } from '../../lib/build-error.ts';
import { planAutotools } from '../../lib/build-plan.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { runLogged, startLog } from '../../lib/logged-command.ts';
import { publish } from '../../lib/publish.ts';
import { FROM_SOURCE_ENV, findInstalledTool, toolIdentity, writeToolWrapper, type InstalledTool } from '../../lib/installed-tool.ts';
import { ensureTargetSource } from '../../lib/target-source.ts';
import { placeholderValues, readToolchainManifest } from '../../lib/toolchain-manifest.ts';
import type { AutotoolsExecutorOptions } from './schema.d.ts';

/** The machine's own tool instead of a build, when it is the pinned version (installed-tool.ts). */
async function useInstalledTool(tool: InstalledTool, buildDir: string, label: string): Promise<boolean> {
  if (process.env[FROM_SOURCE_ENV]) {
    console.log(`[${label}] ${FROM_SOURCE_ENV} is set: building from source`);
    return false;
  }
  const found = await findInstalledTool(tool);
  if (!found.path) {
    console.log(`[${label}] no installed ${tool.file} ${tool.version} (${found.seen.join('; ')}): building from source`);
    return false;
  }
  writeToolWrapper(buildDir, tool.file, found.path, await toolIdentity(found.path, tool));
  console.log(`[${label}] using the machine's ${found.path} (${tool.version}, the pinned version) instead of building it; ${FROM_SOURCE_ENV}=1 builds it`);
  return true;
}

export default async function autotoolsExecutor(options: AutotoolsExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const toolchain = options.toolchain === false ? undefined : readToolchainManifest(places.workspaceRoot, options.toolchainManifest);
    if (options.installed && (await useInstalledTool(options.installed, places.abs(options.buildDir ?? options.sourceDir), places.label))) return;
    const values = placeholderValues(toolchain, places.workspaceRoot, places.projectRoot);
    // Cleaned first: an in-source build cleans its tree too, which is then prepared afresh.
    for (const path of options.clean ?? []) rmSync(places.abs(path), { recursive: true, force: true });
    await ensureTargetSource(places, options.sourceDir, options.source);
    if (options.buildDir) mkdirSync(places.abs(options.buildDir), { recursive: true });

    startLog(places.logFile);
    const started = Date.now();
    for (const step of planAutotools({ ...options, workspaceRoot: places.workspaceRoot }, values)) {
      await runLogged({ ...step, label: places.label, logFile: places.logFile });
    }
    for (const { from, to } of options.publish ?? []) publish(places.abs(from), places.abs(to));
    console.log(`[${places.label}] built in ${((Date.now() - started) / 1000).toFixed(1)} s; log: ${places.logFile}`);
  });
}
