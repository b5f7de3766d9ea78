import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';

export const workspaceRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

export interface NxRun {
  ok: boolean;
  seconds: number;
  output: string;
}

/**
 * Runs Nx in the workspace as a user would, without the daemon, and reports how it went.
 * The output is plain text whatever the caller's terminal settings (a CI may force colour),
 * so tests can match Nx's status lines.
 */
export async function tryNx(args: string[], env: Record<string, string> = {}): Promise<NxRun> {
  const started = Date.now();
  const result = await execa('npx', ['nx', ...args, '--output-style=stream'], {
    cwd: workspaceRoot,
    env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0', NO_COLOR: '1', ...env },
    all: true,
    reject: false,
  });
  return { ok: !result.failed, seconds: (Date.now() - started) / 1000, output: stripVTControlCharacters(result.all ?? '') };
}

/** Like tryNx, but a failure fails the test with the end of Nx's output. */
export async function runNx(args: string[], env: Record<string, string> = {}): Promise<NxRun> {
  const run = await tryNx(args, env);
  if (!run.ok) throw new Error(`nx ${args.join(' ')} failed:\n${run.output.slice(-4000)}`);
  return run;
}
