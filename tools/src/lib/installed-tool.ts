import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A host tool the machine may already have at exactly the pinned version: CPython's build python
 * is Debian's /usr/bin/python3.11 when both are 3.11.2, and building it again only costs minutes.
 * The build directory then holds a one-line wrapper instead of a build; everything that runs
 * `{build:<project>}/<file>` runs the installed tool.
 */
export interface InstalledTool {
  /** Absolute paths or command names, tried in order. */
  candidates: string[];
  /** Arguments that make a candidate print its version alone on stdout. */
  versionArgs: string[];
  /** The pinned source's version: a candidate that prints anything else is not used. */
  version: string;
  /** The wrapper's name in the build directory (what dependents run). */
  file: string;
}

/** Set to build the tool from its source even when the machine has it (an Nx input of the target). */
export const FROM_SOURCE_ENV = 'PYWASI_BUILD_TOOLS_FROM_SOURCE';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The shell line an Nx `runtime` input runs for the target's hash, on every graph computation:
 * what each candidate prints and the size and time of the file it resolves to, up to the first
 * that prints the pinned version (the one used; later ones are not run: a version manager's shim
 * on PATH costs ~0.4 s). A changed tool (a package upgrade) is a new hash, a missing one too.
 */
export function installedToolProbe(tool: Pick<InstalledTool, 'candidates' | 'versionArgs' | 'version'>): string {
  const args = tool.versionArgs.map(quote).join(' ');
  return (
    `for c in ${tool.candidates.map(quote).join(' ')}; do ` +
    `p=$(command -v "$c") || { echo "$c missing"; continue; }; ` +
    `v=$("$p" ${args} 2>&1); echo "$p $v $(stat -L -c '%s %Y' "$p")"; ` +
    `[ "$v" = ${quote(tool.version)} ] && break; done; true`
  );
}

/** The first candidate that prints exactly `tool.version`; `seen` says what the others printed. */
export async function findInstalledTool(tool: InstalledTool): Promise<{ path?: string; seen: string[] }> {
  // Loaded here: the plugin imports this file for the probe alone, on every graph computation.
  const { execa } = await import('execa');
  const seen: string[] = [];
  for (const candidate of tool.candidates) {
    const where = await execa('sh', ['-c', `command -v "$1"`, 'sh', candidate], { reject: false });
    const path = where.stdout.trim();
    if (where.exitCode !== 0 || !path) {
      seen.push(`${candidate}: not installed`);
      continue;
    }
    const probe = await execa(path, tool.versionArgs, { reject: false, timeout: 20_000 });
    const version = probe.stdout.trim();
    if (probe.exitCode === 0 && version === tool.version) return { path, seen };
    seen.push(`${path}: ${probe.exitCode === 0 ? version : `failed (${probe.shortMessage})`}`);
  }
  return { seen };
}

/** What the Nx probe says of one tool: written into its wrapper. */
export async function toolIdentity(path: string, tool: Pick<InstalledTool, 'versionArgs' | 'version'>): Promise<string> {
  const { execa } = await import('execa');
  return (await execa('sh', ['-c', installedToolProbe({ ...tool, candidates: [path] })], { reject: false })).stdout.trim();
}

/** Makes `dir` hold only the wrapper that runs `path` (with the probe's identity in a comment,
 * so a changed tool changes the file dependents hash). */
export function writeToolWrapper(dir: string, file: string, path: string, identity: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const wrapper = join(dir, file);
  writeFileSync(wrapper, `#!/bin/sh\n# the machine's own, at the pinned version: ${identity.replace(/\n/g, ' ')}\nexec ${quote(path)} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}
