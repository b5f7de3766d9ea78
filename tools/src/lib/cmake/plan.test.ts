import { parseCMakeVersion } from './cmake-program.ts';
import { planCMake } from './plan.ts';

describe('planCMake', () => {
  const values = { root: '/ws', project: '/ws/libs/demo', jobs: '2', ar: '/llvm/bin/llvm-ar' };

  test('configure with the toolchain file, the stage as prefix and the options; build on all cores; install', () => {
    const steps = planCMake(
      {
        workspaceRoot: '/ws',
        sourceDir: 'build/demo/src',
        buildDir: 'build/demo/build',
        stageDir: 'build/demo/stage',
        toolchainFile: '/ws/build/demo/build/pywasi-toolchain/wasm32-wasi.cmake',
        defines: { ENABLE_SHARED: 'OFF', EXTRA: '{project}/extra.cmake' },
        env: { PKG_CONFIG_LIBDIR: '/ws/dist/libs/zlib/lib/pkgconfig' },
      },
      values,
    );
    expect(steps.map((s) => [s.command, ...s.args])).toEqual([
      [
        'cmake', '-S', '/ws/build/demo/src', '-B', '/ws/build/demo/build', '-G', 'Unix Makefiles',
        '-DCMAKE_TOOLCHAIN_FILE=/ws/build/demo/build/pywasi-toolchain/wasm32-wasi.cmake',
        '-DCMAKE_INSTALL_PREFIX=/ws/build/demo/stage', '-DENABLE_SHARED=OFF', '-DEXTRA=/ws/libs/demo/extra.cmake',
      ],
      ['cmake', '--build', '/ws/build/demo/build', '--parallel', '2'],
      ['cmake', '--install', '/ws/build/demo/build'],
    ]);
    for (const step of steps) expect(step).toMatchObject({ cwd: '/ws/build/demo/build', env: { PKG_CONFIG_LIBDIR: '/ws/dist/libs/zlib/lib/pkgconfig' } });
  });

  test('named targets are built; without a stage nothing is installed; for this machine there is no toolchain file', () => {
    const steps = planCMake({ workspaceRoot: '/ws', sourceDir: 's', buildDir: 'b', targets: ['jpeg-static'] }, values);
    expect(steps.map((s) => s.args.join(' '))).toEqual(['-S /ws/s -B /ws/b -G Unix Makefiles', '--build /ws/b --parallel 2 --target jpeg-static']);
  });

  test('an unknown placeholder in an option is named', () => {
    expect(() => planCMake({ workspaceRoot: '/ws', sourceDir: 's', buildDir: 'b', defines: { X: '{nope}' } }, values)).toThrow(/unknown placeholder \{nope\}/);
  });
});

test('parseCMakeVersion reads the first line of `cmake --version`', () => {
  expect(parseCMakeVersion('cmake version 3.25.1\n\nCMake suite maintained and supported by Kitware (kitware.com/cmake).')).toEqual([3, 25, 1]);
  expect(parseCMakeVersion('cmake version 4.0')).toEqual([4, 0, 0]);
  expect(parseCMakeVersion('bash: cmake: command not found')).toBeUndefined();
});
