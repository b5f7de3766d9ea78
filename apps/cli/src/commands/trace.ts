// `pywasi trace RUN [network]`: a recorded run's calls, strace-style (@pywasi/host's traceLog).
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { LogFormatError, traceLog } from '@pywasi/host';
import { CliError } from '../cli-error.ts';
import { RunStore, RunStoreError } from '../run-store.ts';
import { EXIT_ERROR } from './run.ts';

export function registerTrace(program: Command, store = new RunStore()): void {
  program
    .command('trace')
    .description('print the host calls of a recorded run (--record), one line each with decoded arguments and results, as strace does')
    .argument('<run>', 'a run log, or the id of a stored run (`pywasi runs`)')
    .argument('[what]', "'network': only the socket calls and the reads, writes and closes of sockets; 'http': the HTTP/1.x requests and responses rebuilt from them", (v: string) => {
      if (v !== 'network' && v !== 'http') throw new InvalidArgumentError(`expected 'network' or 'http', got '${v}'`);
      return v;
    })
    .addOption(new Option('--format <format>', 'text, or json (one object per line)').choices(['text', 'json']).default('text'))
    .option('--no-times', 'leave out start times and durations (for traces compared as text)')
    .addHelpText(
      'after',
      `
A line: record number, seconds since the run began, the call with its arguments decoded (paths,
data cut at 48 bytes, addresses, clocks), "=" its result (0, or the errno and its name), "→" what
it gave back (an fd, bytes read, a time), and its duration in <>.

Examples:
  $ pywasi trace run.log
  $ pywasi trace run.log network --format json
  $ pywasi trace run.log http`,
    )
    .action((run: string, what: string | undefined, flags: { format: 'text' | 'json'; times: boolean }) => {
      if (what === 'http' && flags.format === 'json') throw new CliError('trace http prints text only: use `trace RUN network --format json` for the bytes', 2);
      let lines: string[];
      try {
        const { log } = store.resolve(run);
        lines = traceLog(readFileSync(log), log, { format: flags.format, filter: what === 'network' || what === 'http' ? what : 'all', times: flags.times });
      } catch (e) {
        if (e instanceof LogFormatError || e instanceof RunStoreError) throw new CliError(`trace: ${e.message}`, EXIT_ERROR);
        throw e;
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}
