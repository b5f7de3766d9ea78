import { basename, join } from 'node:path';
import type { CommandStep } from './build-plan.ts';

export interface CLibraryPlanInput {
  projectDir: string;
  /** Absolute source paths, in a stable order. */
  sources: string[];
  includeDirs: string[];
  cflags: string[];
  sysroot: string;
  target: string;
  objDir: string;
  archive: string;
  cc: string;
  ar: string;
}

/** One compile per source, then one archive step; object names keep sources apart. */
export function planCLibrary(input: CLibraryPlanInput): { compiles: CommandStep[]; archive: CommandStep } {
  const objects: string[] = [];
  const compiles = input.sources.map((source, index) => {
    const object = join(input.objDir, `${String(index).padStart(3, '0')}-${basename(source, '.c')}.o`);
    objects.push(object);
    return {
      command: input.cc,
      args: [
        `--target=${input.target}`,
        `--sysroot=${input.sysroot}`,
        ...input.includeDirs.map((dir) => `-I${join(input.projectDir, dir)}`),
        ...input.cflags,
        '-c',
        source,
        '-o',
        object,
      ],
      cwd: input.projectDir,
      env: {},
    };
  });
  return {
    compiles,
    archive: { command: input.ar, args: ['rcs', input.archive, ...objects], cwd: input.projectDir, env: {} },
  };
}
