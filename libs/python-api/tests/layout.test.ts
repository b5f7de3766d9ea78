// Where a build by name is found: beside the workspace's one without threads, else installed as
// @pywasi/python-<name>; and which build runs when none is named.
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from '@jest/globals';
import { buildPackageName, defaultBuild, defaultPythonDir, installedBuilds, pythonBuildDir } from '../src/layout.ts';

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

  test('with PYWASI_PYTHON_DIR, runs without a build named use it, and a build by name is beside it; a bad name is refused', () => {
    const base = path.join(scratch, 'dist', 'python');
    mkdirSync(`${base}-mine`, { recursive: true });
    const env = { PYWASI_PYTHON_DIR: base };
    expect(pythonBuildDir('mine', env)).toBe(`${base}-mine`);
    expect(pythonBuildDir('threads', env)).toBe(`${base}-threads`);
    expect(pythonBuildDir(undefined, env)).toBe(base);
    expect(defaultPythonDir(env)).toBe(base);
    expect(() => pythonBuildDir('../etc', env)).toThrow('"../etc" is not a build name (letters, digits and dashes, e.g. full)');
    // The old name of the build without threads, from when it was the default.
    expect(pythonBuildDir('default', env)).toBe(pythonBuildDir('no-threads', env));
    expect(buildPackageName('full')).toBe('@pywasi/python-full');
    expect(buildPackageName('no-threads')).toBe('@pywasi/python-no-threads');
  });

  test('the default build is the threads build on Node 22 and newer when it is there, else the one without threads', () => {
    const base = path.join(mkdtempSync(path.join(scratch, 'builds-')), 'python');
    const env = { PYWASI_PYTHON_DIR: base };
    const wasm = (build: string) => path.join(`${base}-${build}`, 'python.wasm');
    for (const build of ['threads', 'no-threads']) {
      mkdirSync(path.dirname(wasm(build)), { recursive: true });
      writeFileSync(wasm(build), '');
    }
    expect([defaultBuild(env, '22.0.0'), defaultBuild(env, '24.21.0'), defaultBuild(env, '20.20.2')]).toEqual(['threads', 'threads', 'no-threads']);
    unlinkSync(wasm('threads'));
    expect(defaultBuild(env, '24.21.0')).toBe('no-threads');
    // Neither there: the threads build, whose "not found" then says how to get it.
    unlinkSync(wasm('no-threads'));
    expect([defaultBuild(env, '24.21.0'), defaultBuild(env, '20.20.2')]).toEqual(['threads', 'no-threads']);
  });
});
