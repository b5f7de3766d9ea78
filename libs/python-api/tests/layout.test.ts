// Where a build by name is found: beside the default one, else installed as @pywasi/python-<name>.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from '@jest/globals';
import { buildPackageName, installedBuilds, pythonBuildDir } from '../src/layout.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-layout-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A project with packages installed as npm lays them out, and a module of its own to resolve from. */
function project(packages: Record<string, string[]>): string {
  const root = mkdtempSync(path.join(scratch, 'project-'));
  for (const [name, files] of Object.entries(packages)) {
    for (const file of files) {
      const at = path.join(root, 'node_modules', name, file);
      mkdirSync(path.dirname(at), { recursive: true });
      writeFileSync(at, '');
    }
  }
  mkdirSync(path.join(root, 'src'));
  return path.join(root, 'src', 'main.js');
}

describe('python builds by name', () => {
  test('installed builds are the @pywasi/python-<name> packages that hold a python/ directory', () => {
    const from = project({
      '@pywasi/python-full': ['package.json', 'python/python-resumable.wasm'],
      '@pywasi/python-sci': ['package.json', 'python/usr/local/lib/python311.zip'],
      '@pywasi/python-empty': ['package.json'],
      '@pywasi/host': ['package.json'],
      'python-other': ['python/python.wasm'],
    });
    const builds = installedBuilds(pathToFileURL(from));
    expect(Object.fromEntries(builds)).toEqual({
      full: path.join(path.dirname(from), '..', 'node_modules', '@pywasi', 'python-full', 'python'),
      sci: path.join(path.dirname(from), '..', 'node_modules', '@pywasi', 'python-sci', 'python'),
    });
  });

  test('the nearest installation wins, as Node resolves packages', () => {
    const outer = project({ '@pywasi/python-full': ['python/python.wasm'] });
    const inner = path.join(path.dirname(outer), 'nested', 'src', 'main.js');
    mkdirSync(path.join(path.dirname(outer), 'nested', 'node_modules', '@pywasi', 'python-full', 'python'), { recursive: true });
    mkdirSync(path.dirname(inner), { recursive: true });
    expect(installedBuilds(pathToFileURL(inner)).get('full')).toBe(path.join(path.dirname(outer), 'nested', 'node_modules', '@pywasi', 'python-full', 'python'));
  });

  test('a build beside the default directory is that directory; a bad name is refused', () => {
    const base = path.join(scratch, 'dist', 'python');
    mkdirSync(`${base}-mine`, { recursive: true });
    const env = { PYWASI_PYTHON_DIR: base };
    expect(pythonBuildDir('mine', env)).toBe(`${base}-mine`);
    expect(pythonBuildDir('default', env)).toBe(base);
    expect(pythonBuildDir(undefined, env)).toBe(base);
    expect(() => pythonBuildDir('../etc', env)).toThrow('"../etc" is not a build name (letters, digits and dashes, e.g. full)');
    expect(buildPackageName('full')).toBe('@pywasi/python-full');
  });
});
