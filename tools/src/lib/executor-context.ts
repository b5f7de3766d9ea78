import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { BuildError } from './build-error.ts';

/** What an executor needs from Nx's context: names and absolute places. */
export interface TargetPlaces {
  label: string;
  workspaceRoot: string;
  /** Project root relative to the workspace, as Nx gives it. */
  projectRoot: string;
  /** Absolute path of a workspace-relative path. */
  abs(path: string): string;
  /** Log file of this target: build/logs/<project>-<target>.log. */
  logFile: string;
}

export function targetPlaces(context: ExecutorContext): TargetPlaces {
  const name = context.projectName;
  const project = name ? context.projectsConfigurations?.projects[name] : undefined;
  if (!name || !project) throw new BuildError('this executor must run as a target of an Nx project');
  const workspaceRoot = context.root;
  return {
    label: name,
    workspaceRoot,
    projectRoot: project.root,
    abs: (path: string) => join(workspaceRoot, path),
    logFile: join(workspaceRoot, 'build', 'logs', `${name}-${context.targetName ?? 'target'}.log`),
  };
}
