// The package.json that ships, made from the one the workspace uses. In the workspace a package
// points at its TypeScript sources and carries Nx's settings; published, it points at built files.
// As pnpm does, the `publishConfig` entries that name files replace the workspace's at pack time.
import { BuildError } from '../build-error.ts';

export type Manifest = Record<string, unknown> & { name?: unknown; version?: unknown };

/** Fields only the workspace needs. */
const WORKSPACE_ONLY = ['private', 'nx', 'scripts', 'devDependencies', 'workspaces'];
/** publishConfig fields that replace top-level ones; the rest (access, registry, tag) is npm's. */
const REPLACED_ON_PUBLISH = ['exports', 'main', 'module', 'types', 'typings', 'bin', 'engines'];

export function publishManifest(source: Manifest, file: string): Manifest & { name: string; version: string } {
  if (typeof source.name !== 'string' || !source.name) throw new BuildError(`${file} has no "name"`);
  if (typeof source.version !== 'string' || !/^\d+\.\d+\.\d+/.test(source.version)) throw new BuildError(`${file}: "version" must be a semver version, not ${JSON.stringify(source.version)}`);
  const manifest: Manifest = { ...source };
  for (const field of WORKSPACE_ONLY) delete manifest[field];
  const publishConfig = { ...((source['publishConfig'] as Record<string, unknown> | undefined) ?? {}) };
  for (const field of REPLACED_ON_PUBLISH) {
    if (field in publishConfig) {
      manifest[field] = publishConfig[field];
      delete publishConfig[field];
    }
  }
  if (Object.keys(publishConfig).length) manifest['publishConfig'] = publishConfig;
  else delete manifest['publishConfig'];
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries((manifest[field] as Record<string, string> | undefined) ?? {})) {
      if (/^(file|link|workspace):/.test(range)) throw new BuildError(`${file}: ${field}.${dep} is "${range}", which an installed package cannot resolve: give a version`);
    }
  }
  return manifest as Manifest & { name: string; version: string };
}

/** Every package-relative file the manifest names as an entry point (exports, main, types, bin). */
export function entryFiles(manifest: Manifest): string[] {
  const files = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string') {
      if (!value.includes('*')) files.add(value.replace(/^\.\//, ''));
    } else if (value && typeof value === 'object') {
      for (const inner of Object.values(value)) add(inner);
    }
  };
  for (const field of ['exports', 'main', 'module', 'types', 'typings', 'bin']) add(manifest[field]);
  return [...files].sort();
}
