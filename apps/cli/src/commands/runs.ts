// `pywasi runs`: the run store's recorded runs (--record without a file), and `pywasi runs rm`.
import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { RunStore, RunStoreError } from '../run-store.ts';
import { EXIT_ERROR } from './run.ts';

const size = (n: number) => (n < 1024 ? `${n} B` : n < 2 ** 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 2 ** 20).toFixed(1)} MiB`);

export function registerRuns(program: Command, store = new RunStore()): void {
  const runs = program
    .command('runs')
    .description(`list the recorded runs kept in the run store (${store.dir})`)
    .action(() => {
      const list = store.list();
      if (list.length === 0) {
        process.stdout.write('no recorded runs (record one with --record)\n');
        return;
      }
      process.stdout.write(`${'ID'.padEnd(20)} ${'RECORDED'.padEnd(20)} ${'EXIT'.padEnd(8)} ${'SIZE'.padStart(10)}  COMMAND\n`);
      for (const r of list) {
        process.stdout.write(`${r.id.padEnd(20)} ${r.created.slice(0, 19).replace('T', ' ').padEnd(20)} ${r.status.padEnd(8)} ${size(r.size).padStart(10)}  ${r.args.join(' ')}\n`);
      }
    });
  runs
    .command('export')
    .description('write a run as one file that replays on another machine: its log with the module and snapshot it needs (the file holds the same secrets as the log)')
    .argument('<run>', 'a run log, or the id of a stored run')
    .argument('<file>', 'the file to write (mode 0600)')
    .action((run: string, file: string) => {
      try {
        store.export(run, file);
      } catch (e) {
        if (e instanceof RunStoreError) throw new CliError(`runs export: ${e.message}`, EXIT_ERROR);
        throw e;
      }
    });
  runs
    .command('rm')
    .description('remove recorded runs from the store (and the modules and snapshots no other run needs)')
    .argument('[ids...]', 'the runs to remove (ids or their prefixes)')
    .option('--all', 'remove every recorded run')
    .action((ids: string[], flags: { all?: boolean }) => {
      if (!flags.all && ids.length === 0) throw new CliError('runs rm: give the ids of the runs to remove, or --all', EXIT_ERROR);
      try {
        const removed = store.remove(flags.all ? store.list().map((r) => r.id) : ids);
        process.stdout.write(`removed ${removed.length} run${removed.length === 1 ? '' : 's'}\n`);
      } catch (e) {
        if (e instanceof RunStoreError) throw new CliError(`runs rm: ${e.message}`, EXIT_ERROR);
        throw e;
      }
    });
}
