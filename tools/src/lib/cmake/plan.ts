// The commands of a CMake build: configure (Unix Makefiles, the toolchain file, the stage as the
// install prefix, the project's options), build with all cores, install into the stage.
import { join } from 'node:path';
import { fillAll, type CommandStep } from '../build-plan.ts';
import { fillPlaceholders } from '../toolchain-manifest.ts';

export interface CMakePlanInput {
  workspaceRoot: string;
  /** Workspace-relative, as the other paths. */
  sourceDir: string;
  buildDir: string;
  /** Install into it (CMAKE_INSTALL_PREFIX, then `cmake --install`); none: no install step. */
  stageDir?: string;
  /** Absolute; none for a build for this machine. */
  toolchainFile?: string;
  /** Cache entries, -D<name>=<value>; placeholders filled. */
  defines?: Record<string, string>;
  targets?: string[];
  /** The environment cmake runs with, resolved (the toolchain file has taken the compiler's). */
  env?: Record<string, string>;
}

export function planCMake(input: CMakePlanInput, values: Record<string, string>): CommandStep[] {
  const abs = (path: string) => join(input.workspaceRoot, path);
  const buildDir = abs(input.buildDir);
  const env = input.env ?? {};
  const defines = Object.entries(input.defines ?? {}).map(([key, value]) => `-D${key}=${fillPlaceholders(value, values)}`);
  const configure = [
    '-S', abs(input.sourceDir),
    '-B', buildDir,
    // Named: a CMAKE_GENERATOR in the caller's environment must not pick another.
    '-G', 'Unix Makefiles',
    ...(input.toolchainFile ? [`-DCMAKE_TOOLCHAIN_FILE=${input.toolchainFile}`] : []),
    ...(input.stageDir ? [`-DCMAKE_INSTALL_PREFIX=${abs(input.stageDir)}`] : []),
    ...defines,
  ];
  const targets = fillAll(input.targets, values);
  const steps: CommandStep[] = [
    { command: 'cmake', args: configure, cwd: buildDir, env },
    { command: 'cmake', args: ['--build', buildDir, '--parallel', values['jobs'] ?? '1', ...(targets.length ? ['--target', ...targets] : [])], cwd: buildDir, env },
  ];
  if (input.stageDir) steps.push({ command: 'cmake', args: ['--install', buildDir], cwd: buildDir, env });
  return steps;
}
