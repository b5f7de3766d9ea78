// The Nx plugin of @pywasi/native-build: every directory with a native.json becomes a project whose
// targets are derived from it (see native-targets.ts and build-systems/). Registered in nx.json under "plugins".
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodesFromFiles, type CreateNodesV2 } from '@nx/devkit';
import { DESCRIPTOR_FILE, DescriptorError, validateDescriptor, type NativeDescriptor } from './descriptor.ts';
import { executorInputs, type ExecutorInput } from './executor-files.ts';
import { nativeProject, type PluginOptions, type ProjectLookup } from './native-targets.ts';

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
    const descriptors = new Map<string, NativeDescriptor>();
    const load = (file: string): NativeDescriptor => {
      let d = descriptors.get(file);
      if (!d) {
        let raw: unknown;
        try {
          raw = JSON.parse(readFileSync(join(root, file), 'utf8'));
        } catch (error) {
          throw new DescriptorError(`${file}: not valid JSON (${(error as Error).message})`);
        }
        descriptors.set(file, (d = validateDescriptor(file, raw)));
      }
      return d;
    };
    // A project may build another's tree (and prepares it, so it needs that pin), or read a
    // variant of another's build: descriptors by project name, indexed once per graph.
    let byName: Map<string, { d: NativeDescriptor; root: string }> | undefined;
    const projectNamed: ProjectLookup = (project) => {
      if (!byName) {
        byName = new Map();
        for (const file of files) {
          const projectRoot = dirname(file);
          try {
            const d = load(file);
            byName.set(d.name ?? basename(projectRoot), { d, root: projectRoot });
          } catch {
            // reported for its own file
          }
        }
      }
      return byName.get(project);
    };
    return createNodesFromFiles(
      (file) => {
        const projectRoot = dirname(file);
        const project = nativeProject(load(file), projectRoot, options ?? {}, inputsOf, projectNamed);
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
