import { describe, expect, test } from '@jest/globals';
import { BuildError } from '../build-error.ts';
import { entryFiles, publishManifest } from './manifest.ts';

const workspaceManifest = {
  name: '@scope/lib',
  version: '1.2.3',
  private: true,
  type: 'module',
  exports: { '.': './src/index.ts' },
  dependencies: { '@scope/other': '1.2.3' },
  devDependencies: { jest: '^30' },
  scripts: { test: 'jest' },
  publishConfig: { exports: { '.': { types: './index.d.ts', default: './index.js' } }, engines: { node: '>=22' }, access: 'public' },
  nx: { targets: {} },
};

describe('publishManifest', () => {
  test('publishConfig names the built files; workspace-only fields go; npm keeps its own publishConfig', () => {
    expect(publishManifest(workspaceManifest, 'p.json')).toEqual({
      name: '@scope/lib',
      version: '1.2.3',
      type: 'module',
      exports: { '.': { types: './index.d.ts', default: './index.js' } },
      engines: { node: '>=22' },
      dependencies: { '@scope/other': '1.2.3' },
      publishConfig: { access: 'public' },
    });
  });

  test('a dependency an installed package cannot resolve is refused, naming it', () => {
    expect(() => publishManifest({ ...workspaceManifest, dependencies: { '@scope/other': 'file:../other' } }, 'p.json')).toThrow(
      new BuildError('p.json: dependencies.@scope/other is "file:../other", which an installed package cannot resolve: give a version'),
    );
  });

  test('a missing name or a version that is not semver is refused', () => {
    expect(() => publishManifest({ version: '1.0.0' }, 'p.json')).toThrow('p.json has no "name"');
    expect(() => publishManifest({ name: 'x', version: 'latest' }, 'p.json')).toThrow('p.json: "version" must be a semver version, not "latest"');
  });
});

describe('entryFiles', () => {
  test('every file exports, types and bin name, conditions included; patterns are not files', () => {
    expect(entryFiles({ exports: { '.': { types: './index.d.ts', default: './index.js' }, './data/*': './data/*' }, bin: { tool: 'bin/tool.js' } })).toEqual(['bin/tool.js', 'index.d.ts', 'index.js']);
  });
});
