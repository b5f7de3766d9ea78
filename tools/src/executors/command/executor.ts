import { existsSync } from 'node:fs';
import type { ExecutorContext } from '@nx/devkit';
import { BuildError, reportBuildErrors } from '../../lib/build-error.ts';
import { fillAll } from '../../lib/build-plan.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { runLogged, startLog } from '../../lib/logged-command.ts';
import { ensureTargetSource } from '../../lib/target-source.ts';
import { placeholderValues } from '../../lib/toolchain-manifest.ts';
import type { CommandExecutorOptions } from './schema.d.ts';

export default async function commandExecutor(options: CommandExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    if (options.sourceDir) await ensureTargetSource(places, options.sourceDir, options.source);
    const [program, ...args] = fillAll(options.command, placeholderValues(undefined, places.workspaceRoot, places.projectRoot));
    if (!program) throw new BuildError('the command is empty: give the program and its arguments');
    startLog(places.logFile);
    await runLogged({ command: program, args, cwd: places.workspaceRoot, label: places.label, logFile: places.logFile });
    for (const output of [options.output, ...(options.alsoWrites ? [options.alsoWrites] : [])]) {
      if (!existsSync(places.abs(output))) throw new BuildError(`${program} finished without writing ${output}, an output this target promises; log: ${places.logFile}`);
    }
  });
}
