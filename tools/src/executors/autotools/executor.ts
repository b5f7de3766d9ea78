import { mkdirSync, rmSync } from 'node:fs';
import type { ExecutorContext } from '@nx/devkit';
import { reportBuildErrors } from '../../lib/build-error.ts';
import { planAutotools } from '../../lib/build-plan.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { runLogged, startLog } from '../../lib/logged-command.ts';
import { publish } from '../../lib/publish.ts';
import { ensureTargetSource } from '../../lib/target-source.ts';
import { placeholderValues, readToolchainManifest } from '../../lib/toolchain-manifest.ts';
import type { AutotoolsExecutorOptions } from './schema.d.ts';

export default async function autotoolsExecutor(options: AutotoolsExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const toolchain = options.toolchain === false ? undefined : readToolchainManifest(places.workspaceRoot, options.toolchainManifest);
    const values = placeholderValues(toolchain, places.workspaceRoot, places.projectRoot);
    await ensureTargetSource(places, options.sourceDir, options.source);
    for (const path of options.clean ?? []) rmSync(places.abs(path), { recursive: true, force: true });
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
