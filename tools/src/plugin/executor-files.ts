// The files an executor runs: its executor.ts and schema, and every local module they import,
// followed transitively. A target hashes exactly these, so editing one executor re-runs only the
// targets that use it (not every native target, as hashing all of tools/src did).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// `import ... from './x.ts'`, `export ... from '../y.ts'`, `import('./z.ts')`, and a module started
// as a child process, `new URL('./main.ts', import.meta.url)`: relative specifiers only.
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bnew URL\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

// Bare specifiers of npm packages (not node: builtins), static or dynamic.
const PACKAGE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]((?:@[\w.-]+\/)?[a-z0-9][\w.-]*)(?:\/[^'"]*)?['"]/g;

export interface ModuleGraph {
  /** Workspace-relative paths of the local modules, the entry included, sorted. */
  files: string[];
  /** The npm packages they import, sorted. */
  packages: string[];
}

/** The local modules `entry` loads, followed transitively, and the npm packages they import. */
export function localModuleGraph(workspaceRoot: string, entry: string): ModuleGraph {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pending = [resolve(workspaceRoot, entry)];
  for (let file = pending.pop(); file; file = pending.pop()) {
    if (seen.has(file)) continue;
    if (!existsSync(file)) throw new Error(`${relative(workspaceRoot, file)} is imported but does not exist`);
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(RELATIVE_IMPORT)) pending.push(resolve(dirname(file), match[1]!));
    for (const match of text.matchAll(PACKAGE_IMPORT)) packages.add(match[1]!);
  }
  return { files: [...seen].map((f) => relative(workspaceRoot, f)).sort(), packages: [...packages].sort() };
}

interface ExecutorsJson {
  executors: Record<string, { implementation: string; schema: string }>;
}

export type ExecutorInput = string | { externalDependencies: string[] };

/**
 * The Nx inputs naming every file executor `name` of the plugin at `pluginDir` runs, and the npm
 * packages it imports (declared, Nx would hash every package of the lock file for a local
 * executor: any `npm install` would rebuild everything), plus `packages` the caller adds.
 * executors.json itself is not one: these files are read from its entry, so re-pointing the entry
 * changes them, and hashing the whole file would rebuild every target when an executor is added.
 */
export function executorInputs(workspaceRoot: string, pluginDir: string, name: string, packages: string[] = []): ExecutorInput[] {
  const manifest = join(pluginDir, 'executors.json');
  const entry = (JSON.parse(readFileSync(join(workspaceRoot, manifest), 'utf8')) as ExecutorsJson).executors[name];
  if (!entry) throw new Error(`${manifest} has no executor "${name}"`);
  const graph = localModuleGraph(workspaceRoot, join(pluginDir, entry.implementation));
  const files = [...new Set([join(pluginDir, entry.schema), ...graph.files])].map((f) => `{workspaceRoot}/${f}`);
  return [...files, { externalDependencies: [...new Set([...graph.packages, ...packages])].sort() }];
}
