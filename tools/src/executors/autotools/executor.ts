import { existsSync, mkdirSync, rmSync } from 'node:fs';
import type { ExecutorContext } from '@nx/devkit';
import { BuildError, reportBuildErrors } from '../../lib/build-error.ts';
import { planAutotools } from '../../lib/build-plan.ts';
import { downloadsDir } from '../../lib/cache-dir.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { runLogged, startLog } from '../../lib/logged-command.ts';
import { prepareSource } from '../../lib/pinned-source.ts';
import { publish } from '../../lib/publish.ts';
import { placeholderValues, readToolchainManifest } from '../../lib/toolchain-manifest.ts';
import type { AutotoolsExecutorOptions } from './schema.d.ts';

export default async function autotoolsExecutor(options: AutotoolsExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const toolchain = options.toolchain === false ? undefined : readToolchainManifest(places.workspaceRoot);
    const values = placeholderValues(toolchain, places.workspaceRoot, places.projectRoot);
    if (options.source) {
      // The tree is this build's to prepare (kept as it is when pin and patches are unchanged).
      await prepareSource(options.source.pin, {
        downloadsDir: downloadsDir(),
        destDir: places.abs(options.sourceDir),
        patchesDir: places.abs(options.source.patchesDir),
        log: (line) => console.log(`[${places.label}] ${line}`),
      });
    } else if (!existsSync(places.abs(options.sourceDir))) {
      throw new BuildError(`source tree ${options.sourceDir} does not exist and the target names no pinned source to prepare it from`);
    }
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
