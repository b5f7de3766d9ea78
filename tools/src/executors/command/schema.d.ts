import type { SourceRequest } from '../../lib/pinned-source.ts';

export interface CommandExecutorOptions {
  /** Program and arguments, run in the workspace root; {root} and {project} are filled in. */
  command: string[];
  /** Workspace-relative file or directory the command writes (checked afterwards). */
  output: string;
  /** Workspace-relative source tree the command reads. */
  sourceDir?: string;
  /** The pinned source sourceDir is made from, prepared before the command runs. */
  source?: SourceRequest;
}
