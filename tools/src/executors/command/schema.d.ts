import type { SourceRequest } from '../../lib/pinned-source.ts';

export interface CommandExecutorOptions {
  /** Program and arguments, run in the workspace root; {root} and {project} are filled in. */
  command: string[];
  /** Workspace-relative file or directory the command writes (checked afterwards). */
  output: string;
  /** A second file or directory the command writes (checked too): a target output a
   * configuration can change, as {options.alsoWrites}. */
  alsoWrites?: string;
  /** Workspace-relative source tree the command reads. */
  sourceDir?: string;
  /** The pinned source sourceDir is made from, prepared before the command runs. */
  source?: SourceRequest;
}
