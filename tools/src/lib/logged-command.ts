import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { BuildError } from './build-error.ts';

export interface LoggedCommand {
  command: string;
  args: readonly string[];
  cwd: string;
  /** Added to (and overriding) the inherited environment. */
  env?: Record<string, string>;
  /** Prefix of every echoed line, usually the Nx project name. */
  label: string;
  /** The full output goes here, appended; the console only shows it line by line. */
  logFile: string;
  /** Lines of output quoted in the error when the command fails. */
  tailLines?: number;
}

/** PYWASI_BUILD_VERBOSE=1 streams every line of build output to the console. */
const verbose = () => process.env['PYWASI_BUILD_VERBOSE'] === '1';
/** Without it, a progress line at most this often (a long make must show it is alive). */
const PROGRESS_EVERY_MS = 15_000;

/**
 * Runs a build command with its output written in full to a log file, and to the console only
 * the command, a progress line now and then, and a summary: Nx replays a cached task's console
 * output, so a no-op build stays quiet. A failure becomes a BuildError that quotes the last
 * lines and names the log, which is what one needs to act.
 */
export async function runLogged(step: LoggedCommand): Promise<void> {
  mkdirSync(dirname(step.logFile), { recursive: true });
  const log = createWriteStream(step.logFile, { flags: 'a' });
  const printable = [step.command, ...step.args].map(quoteForShell).join(' ');
  log.write(`\n$ (cd ${step.cwd} && ${printable})\n`);
  console.log(`[${step.label}] $ ${printable}`);

  const tail: string[] = [];
  const keep = step.tailLines ?? 40;
  const started = Date.now();
  let lines = 0;
  let lastProgress = started;
  const child = execa(step.command, step.args, {
    cwd: step.cwd,
    env: step.env,
    all: true,
    reject: false,
    stdin: 'ignore',
    buffer: false,
  });
  for await (const line of child.iterable({ from: 'all' })) {
    log.write(line + '\n');
    lines++;
    if (verbose()) console.log(`[${step.label}] ${line}`);
    else if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      console.log(`[${step.label}] ... ${seconds(started)}, ${lines} lines of output: ${line.length > 100 ? line.slice(0, 97) + '...' : line}`);
    }
    tail.push(line);
    if (tail.length > keep) tail.shift();
  }
  const result = await child;
  await new Promise<void>((resolve) => log.end(resolve));
  if (!result.failed) console.log(`[${step.label}] done in ${seconds(started)} (${lines} lines in ${step.logFile})`);

  if (result.failed) {
    const why = result.exitCode !== undefined ? `exit code ${result.exitCode}` : result.shortMessage;
    throw new BuildError(
      `${printable}\nfailed (${why}) in ${step.cwd}. Last ${tail.length} lines:\n` +
        tail.map((l) => `  | ${l}`).join('\n') +
        `\nFull log: ${step.logFile}`,
    );
  }
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** A word as sh reads it back: bare when safe, else single-quoted. */
export function quoteForShell(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Starts a target's log afresh, so it holds exactly the last run. */
export function startLog(logFile: string): void {
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, `# ${new Date().toISOString()}\n`);
}
