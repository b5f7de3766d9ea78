// The Nx plugin of @pywasi/native-build: every directory with a native.json becomes a project whose
// targets are derived from it (see native-targets.ts). Registered in nx.json under "plugins".
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodesFromFiles, type CreateNodesV2 } from '@nx/devkit';
import { DESCRIPTOR_FILE, DescriptorError, validateDescriptor } from './descriptor.ts';
import { executorInputs, type ExecutorInput } from './executor-files.ts';
import { nativeProject, type PluginOptions } from './native-targets.ts';

export type { PluginOptions } from './native-targets.ts';

/** The plugin's directory (where executors.json is), workspace-relative. */
const pluginDir = (workspaceRoot: string) => relative(workspaceRoot, join(dirname(fileURLToPath(import.meta.url)), '..', '..'));

export const createNodesV2: CreateNodesV2<PluginOptions> = [
  `**/${DESCRIPTOR_FILE}`,
  (files, options, context) => {
    const root = context.workspaceRoot;
    const inputsCache = new Map<string, ExecutorInput[]>();
    const inputsOf = (executor: string, packages: string[] = []) => {
      const key = [executor, ...packages].join(' ');
      let inputs = inputsCache.get(key);
      if (!inputs) inputsCache.set(key, (inputs = executorInputs(root, pluginDir(root), executor, packages)));
      return inputs;
    };
    return createNodesFromFiles(
      (file) => {
        const projectRoot = dirname(file);
        let raw: unknown;
        try {
          raw = JSON.parse(readFileSync(join(root, file), 'utf8'));
        } catch (error) {
          throw new DescriptorError(`${file}: not valid JSON (${(error as Error).message})`);
        }
        const project = nativeProject(validateDescriptor(file, raw), projectRoot, options ?? {}, inputsOf);
        return {
          projects: {
            [projectRoot]: { name: project.name, projectType: 'library', implicitDependencies: project.implicitDependencies, targets: project.targets, tags: project.tags },
          },
        };
      },
      files,
      options ?? {},
      context,
    );
  },
];

// Nx 21+ reads `createNodes` with the V2 signature; both names, one implementation.
export const createNodes = createNodesV2;
