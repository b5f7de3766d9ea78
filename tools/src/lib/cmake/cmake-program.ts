// The cmake a CMake build runs: the machine's, from its package manager (Debian's `cmake`;
// .ci/install-packages installs it), at least the version whose command line the plan uses.
import { execa } from 'execa';
import { BuildError } from '../build-error.ts';

/** `cmake --install`, `--build --target a b` and `list(PREPEND)` are CMake 3.15's. */
export const MIN_CMAKE: readonly [number, number] = [3, 15];

/** The version `cmake --version` prints first ("cmake version 3.25.1"), or undefined. */
export function parseCMakeVersion(output: string): [number, number, number] | undefined {
  const match = /^cmake version (\d+)\.(\d+)(?:\.(\d+))?/m.exec(output);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

/** Fails with what to install when there is no cmake, or one too old for the plan. */
export async function requireCMake(label: string): Promise<string> {
  const install = 'install it with `apt-get install cmake` (Debian, Ubuntu; .ci/install-packages does)';
  const probe = await execa('cmake', ['--version'], { reject: false });
  if (probe.failed && probe.exitCode === undefined) throw new BuildError(`cmake is not installed: ${label} is a CMake project; ${install}`);
  const version = parseCMakeVersion(probe.stdout);
  if (!version) throw new BuildError(`\`cmake --version\` printed no version (exit ${probe.exitCode}): ${probe.stdout || probe.stderr}`);
  const [major, minor] = version;
  if (major < MIN_CMAKE[0] || (major === MIN_CMAKE[0] && minor < MIN_CMAKE[1])) {
    throw new BuildError(`cmake ${version.join('.')} is too old for ${label}: the build needs ${MIN_CMAKE.join('.')} or newer; ${install}`);
  }
  return version.join('.');
}
