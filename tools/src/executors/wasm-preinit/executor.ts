import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { BuildError, reportBuildErrors } from '../../lib/build-error.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { runLogged, startLog } from '../../lib/logged-command.ts';
import { planWasmPreinit, type PreinitRequest } from '../../lib/wasm-preinit-plan.ts';
import type { WasmPreinitExecutorOptions } from './schema.d.ts';

export default async function wasmPreinitExecutor(options: WasmPreinitExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const input = places.abs(options.input);
    if (!existsSync(input)) throw new BuildError(`wasm-preinit input ${options.input} does not exist`);
    const preopens: Record<string, string> = {};
    for (const [guest, host] of Object.entries(options.dirs ?? {})) {
      if (!existsSync(places.abs(host))) throw new BuildError(`wasm-preinit: directory ${host} (for ${guest}) does not exist`);
      preopens[guest] = places.abs(host);
    }
    const request: PreinitRequest = {
      input,
      output: places.abs(options.output),
      initExport: options.initExport,
      args: options.args ?? [basename(input)],
      env: options.env ?? {},
      preopens,
    };
    const work = mkdtempSync(join(tmpdir(), 'pywasi-preinit-'));
    try {
      const requestFile = join(work, 'request.json');
      writeFileSync(requestFile, JSON.stringify(request));
      startLog(places.logFile);
      await runLogged({ ...planWasmPreinit(requestFile, places.workspaceRoot), label: places.label, logFile: places.logFile });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}
