import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { BuildError } from './build-error.ts';

/**
 * Copies a finished build product (file or directory) to its published place so that the place
 * holds either the previous good product or the new one, never a mix: copy next to it, then swap.
 */
export function publish(from: string, to: string): void {
  if (!existsSync(from)) throw new BuildError(`the build did not produce ${from}`);
  const incoming = `${to}.incoming-${process.pid}`;
  const outgoing = `${to}.outgoing-${process.pid}`;
  rmSync(incoming, { recursive: true, force: true });
  cpSync(from, incoming, { recursive: true, preserveTimestamps: true });
  if (existsSync(to)) renameSync(to, outgoing);
  renameSync(incoming, to);
  rmSync(outgoing, { recursive: true, force: true });
}
