import { planAutotools } from './build-plan.ts';
import { fillPlaceholders, placeholderValues } from './toolchain-manifest.ts';
import type { LlvmToolchain } from './llvm-toolchain.ts';

const toolchain: LlvmToolchain = {
  major: 16,
  binDir: '/opt/llvm/bin',
  builtins: '/opt/llvm/builtins.a',
  versionId: 'clang version 16',
  cxx: { compiler: '/opt/llvm/bin/clang++', includeDir: '/opt/llvm/include/c++/v1', libDir: '/opt/llvm/lib/wasm32-wasi' },
  tools: {
    clang: '/opt/llvm/bin/clang',
    'wasm-ld': '/opt/llvm/bin/wasm-ld',
    'llvm-ar': '/opt/llvm/bin/llvm-ar',
    'llvm-ranlib': '/opt/llvm/bin/llvm-ranlib',
    'llvm-nm': '/opt/llvm/bin/llvm-nm',
    'llvm-strip': '/opt/llvm/bin/llvm-strip',
  },
};

describe('planAutotools', () => {
  const values = { ...placeholderValues(toolchain, '/ws', 'libs/zlib'), jobs: '2' };

  it('builds configure, make and install commands from options, filling placeholders', () => {
    const steps = planAutotools(
      {
        workspaceRoot: '/ws',
        sourceDir: 'build/zlib/src',
        buildDir: 'build/zlib/obj',
        configure: { args: ['--prefix={root}/dist/zlib', '--static'] },
        make: { targets: ['libz.a'], args: ['AR={ar}'] },
        install: { args: ['DESTDIR={project}/stage'] },
        env: { CC: '{cc}', CFLAGS: '-O2' },
      },
      values,
    );
    expect(steps.map((s) => [s.command, ...s.args])).toEqual([
      ['/ws/build/zlib/src/configure', '--prefix=/ws/dist/zlib', '--static'],
      ['make', '-j2', 'AR=/opt/llvm/bin/llvm-ar', 'libz.a'],
      ['make', 'DESTDIR=/ws/libs/zlib/stage', 'install'],
    ]);
    for (const step of steps) {
      expect(step.cwd).toBe('/ws/build/zlib/obj');
      expect(step.env).toEqual({ CC: '/opt/llvm/bin/clang', CFLAGS: '-O2' });
    }
  });

  it('runs make in the source tree when there is no build dir and no configure', () => {
    const steps = planAutotools({ workspaceRoot: '/ws', sourceDir: 'build/x/src', make: { targets: ['finish'] } }, values);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ command: 'make', args: ['-j2', 'finish'], cwd: '/ws/build/x/src' });
  });

  it("fills {target-flags} with the toolchain's wasm features, and with nothing when it has none", () => {
    const withFeatures = placeholderValues({ ...toolchain, targetFlags: ['-mbulk-memory', '-msign-ext'] }, '/ws', 'libs/zlib');
    expect(fillPlaceholders('{cc} --target=wasm32-wasi {target-flags}', withFeatures)).toBe('/opt/llvm/bin/clang --target=wasm32-wasi -mbulk-memory -msign-ext');
    expect(fillPlaceholders('EXTRA_CFLAGS=-O2 {target-flags}', values)).toBe('EXTRA_CFLAGS=-O2 ');
  });

  it('rejects an unknown placeholder, naming it and the known ones', () => {
    expect(() => fillPlaceholders('CC={compiler}', values)).toThrow(/unknown placeholder \{compiler\}.*\{cc\}/);
  });

  it('offers no toolchain placeholders to native builds', () => {
    const native = placeholderValues(undefined, '/ws', 'libs/cpython');
    expect(native['cc']).toBeUndefined();
    expect(() => fillPlaceholders('{cc}', native)).toThrow(/unknown placeholder/);
  });
});
