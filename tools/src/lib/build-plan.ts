import { join } from 'node:path';
import { fillPlaceholders } from './toolchain-manifest.ts';

/** One command of a build, fully resolved: what the log shows and what unit tests check. */
export interface CommandStep {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export function fillAll(words: readonly string[] | undefined, values: Record<string, string>): string[] {
  return (words ?? []).map((w) => fillPlaceholders(w, values));
}

export function fillEnv(env: Record<string, string> | undefined, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, fillPlaceholders(v, values)]));
}

export interface AutotoolsPlanInput {
  workspaceRoot: string;
  sourceDir: string;
  buildDir?: string;
  configure?: { script?: string; args?: string[] };
  make?: { targets?: string[]; args?: string[] };
  install?: { targets?: string[]; args?: string[] };
  env?: Record<string, string>;
}

/** The configure / make / make install commands that an autotools target runs, in order. */
export function planAutotools(input: AutotoolsPlanInput, values: Record<string, string>): CommandStep[] {
  const sourceDir = join(input.workspaceRoot, input.sourceDir);
  const cwd = input.buildDir ? join(input.workspaceRoot, input.buildDir) : sourceDir;
  const env = fillEnv(input.env, values);
  const steps: CommandStep[] = [];
  if (input.configure) {
    steps.push({
      command: join(sourceDir, input.configure.script ?? 'configure'),
      args: fillAll(input.configure.args, values),
      cwd,
      env,
    });
  }
  steps.push({
    command: 'make',
    args: [`-j${values['jobs'] ?? '1'}`, ...fillAll(input.make?.args, values), ...fillAll(input.make?.targets, values)],
    cwd,
    env,
  });
  if (input.install) {
    steps.push({
      command: 'make',
      args: [...fillAll(input.install.args, values), ...fillAll(input.install.targets ?? ['install'], values)],
      cwd,
      env,
    });
  }
  return steps;
}
