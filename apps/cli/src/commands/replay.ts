// `pywasi replay RUN`: re-execute a recorded run against its log alone (@pywasi/host's
// replayWasi): the same output, the same exit code, and no file, socket or clock of this host.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { Command } from 'commander';
import { LogFormatError, replayWasi, ReplayCutOffError, ReplayDivergenceError } from '@pywasi/host';
import { CliError } from '../cli-error.ts';
import { RunStore, RunStoreError } from '../run-store.ts';
import { EXIT_ERROR, EXIT_TRAP } from './run.ts';

export function registerReplay(program: Command, store = new RunStore()): void {
  program
    .command('replay')
    .description('re-execute a recorded run (--record) from its log alone: the same output and exit code, no file, socket or clock of this host touched')
    .argument('<run>', 'a run log, or the id of a stored run (`pywasi runs`)')
    .option('--module <wasm>', 'the module that was recorded, if neither the run store nor the path the log names has it')
    .option('--snapshot <file>', 'the snapshot the run restored, if neither the run store nor the path the log names has it')
    .addHelpText(
      'after',
      `
The replay stops with an error naming the record number, the expected and the actual call if the
guest does not make the calls the log holds (another module, snapshot or arguments are refused
before it starts); a log cut off by a kill replays up to its last whole batch. Exit codes: the
recorded run's, ${EXIT_ERROR} after such an error, ${EXIT_TRAP} if the guest trapped.

Examples:
  $ pywasi python --record=run.log -c 'import random; print(random.random())'
  $ pywasi replay run.log`,
    )
    .action(async (run: string, flags: { module?: string; snapshot?: string }) => {
      let resolved;
      try {
        resolved = store.resolve(run);
      } catch (e) {
        if (e instanceof RunStoreError || e instanceof LogFormatError) throw new CliError(`replay: ${e.message}`, EXIT_ERROR);
        throw e;
      }
      const recorded = resolved.header.module.name;
      // An exported log carries its module and snapshot; else the store's copies, else the paths
      // the log names (replayWasi checks their sha256).
      const module = flags.module ?? (resolved.attached ? undefined : (resolved.module ?? (existsSync(recorded) ? recorded : undefined)));
      if (!module && !resolved.attached) throw new CliError(`the run's module ${recorded} is gone and the run store has no copy: give it with --module`, EXIT_ERROR);
      const snapshot = flags.snapshot ?? (resolved.attached ? undefined : resolved.snapshot);
      // As `pywasi python` compiles python.wasm (see there).
      setFlagsFromString('--wasm-lazy-validation');
      try {
        process.exitCode = await replayWasi({ log: resolved.log, ...(module !== undefined ? { module } : {}), ...(snapshot !== undefined ? { snapshot } : {}) });
      } catch (e) {
        if (e instanceof ReplayDivergenceError || e instanceof ReplayCutOffError || e instanceof LogFormatError) throw new CliError(`replay: ${e.message}`, EXIT_ERROR);
        if (e instanceof WebAssembly.RuntimeError) throw new CliError(`replay: guest trapped: ${e.message}`, EXIT_TRAP);
        throw e;
      }
    });
}
