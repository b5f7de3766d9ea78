// A python build with a chosen set of compiled packages built in (`pywasi build --with`). Its Nx
// project is derived from the full build's (libs/python-full/project.json): the same link,
// optimize and build targets, with its own package list and its own output directory. So a custom
// build links from the pieces the Nx cache already holds (CPython, the SDK, each package), and it
// can never drift from the way the full build is made. The template's configurations come along:
// `-c threads` links the threads CPython with the packages' threads builds into
// dist/python-<name>-threads (the build `<name>-threads`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Project = { [key: string]: Json };

/** The project every composed build is derived from, and where derived ones are written. */
export const TEMPLATE_PROJECT = 'libs/python-full/project.json';
const TEMPLATE_NAME = 'full';
export const COMPOSED_BUILDS_DIR = 'builds';
/** Targets of the template that are about publishing it, which a local build has no use for. */
const PUBLISHING_TARGETS = ['pack', 'nx-release-publish'];

/** The compiled packages this clone can build into python.wasm: libs/python-packages/<project>
 * with a native.json of the python-package build system. */
export function buildablePackages(root: string): string[] {
  const dir = path.join(root, 'libs', 'python-packages');
  return readdirSync(dir)
    .filter((name) => {
      const file = path.join(dir, name, 'native.json');
      if (!existsSync(file)) return false;
      const build = (JSON.parse(readFileSync(file, 'utf8')) as { build?: { system?: string } }).build;
      return build?.system === 'python-package';
    })
    .sort();
}

/** For each buildable package, the other packages it is built on (the python-package projects
 * its native.json links: pandas is built on numpy and imports it), which a build with it needs
 * built in too. */
export function packageLinks(root: string, known: string[]): Record<string, string[]> {
  return Object.fromEntries(
    known.map((name) => {
      const file = path.join(root, 'libs', 'python-packages', name, 'native.json');
      const links = (JSON.parse(readFileSync(file, 'utf8')) as { links?: string[] }).links ?? [];
      return [name, links.filter((l) => known.includes(l))];
    }),
  );
}

/** The build's name when none is given: the packages it has, e.g. with-numpy-pyyaml. */
export const defaultBuildName = (packages: string[]): string => `with-${[...packages].sort().join('-')}`;

/** The configuration of a composed project that links the threads build, and what its build is called. */
export const THREADS_CONFIGURATION = 'threads';
export const threadsBuildName = (name: string): string => `${name}-${THREADS_CONFIGURATION}`;

/**
 * The Nx project of the build `name` with `packages` built in, from the template project. Every
 * list naming the template's packages (its dependencies and the link command's --package
 * arguments) names these instead; every path of the template's build names this build's.
 */
export function composedBuildProject(template: Project, name: string, packages: string[], known: string[]): Project {
  const isPackage = (value: Json): boolean => typeof value === 'string' && known.includes(value);
  // python-full/ and a configuration's python-full-threads/.
  const templateDirs = new RegExp(`python-${TEMPLATE_NAME}(-[a-z]+)?/`, 'g');
  const renamePath = (value: string): string => value.replace(templateDirs, (_all, variant: string | undefined) => `python-${name}${variant ?? ''}/`);
  const rewrite = (value: Json, key?: string): Json => {
    if (Array.isArray(value)) {
      if (key === 'command') return composedCommand(value.map((v) => (typeof v === 'string' ? renamePath(v) : v)), packages, known);
      if (value.some(isPackage)) return [...value.filter((v) => !isPackage(v)), ...packages];
      return value.map((v) => rewrite(v));
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !(key === 'targets' && PUBLISHING_TARGETS.includes(k)))
          .map(([k, v]) => [k, rewrite(v, k)]),
      );
    }
    return typeof value === 'string' ? renamePath(value) : value;
  };
  const project = rewrite(template) as Project;
  project['name'] = `python-${name}`;
  return project;
}

/** The link command with one `--package dist/libs/<project>` per package, where the template's
 * were; in a configuration whose packages are their variant's (dist/libs/<project>-threads), the
 * same variant's. */
function composedCommand(command: Json[], packages: string[], known: string[]): Json[] {
  const first = command.indexOf('--package');
  if (first < 0) throw new Error(`${TEMPLATE_PROJECT}: the link command has no --package argument to put the packages at`);
  const given = String(command[first + 1]);
  const pkg = known.filter((p) => given.startsWith(`dist/libs/${p}`)).sort((a, b) => b.length - a.length)[0];
  if (pkg === undefined) throw new Error(`${TEMPLATE_PROJECT}: the link command's --package ${given} is not dist/libs/<package>`);
  const suffix = given.slice(`dist/libs/${pkg}`.length);
  const rest: Json[] = [];
  for (let i = first; i < command.length; i++) {
    if (command[i] === '--package') i++;
    else rest.push(command[i]!);
  }
  return [...command.slice(0, first), ...packages.flatMap((p) => ['--package', `dist/libs/${p}${suffix}`]), ...rest];
}

/** Where the project of the build `name` is written, workspace-relative. */
export const composedProjectFile = (name: string): string => path.join(COMPOSED_BUILDS_DIR, `python-${name}`, 'project.json');
