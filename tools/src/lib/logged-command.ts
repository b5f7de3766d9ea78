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

/**
 * Runs a build command with its output streamed to the console (each line prefixed with the
 * label, so parallel Nx tasks stay readable) and written in full to a log file. A failure becomes
 * a BuildError that quotes the last lines and names the log, which is what one needs to act.
 */
export async function runLogged(step: LoggedCommand): Promise<void> {
  mkdirSync(dirname(step.logFile), { recursive: true });
  const log = createWriteStream(step.logFile, { flags: 'a' });
  const printable = [step.command, ...step.args].map(quoteForShell).join(' ');
  log.write(`\n$ (cd ${step.cwd} && ${printable})\n`);
  console.log(`[${step.label}] $ ${printable}`);

  const tail: string[] = [];
  const keep = step.tailLines ?? 40;
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
    console.log(`[${step.label}] ${line}`);
    tail.push(line);
    if (tail.length > keep) tail.shift();
  }
  const result = await child;
  await new Promise<void>((resolve) => log.end(resolve));

  if (result.failed) {
    const why = result.exitCode !== undefined ? `exit code ${result.exitCode}` : result.shortMessage;
    throw new BuildError(
      `${printable}\nfailed (${why}) in ${step.cwd}. Last ${tail.length} lines:\n` +
        tail.map((l) => `  | ${l}`).join('\n') +
        `\nFull log: ${step.logFile}`,
    );
  }
}

function quoteForShell(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Starts a target's log afresh, so it holds exactly the last run. */
export function startLog(logFile: string): void {
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, `# ${new Date().toISOString()}\n`);
}
