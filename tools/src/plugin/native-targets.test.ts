// The plugin's derivation, descriptor -> targets, checked on small descriptors; and the real
// workspace: every project.json target run by one of our executors hashes exactly its files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { globSync } from 'tinyglobby';
import { DescriptorError, validateDescriptor, type NativeDescriptor } from './descriptor.ts';
import { executorInputs, localModuleGraph } from './executor-files.ts';
import { nativeProject } from './native-targets.ts';
import { fillPaths, placesOf } from './targets/context.ts';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..');
const fakeInputs = (executor: string) => [`{workspaceRoot}/tools/src/executors/${executor}/executor.ts`];
const pin = { name: 'demo', version: '1.0', sha256: 'a'.repeat(64), debian: { package: 'demo', version: '1.0-1', file: 'demo_1.0.orig.tar.gz' } };

type Options = Record<string, any>;
const optionsOf = (d: NativeDescriptor, target: string, root = 'libs/demo'): Options => nativeProject(d, root, {}, fakeInputs).targets[target]!.options as Options;

describe('an autotools library', () => {
  const d: NativeDescriptor = {
    source: pin,
    links: ['zlib'],
    build: { system: 'autotools', configure: { args: ['--disable-shared'] }, make: { targets: ['all'] }, install: {}, files: { 'demo.pc': 'lib/pkgconfig/demo.pc' } },
  };
  const project = nativeProject(d, 'libs/demo', {}, fakeInputs);

  test('gets a source and a build target, and waits for the toolchain, the sysroot and its links', () => {
    expect(Object.keys(project.targets)).toEqual(['source', 'build', 'pack']);
    expect(project.implicitDependencies).toEqual(['toolchain', 'wasi-libc', 'zlib']);
    // The build prepares its tree itself (a cache hit then runs no source step): no source task.
    expect(project.targets['build']!.dependsOn).toEqual([{ projects: ['toolchain', 'wasi-libc', 'zlib'], target: 'build' }]);
    expect(optionsOf(d, 'build')['source']).toEqual({ pin: { name: 'demo', version: '1.0', sha256: 'a'.repeat(64), debian: pin.debian }, patchesDir: 'libs/demo/patches' });
  });

  test('is packed for builders outside the workspace: <name>-<version>-wasm32-wasi.tar.gz from its output', () => {
    const pack = project.targets['pack']!;
    expect(pack.dependsOn).toEqual(['build']);
    expect(pack.outputs).toEqual(['{workspaceRoot}/dist/packages/wasm32-wasi/demo-1.0-wasm32-wasi.tar.gz']);
    expect(pack.options).toEqual({ from: 'dist/libs/demo', name: 'demo', version: '1.0', target: 'wasm32-wasi', outputPath: 'dist/packages/wasm32-wasi' });
  });

  test('the cross environment is derived, with absolute paths (a recursive make compiles in subdirectories)', () => {
    const o = optionsOf(d, 'build');
    expect(o['buildDir']).toBe('build/demo/build');
    expect(o['env']).toMatchObject({
      CC: '{cc} --target=wasm32-wasi {target-flags} --sysroot={root}/dist/libs/wasi-libc/sysroot',
      AR: '{ar}',
      CFLAGS: '-O2 -DNDEBUG',
      CPPFLAGS: '-I{root}/dist/libs/zlib/include',
      LDFLAGS: '-L{root}/dist/libs/zlib/lib',
      PKG_CONFIG_LIBDIR: '{root}/dist/libs/zlib/lib/pkgconfig',
      PKG_CONFIG_PATH: '',
    });
    expect(o['configure'].args).toEqual(['--disable-shared', '--host=wasm32-unknown-wasi', '--prefix={root}/build/demo/stage']);
    expect(o['publish']).toEqual([
      { from: 'build/demo/stage', to: 'dist/libs/demo' },
      { from: 'libs/demo/demo.pc', to: 'dist/libs/demo/lib/pkgconfig/demo.pc' },
    ]);
    // The cached output is the configuration's own (a threads variant publishes elsewhere).
    expect(project.targets['build']!.outputs).toEqual(['{options.outputPath}']);
    expect(o['outputPath']).toBe('dist/libs/demo');
  });

  test('inputs: its files, what it reads of other projects, and only its executor', () => {
    const inputs = project.targets['build']!.inputs!;
    expect(inputs).toContain('native');
    expect(inputs).toContainEqual({ dependentTasksOutputFiles: '**/*.a', transitive: true });
    expect(inputs).toContain('{workspaceRoot}/tools/src/executors/autotools/executor.ts');
    expect(inputs).not.toContain('^native'); // test code importing another project must not rebuild C
    expect(project.targets['source']!.inputs).toEqual(['{projectRoot}/patches/*.patch', '{workspaceRoot}/tools/src/executors/source/executor.ts']);
    expect(inputs.filter((i) => typeof i === 'object' && 'projects' in i)).toEqual([]); // its own tree: its own files
  });

  test('a build that makes archives only reads its links\' headers, not their archives: their code can change without rebuilding it', () => {
    const archivesOnly = nativeProject({ ...d, build: { ...(d.build as object), archivesOnly: true } as NativeDescriptor['build'] }, 'libs/demo', {}, fakeInputs);
    const inputs = archivesOnly.targets['build']!.inputs!;
    expect(inputs).not.toContainEqual({ dependentTasksOutputFiles: '**/*.a', transitive: true });
    expect(inputs).toContainEqual({ dependentTasksOutputFiles: '**/*.h', transitive: true });
    expect(inputs).toContainEqual({ dependentTasksOutputFiles: '**/*.pc', transitive: true });
    const cLibrary = nativeProject({ version: '1.0', links: ['zlib'], build: { system: 'c-library', sources: ['src/*.c'], libName: 'demo' } }, 'libs/demo', {}, fakeInputs);
    expect(cLibrary.targets['build']!.inputs).not.toContainEqual({ dependentTasksOutputFiles: '**/*.a', transitive: true });
    expect(cLibrary.targets['build']!.inputs).toContainEqual({ dependentTasksOutputFiles: '**/*.h', transitive: true });
  });

  test('a descriptor env value replaces a derived one, and null removes it', () => {
    const o = optionsOf({ ...d, build: { ...d.build!, env: { CFLAGS: null, CONFIG_SITE: '{src}/site' } } as NativeDescriptor['build'] }, 'build');
    expect(o['env']).not.toHaveProperty('CFLAGS');
    expect(o['env']['CONFIG_SITE']).toBe('../src/site');
  });
});

describe('a CMake library', () => {
  const d: NativeDescriptor = {
    source: pin,
    links: ['zlib'],
    build: {
      system: 'cmake',
      defines: { ENABLE_SHARED: 'OFF', EXTRA: '{abs:src}/extra.cmake', DATA: '{src}/data' },
      install: {},
      env: { CFLAGS: '-O2 -DNDEBUG -mexception-handling', PKG_CONFIG_PATH: null },
      files: { 'demo.pc': 'lib/pkgconfig/demo.pc' },
    },
  };
  const project = nativeProject(d, 'libs/demo', {}, fakeInputs);
  const build = project.targets['build']!;
  const o = build.options as Options;

  test('one cached build target run by the cmake executor, packed like any library, after the toolchain, the sysroot and its links', () => {
    expect(Object.keys(project.targets)).toEqual(['source', 'build', 'pack']);
    expect(build.executor).toBe('@pywasi/native-build:cmake');
    expect(build.dependsOn).toEqual([{ projects: ['toolchain', 'wasi-libc', 'zlib'], target: 'build' }]);
    expect(build.outputs).toEqual(['{options.outputPath}']);
    expect(o['outputPath']).toBe('dist/libs/demo');
    expect(build.metadata?.['description']).toBe('CMake configure + build + install of demo for wasm32-wasi, published to dist/libs/demo');
  });

  test("the cross environment autotools gets, with the descriptor's changes; the linked libraries are CMake's find roots", () => {
    expect(o['env']).toEqual({
      CC: '{cc} --target=wasm32-wasi {target-flags} --sysroot={root}/dist/libs/wasi-libc/sysroot',
      AR: '{ar}',
      RANLIB: '{ranlib}',
      NM: '{nm}',
      CFLAGS: '-O2 -DNDEBUG -mexception-handling',
      CPPFLAGS: '-I{root}/dist/libs/zlib/include',
      LDFLAGS: '-L{root}/dist/libs/zlib/lib',
      PKG_CONFIG_LIBDIR: '{root}/dist/libs/zlib/lib/pkgconfig',
    });
    expect(o['prefixes']).toEqual(['{root}/dist/libs/zlib']);
    expect(o).not.toHaveProperty('toolchain');
  });

  test('places: the tree, its own build directory, the stage published with its files; options relative to the build directory', () => {
    expect(o).toMatchObject({ sourceDir: 'build/demo/src', buildDir: 'build/demo/build', stageDir: 'build/demo/stage', clean: ['build/demo/build', 'build/demo/stage'] });
    expect(o['defines']).toEqual({ ENABLE_SHARED: 'OFF', EXTRA: '{root}/build/demo/src/extra.cmake', DATA: '../src/data' });
    expect(o['publish']).toEqual([
      { from: 'build/demo/stage', to: 'dist/libs/demo' },
      { from: 'libs/demo/demo.pc', to: 'dist/libs/demo/lib/pkgconfig/demo.pc' },
    ]);
    const picked = nativeProject({ ...d, build: { system: 'cmake', targets: ['demo-static'], publish: { '{build}/libdemo.a': 'lib/libdemo.a' } } }, 'libs/demo', {}, fakeInputs);
    const po = picked.targets['build']!.options as Options;
    expect(po['publish']).toEqual([{ from: 'build/demo/build/libdemo.a', to: 'dist/libs/demo/lib/libdemo.a' }]);
    expect(po['targets']).toEqual(['demo-static']);
    expect(po).not.toHaveProperty('stageDir');
  });

  test("inputs: its files, what it reads of other projects, cmake's version, and only its executor", () => {
    const inputs = build.inputs!;
    expect(inputs).toContain('native');
    expect(inputs).toContainEqual({ dependentTasksOutputFiles: '**/*.a', transitive: true });
    expect(inputs).toContainEqual({ dependentTasksOutputFiles: '**/llvm-wasm32.json', transitive: true });
    expect(inputs).toContainEqual({ runtime: 'cmake --version 2>/dev/null | head -n 1; true' });
    expect(inputs).toContain('{workspaceRoot}/tools/src/executors/cmake/executor.ts');
    expect(inputs).not.toContain('{workspaceRoot}/tools/src/executors/autotools/executor.ts');
  });

  test('for this machine: no toolchain file, the host compiler in the hash', () => {
    const host = nativeProject({ platform: 'host', source: pin, build: { system: 'cmake', install: {} } }, 'libs/tool', {}, fakeInputs);
    const ho = host.targets['build']!.options as Options;
    expect(ho['toolchain']).toBe(false);
    expect(ho['env']).toEqual({});
    expect(host.implicitDependencies).toEqual([]);
    expect(host.targets['build']!.inputs).toContainEqual({ runtime: 'cc --version' });
    expect(Object.keys(host.targets)).toEqual(['source', 'build']);
  });

  test('a descriptor without a source, or with nothing to publish, is refused; a variant takes cflags (and a tree of its own)', () => {
    expect(() => validateDescriptor('libs/x/native.json', { build: { system: 'cmake', install: {} } })).toThrow(/a cmake build needs a source/);
    expect(() => validateDescriptor('libs/x/native.json', { source: pin, build: { system: 'cmake' } })).toThrow(/publishes its installed stage \("install": \{\}\) or what "publish" names/);
    expect(() => validateDescriptor('libs/x/native.json', { source: pin, build: { system: 'cmake', install: {}, defines: { X: 1 } } })).toThrow(/build.defines.X must be a string/);
    expect(validateDescriptor('libs/x/native.json', { source: pin, build: { system: 'cmake', install: {} }, variants: { debug: { cflags: ['-g'] }, threads: {} } }).variants).toEqual({ debug: { cflags: ['-g'] }, threads: {} });
    expect(() => validateDescriptor('libs/x/native.json', { source: pin, build: { system: 'cmake', install: {} }, variants: { debug: { configureArgs: ['-DX=1'] } } })).toThrow(
      /variants.debug: a cmake build's variant takes cflags, source, patches, not configureArgs/,
    );
  });

  test("a variant is a configuration: its own build, stage and output, cflags after the descriptor's CFLAGS", () => {
    const debug = nativeProject({ ...d, variants: { debug: { cflags: ['-g'] } } }, 'libs/demo', {}, fakeInputs).targets['build']!.configurations!['debug'] as Options;
    expect(debug).toMatchObject({ buildDir: 'build/demo/build-debug', stageDir: 'build/demo/stage-debug', outputPath: 'dist/libs/demo-debug', clean: ['build/demo/build-debug', 'build/demo/stage-debug'] });
    expect(debug['env']['CFLAGS']).toBe('-O2 -DNDEBUG -mexception-handling -g');
    expect(debug['publish']).toEqual([
      { from: 'build/demo/stage-debug', to: 'dist/libs/demo-debug' },
      { from: 'libs/demo/demo.pc', to: 'dist/libs/demo-debug/lib/pkgconfig/demo.pc' },
    ]);
    expect(debug['defines']['DATA']).toBe('../src/data');
  });
});

describe('a split build with a wasm artifact and variants (CPython)', () => {
  const d: NativeDescriptor = {
    source: { project: 'demo-source' },
    tools: ['demo-build-tool'],
    build: {
      system: 'autotools',
      configure: { script: 'libs/demo/run-configure.sh', args: ['{src}', '--with-tool={build:demo-build-tool}/tool'], outputs: ['Makefile', 'Modules/Setup.*'], makeTargets: ['stamp.txt'] },
      make: { targets: ['all'], outputs: ['demo.wasm'] },
    },
    artifact: { file: 'demo.wasm', to: 'dist/demo/demo.wasm', optimize: ['-O2'] },
    variants: { debug: { configureArgs: ['--with-pydebug'], artifact: { to: 'dist/demo-debug/demo.wasm', optimize: ['-O0'] } }, noopt: { artifact: { optimize: [] } } },
  };
  const lookup = (name: string) => (name === 'demo-source' ? { d: { source: pin }, root: 'libs/demo/source' } : undefined);
  const project = nativeProject(d, 'libs/demo', {}, fakeInputs, lookup);
  const t = project.targets;

  test('configure, make and build (wasm-opt), chained', () => {
    expect(Object.keys(t)).toEqual(['configure', 'make', 'build']);
    expect(project.implicitDependencies).toContain('demo-source');
    expect(t['configure']!.dependsOn).toEqual([{ projects: ['demo-build-tool', 'toolchain', 'wasi-libc'], target: 'build' }]);
    expect(t['make']!.dependsOn?.[0]).toBe('configure');
    expect(t['build']!.dependsOn).toEqual(['make']);
    expect(t['build']!.executor).toBe('@pywasi/native-build:wasm-opt');
  });

  test("another project's source tree and tool, relative to the build directory", () => {
    const o = t['configure']!.options as Options;
    expect(o['sourceDir']).toBe('build/demo-source/src');
    expect(o['configure'].script).toBe('../../../libs/demo/run-configure.sh');
    expect(o['configure'].args).toEqual(['../../demo-source/src', '--with-tool=../../demo-build-tool/build/tool', '--host=wasm32-unknown-wasi']);
    expect(o['make'].targets).toEqual(['stamp.txt']);
    // configure is cached on its own and must work in another checkout: relative paths
    expect(o['env']['CC']).toBe('{cc} --target=wasm32-wasi {target-flags} --sysroot=../../../dist/libs/wasi-libc/sysroot');
    expect(t['configure']!.outputs).toEqual(['{options.buildDir}/Makefile', '{options.buildDir}/Modules/Setup.*']);
    // make must not redo what configure made (restored from the cache with new timestamps)
    expect((t['make']!.options as Options)['make'].args).toEqual(['--assume-old=Makefile']);
    expect(t['make']!.inputs).toContainEqual({ dependentTasksOutputFiles: 'build/demo-build-tool/build/*' });
    // configure reads headers, not archives: a rebuilt library relinks without configuring again
    expect(t['configure']!.inputs).not.toContainEqual({ dependentTasksOutputFiles: '**/*.a', transitive: true });
    expect(t['make']!.inputs).toContainEqual({ dependentTasksOutputFiles: '**/*.a', transitive: true });
    expect(t['make']!.inputs).toContainEqual({ dependentTasksOutputFiles: 'build/demo/**/*' }); // configure's outputs
  });

  test("both steps prepare the other project's tree, and hash its pin and patches", () => {
    for (const target of ['configure', 'make']) {
      expect((t[target]!.options as Options)['source']).toEqual({ pin, patchesDir: 'libs/demo/source/patches' });
      expect(t[target]!.inputs).toContainEqual({ input: 'native', projects: 'demo-source' });
    }
  });

  test('a source project that has no pin is a descriptor error', () => {
    expect(() => nativeProject(d, 'libs/demo', {}, fakeInputs)).toThrow(/source.project "demo-source" is not a native project with a pinned source/);
  });

  test('a variant is one line: its own build directory when it changes the build, none when it does not', () => {
    const debug = t['configure']!.configurations!['debug'] as Options;
    expect(debug['buildDir']).toBe('build/demo/build-debug');
    expect(debug['configure'].args).toContain('--with-pydebug');
    expect(t['build']!.configurations!['debug']).toEqual({ input: 'build/demo/build-debug/demo.wasm', output: 'dist/demo-debug/demo.wasm', flags: ['-O0'] });
    // noopt only changes wasm-opt: configure and make are the default build's (cache hits)
    expect(t['make']!.configurations!['noopt']).toEqual(t['make']!.options);
    expect(t['build']!.configurations!['noopt']).toEqual({ input: 'build/demo/build/demo.wasm', output: 'dist/demo/demo.wasm', flags: [] });
  });
});

test('a variant with its own source pin gets its own tree, prepared by its build (and its source target) in that configuration', () => {
  const newer = { ...pin, version: '2.0', sha256: 'b'.repeat(64) };
  const d: NativeDescriptor = { source: pin, build: { system: 'autotools', configure: {}, make: {} }, variants: { threads: { source: newer, cflags: ['-pthread'] } } };
  const t = nativeProject(d, 'libs/demo', {}, fakeInputs).targets;
  expect(t['source']!.configurations!['threads']).toMatchObject({ version: '2.0', outputPath: 'build/demo/src-threads' });
  const threads = t['build']!.configurations!['threads'] as Options;
  expect(threads['sourceDir']).toBe('build/demo/src-threads');
  expect(threads['buildDir']).toBe('build/demo/build-threads');
  expect(threads['env']['CFLAGS']).toBe('-O2 -DNDEBUG -pthread');
  expect(threads['source'].pin).toEqual(newer);
  expect((t['build']!.options as Options)['sourceDir']).toBe('build/demo/src');
});

test("a variant with a patch series of its own: the tree's owner and every project building that tree read build/<owner>/src-<variant>", () => {
  // CPython's shape: one project owns the pinned tree, the interpreter and the stdlib zip build it.
  const owner: NativeDescriptor = { name: 'demo-source', source: pin, variants: { threads: { patches: 'patches-threads' } } };
  const lookup = (name: string) => (name === 'demo-source' ? { d: owner, root: 'libs/demo/source' } : undefined);
  const source = nativeProject(validateDescriptor('libs/demo/source/native.json', owner), 'libs/demo/source', {}, fakeInputs, lookup).targets['source']!;
  expect(source.configurations!['threads']).toMatchObject({ version: '1.0', outputPath: 'build/demo-source/src-threads', patches: 'patches-threads' });

  const interpreter: NativeDescriptor = { source: { project: 'demo-source' }, build: { system: 'autotools', configure: { args: ['{src}'], outputs: ['Makefile'] }, make: {} }, variants: { threads: { configureArgs: ['--enable-wasm-pthreads'] }, debug: { configureArgs: ['--with-pydebug'] } } };
  const t = nativeProject(interpreter, 'libs/demo', {}, fakeInputs, lookup).targets;
  const threads = t['configure']!.configurations!['threads'] as Options;
  expect(threads['sourceDir']).toBe('build/demo-source/src-threads');
  expect(threads['source']).toEqual({ pin: expect.objectContaining({ version: '1.0' }), patchesDir: 'libs/demo/source/patches-threads' });
  expect(threads['configure'].args[0]).toBe('../../demo-source/src-threads');
  // The debug variant of the interpreter and the default build keep the owner's default tree.
  for (const options of [t['configure']!.options as Options, t['configure']!.configurations!['debug'] as Options]) {
    expect(options['sourceDir']).toBe('build/demo-source/src');
    expect(options['source'].patchesDir).toBe('libs/demo/source/patches');
  }

  const zip: NativeDescriptor = { platform: 'host', source: { project: 'demo-source' }, build: { system: 'command', command: ['zip', '{src}/Lib'], output: 'dist/demo/lib' }, variants: { threads: { output: 'dist/demo-threads/lib' } } };
  const zipThreads = nativeProject(zip, 'libs/demo-zip', {}, fakeInputs, lookup).targets['build']!.configurations!['threads'] as Options;
  expect(zipThreads).toMatchObject({ sourceDir: 'build/demo-source/src-threads', command: ['zip', 'build/demo-source/src-threads/Lib'], output: 'dist/demo-threads/lib' });

  expect(() => validateDescriptor('libs/demo/native.json', { ...interpreter, variants: { threads: { patches: 'p' } } })).toThrow(/variants.threads: source and patches vary a pinned tree, and this project has none/);
  expect(() => validateDescriptor('libs/x/native.json', { source: pin, variants: { threads: { cflags: ['-pthread'] } } })).toThrow(/variants are supported for/);
});

describe('a variant across the graph: threads needs a newer LLVM and its own wasi-libc', () => {
  const newerLibc = { ...pin, name: 'wasi-libc', version: '25', sha256: 'c'.repeat(64) };
  const descriptors: Record<string, { d: NativeDescriptor; root: string }> = {
    toolchain: { d: { platform: 'host', build: { system: 'llvm-toolchain', llvmMajor: 16 }, variants: { threads: { llvmMajor: 19 } } }, root: 'libs/toolchain' },
    'wasi-libc': { d: { source: pin, build: { system: 'autotools', inSource: true, make: {} }, variants: { threads: { source: newerLibc, makeArgs: ['THREAD_MODEL=posix'] } } }, root: 'libs/wasi-libc' },
    zlib: { d: { source: pin, build: { system: 'autotools', configure: {}, make: {} } }, root: 'libs/zlib' },
  };
  const lookup = (name: string) => descriptors[name];
  const toolchain = nativeProject(descriptors['toolchain']!.d, 'libs/toolchain', {}, fakeInputs, lookup).targets['build']!;

  test('the toolchain project: one cached target per LLVM major, each with its own manifest', () => {
    expect(toolchain.executor).toBe('@pywasi/native-build:toolchain');
    expect(toolchain.options).toEqual({ llvmMajor: 16, manifest: 'dist/toolchain/llvm-wasm32.json' });
    expect(toolchain.configurations!['threads']).toEqual({ llvmMajor: 19, manifest: 'dist/toolchain-threads/llvm-wasm32.json' });
    // what is installed is hashed, for every major the project can be asked for
    expect(JSON.stringify(toolchain.inputs)).toMatch(/clang-16 .*clang-19 .*\/usr\/lib\/llvm-19\/bin\/wasm-ld/);
  });

  test("a project's threads variant compiles with the threads toolchain and sysroot, in its own build directory", () => {
    const d: NativeDescriptor = { source: pin, links: ['zlib'], build: { system: 'autotools', configure: {}, make: {} }, variants: { threads: { cflags: ['-pthread'] }, debug: { artifact: {} } } };
    const t = nativeProject(d, 'libs/demo', {}, fakeInputs, lookup).targets['build']!;
    const threads = t.configurations!['threads'] as Options;
    expect(threads['toolchainManifest']).toBe('dist/toolchain-threads/llvm-wasm32.json');
    expect(threads['env']['CC']).toBe('{cc} --target=wasm32-wasi {target-flags} --sysroot={root}/dist/libs/wasi-libc-threads/sysroot');
    expect(threads['env']['CPPFLAGS']).toBe('-I{root}/dist/libs/zlib/include'); // zlib has no threads variant
    expect(threads['buildDir']).toBe('build/demo/build-threads');
    expect(t.options as Options).not.toHaveProperty('toolchainManifest');
  });

  test("a c-library's threads variant (the socket library) compiles with the threads toolchain and sysroot into an output of its own", () => {
    const d: NativeDescriptor = { version: '1.0.0', build: { system: 'c-library', sources: ['src/*.c'], libName: 'sock', cflags: ['-O2'] }, variants: { threads: {} } };
    const t = nativeProject(d, 'libs/sock', {}, fakeInputs, lookup).targets['build']!;
    expect(t.options).toMatchObject({ sysroot: 'dist/libs/wasi-libc/sysroot', outputPath: 'dist/libs/sock' });
    expect(t.options).not.toHaveProperty('toolchainManifest');
    expect(t.configurations!['threads']).toEqual({
      cflags: ['-O2'],
      sysroot: 'dist/libs/wasi-libc-threads/sysroot',
      outputPath: 'dist/libs/sock-threads',
      stageDir: 'build/sock/build-threads/c-library',
      toolchainManifest: 'dist/toolchain-threads/llvm-wasm32.json',
    });
  });

  test("a library whose threads variant changes nothing itself is read from its own threads build (its toolchain differs)", () => {
    const withVariant = (name: string) => (name === 'zlib' ? { d: { ...descriptors['zlib']!.d, variants: { threads: {} } }, root: 'libs/zlib' } : lookup(name));
    const d: NativeDescriptor = { source: pin, links: ['zlib'], build: { system: 'autotools', configure: {}, make: {} }, variants: { threads: {} } };
    const threads = nativeProject(d, 'libs/demo', {}, fakeInputs, withVariant).targets['build']!.configurations!['threads'] as Options;
    expect(threads['env']['CPPFLAGS']).toBe('-I{root}/dist/libs/zlib-threads/include');
    expect((nativeProject(d, 'libs/demo', {}, fakeInputs, withVariant).targets['build']!.options as Options)['env']['CPPFLAGS']).toBe('-I{root}/dist/libs/zlib/include');
  });

  test("a cmake library's threads variant: the threads toolchain, sysroot and linked libraries, an output of its own", () => {
    const withVariant = (name: string) => (name === 'zlib' ? { d: { ...descriptors['zlib']!.d, variants: { threads: {} } }, root: 'libs/zlib' } : lookup(name));
    const d: NativeDescriptor = { source: pin, links: ['zlib'], build: { system: 'cmake', install: {}, env: { CFLAGS: '-O2 -DNDEBUG -mexception-handling' } }, variants: { threads: {} } };
    const t = nativeProject(d, 'libs/png', {}, fakeInputs, withVariant).targets['build']!;
    const threads = t.configurations!['threads'] as Options;
    expect(threads).toMatchObject({
      sourceDir: 'build/png/src',
      buildDir: 'build/png/build-threads',
      stageDir: 'build/png/stage-threads',
      outputPath: 'dist/libs/png-threads',
      prefixes: ['{root}/dist/libs/zlib-threads'],
      toolchainManifest: 'dist/toolchain-threads/llvm-wasm32.json',
      publish: [{ from: 'build/png/stage-threads', to: 'dist/libs/png-threads' }],
    });
    expect(threads['env']).toMatchObject({
      CC: '{cc} --target=wasm32-wasi {target-flags} --sysroot={root}/dist/libs/wasi-libc-threads/sysroot',
      CFLAGS: '-O2 -DNDEBUG -mexception-handling',
      CPPFLAGS: '-I{root}/dist/libs/zlib-threads/include',
      PKG_CONFIG_LIBDIR: '{root}/dist/libs/zlib-threads/lib/pkgconfig',
    });
    expect(t.options).toMatchObject({ outputPath: 'dist/libs/png', prefixes: ['{root}/dist/libs/zlib'] });
    expect(t.options).not.toHaveProperty('toolchainManifest');
    expect(t.outputs).toEqual(['{options.outputPath}']);
  });

  test('a variant that changes nothing itself still gets its own build when its toolchain differs', () => {
    const d: NativeDescriptor = { source: pin, build: { system: 'autotools', configure: {}, make: {} }, variants: { threads: {} } };
    const threads = nativeProject(d, 'libs/demo', {}, fakeInputs, lookup).targets['build']!.configurations!['threads'] as Options;
    expect(threads['buildDir']).toBe('build/demo/build-threads');
    expect(threads['toolchainManifest']).toBe('dist/toolchain-threads/llvm-wasm32.json');
    // Its cached output is its own, not the default's (Nx caches a target's outputs per configuration).
    expect(threads['outputPath']).toBe('dist/libs/demo-threads');
    expect(nativeProject(d, 'libs/demo', {}, fakeInputs, lookup).targets['build']!.outputs).toEqual(['{options.outputPath}']);
  });

  test("the toolchain's wasm features reach every configuration of its target; an unknown one is refused", () => {
    const d: NativeDescriptor = { platform: 'host', build: { system: 'llvm-toolchain', llvmMajor: 16, wasmFeatures: ['bulk-memory', 'nontrapping-fptoint'] }, variants: { threads: { llvmMajor: 19 } } };
    const t = nativeProject(d, 'libs/toolchain', {}, fakeInputs, lookup).targets['build']!;
    expect((t.options as Options)['wasmFeatures']).toEqual(['bulk-memory', 'nontrapping-fptoint']);
    expect((t.configurations!['threads'] as Options)['wasmFeatures']).toEqual(['bulk-memory', 'nontrapping-fptoint']);
    const bad = { platform: 'host', build: { system: 'llvm-toolchain', llvmMajor: 16, wasmFeatures: ['bulk-memroy'] } } as unknown as NativeDescriptor;
    expect(() => validateDescriptor('libs/toolchain/native.json', bad)).toThrow(/wasmFeatures: "bulk-memroy" is not a WebAssembly feature clang knows/);
  });

  test("a toolchain variant's own wasm features replace the build's in its manifest (threads: atomics)", () => {
    const d: NativeDescriptor = { platform: 'host', build: { system: 'llvm-toolchain', llvmMajor: 19, wasmFeatures: ['bulk-memory'] }, variants: { threads: { wasmFeatures: ['bulk-memory', 'atomics'] } } };
    const t = nativeProject(d, 'libs/toolchain', {}, fakeInputs, lookup).targets['build']!;
    expect((t.options as Options)['wasmFeatures']).toEqual(['bulk-memory']);
    expect(t.configurations!['threads']).toEqual({ llvmMajor: 19, manifest: 'dist/toolchain-threads/llvm-wasm32.json', wasmFeatures: ['bulk-memory', 'atomics'] });
    // A variant of the toolchain with other features gives every project's variant its own build.
    const withFeatures: Record<string, { d: NativeDescriptor; root: string }> = { ...descriptors, toolchain: { d, root: 'libs/toolchain' } };
    const demo: NativeDescriptor = { source: pin, build: { system: 'autotools', configure: {}, make: {} }, variants: { threads: {} } };
    const threads = nativeProject(demo, 'libs/demo', {}, fakeInputs, (n) => withFeatures[n]).targets['build']!.configurations!['threads'] as Options;
    expect(threads['toolchainManifest']).toBe('dist/toolchain-threads/llvm-wasm32.json');
    expect(() => validateDescriptor('libs/demo/native.json', { source: pin, build: { system: 'autotools' }, variants: { threads: { wasmFeatures: ['atomics'] } } })).toThrow(/variants.threads.wasmFeatures: only the toolchain project/);
    expect(() => validateDescriptor('libs/toolchain/native.json', { platform: 'host', build: { system: 'llvm-toolchain', llvmMajor: 19 }, variants: { threads: { wasmFeatures: ['atomix'] } } } as unknown as NativeDescriptor)).toThrow(/variants.threads.wasmFeatures: "atomix" is not a WebAssembly feature/);
  });

  test('only the toolchain project may name an LLVM major', () => {
    expect(() => validateDescriptor('libs/demo/native.json', { source: pin, build: { system: 'autotools' }, variants: { threads: { llvmMajor: 19 } } })).toThrow(/variants.threads.llvmMajor: only the toolchain project/);
  });
});

describe('the C library (sysroot) and host-platform projects', () => {
  test('the libc builds without a sysroot and does not depend on itself', () => {
    const d: NativeDescriptor = { source: pin, build: { system: 'autotools', inSource: true, make: { args: ['OBJDIR={abs:build}'] }, publish: { '{stage}': 'sysroot' } } };
    const project = nativeProject(d, 'libs/wasi-libc', {}, fakeInputs);
    expect(project.implicitDependencies).toEqual(['toolchain']);
    const o = project.targets['build']!.options as Options;
    expect(o['env']['CC']).toBe('{cc} --target=wasm32-wasi {target-flags}');
    expect(o).not.toHaveProperty('buildDir');
    expect(o['make'].args).toEqual(['OBJDIR={root}/build/wasi-libc/build']);
    expect(o['publish']).toEqual([{ from: 'build/wasi-libc/stage', to: 'dist/libs/wasi-libc/sysroot' }]);
    // built in its tree: tree and objects are made afresh, never kept from a build with other flags
    expect(o['clean']).toEqual(['build/wasi-libc/src', 'build/wasi-libc/build', 'build/wasi-libc/stage']);
  });

  test('a host build has no cross environment and hashes the host compiler', () => {
    const d: NativeDescriptor = { platform: 'host', source: pin, build: { system: 'autotools', configure: {}, make: { outputs: ['.'] } } };
    const project = nativeProject(d, 'libs/tool', {}, fakeInputs);
    const o = project.targets['build']!.options as Options;
    expect(o['env']).toEqual({});
    expect(o['toolchain']).toBe(false);
    expect(o['configure'].args).toEqual([]);
    expect(project.implicitDependencies).toEqual([]);
    expect(project.targets['build']!.inputs).toContainEqual({ runtime: 'cc --version' });
    expect(project.targets['build']!.outputs).toEqual(['{options.buildDir}']);
  });

  test("a host tool the machine may have: the pinned version to match, the probe and the opt-out in the hash", () => {
    const installed = { candidates: ['/usr/bin/tool1.0'], versionArgs: ['--version'], file: 'tool' };
    const d: NativeDescriptor = { platform: 'host', source: pin, build: { system: 'autotools', configure: {}, make: { outputs: ['.'] }, installed } };
    const build = nativeProject(d, 'libs/tool', {}, fakeInputs).targets['build']!;
    expect((build.options as Options)['installed']).toEqual({ ...installed, version: '1.0' });
    expect(JSON.stringify(build.inputs)).toContain("for c in '/usr/bin/tool1.0'; do");
    expect(build.inputs).toContainEqual({ env: 'PYWASI_BUILD_TOOLS_FROM_SOURCE' });
    expect(() => validateDescriptor('libs/x/native.json', { source: pin, build: { system: 'autotools', installed } })).toThrow(/only a host tool can be taken from the machine/);
  });
});

describe('a command build (the stdlib zip: a built tool over another project\'s tree)', () => {
  const lookup = (name: string) =>
    name === 'demo-source'
      ? { d: { source: pin }, root: 'libs/demo-source' }
      : name === 'demo'
        ? { d: { variants: { debug: { configureArgs: ['--with-pydebug'] } } } as NativeDescriptor, root: 'libs/demo' }
        : undefined;
  const d: NativeDescriptor = {
    platform: 'host',
    source: { project: 'demo-source' },
    tools: ['demo-tool'],
    reads: { 'demo:configure': '**/_sysconfigdata_*.py' },
    build: { system: 'command', command: ['{build:demo-tool}/tool', '{project}/script.py', '{src}/Lib', '{build:demo}', '{output}'], output: 'dist/demo/lib.zip' },
    variants: { debug: { output: 'dist/demo-debug/lib.zip' } },
  };
  const project = nativeProject(d, 'libs/zip', {}, fakeInputs, lookup);
  const build = project.targets['build']!;

  test('waits for the tool and for the target it reads, not for that project\'s whole build', () => {
    expect(build.dependsOn).toEqual([{ projects: ['demo-tool'], target: 'build' }, { projects: ['demo'], target: 'configure' }]);
    expect(project.implicitDependencies).toEqual(['demo', 'demo-source', 'demo-tool']);
    expect(build.inputs).toContainEqual({ dependentTasksOutputFiles: '**/_sysconfigdata_*.py' });
    expect(build.inputs).toContainEqual({ input: 'native', projects: 'demo-source' });
  });

  test('paths relative to the workspace root; a variant reads the same variant of another project', () => {
    const o = build.options as Options;
    expect(o['command']).toEqual(['build/demo-tool/build/tool', '{project}/script.py', 'build/demo-source/src/Lib', 'build/demo/build', 'dist/demo/lib.zip']);
    expect(o['source'].patchesDir).toBe('libs/demo-source/patches');
    const debug = build.configurations!['debug'] as Options;
    expect(debug['command'].slice(3)).toEqual(['build/demo/build-debug', 'dist/demo-debug/lib.zip']);
    expect(debug['command'][0]).toBe('build/demo-tool/build/tool'); // the tool has no debug variant
  });
});

describe("a Python package (an sdist whose C extensions are built into the interpreter)", () => {
  const d: NativeDescriptor = {
    source: { name: 'pyyaml', version: '6.0.2', sha256: 'b'.repeat(64), pypi: 'pyyaml' },
    links: ['libyaml'],
    build: { system: 'python-package', env: { PYYAML_FORCE_CYTHON: '1' }, configSettings: { 'setup-args': ['-Da=1', '-Db=2'] } },
  };
  const project = nativeProject(d, 'libs/python-packages/pyyaml', {}, fakeInputs);
  const build = project.targets['build']!;

  test('waits for the SDK, the build python and its build tools besides its links; no pack target', () => {
    expect(Object.keys(project.targets)).toEqual(['source', 'build']);
    expect(project.implicitDependencies).toEqual(['cpython-build-python', 'cpython-sdk', 'libyaml', 'python-build-tools', 'toolchain', 'wasi-libc']);
    expect(build.dependsOn).toEqual([{ projects: project.implicitDependencies, target: 'build' }]);
  });

  test("its options: the places, the SDK, the build python's tools, the derived compiler environment and the libraries' lib dirs", () => {
    const o = build.options as Options;
    expect(o).toMatchObject({
      sourceDir: 'build/pyyaml/src',
      buildDir: 'build/pyyaml/build',
      outputPath: 'dist/libs/pyyaml',
      buildPython: 'build/cpython-build-python/build/python',
      buildTools: 'build/python-build-tools/build',
      sdk: 'dist/libs/cpython-sdk',
      libDirs: ['dist/libs/libyaml/lib'],
      configSettings: { 'setup-args': ['-Da=1', '-Db=2'] },
    });
    expect(o['env']).toMatchObject({ CPPFLAGS: '-I{root}/dist/libs/libyaml/include', LDFLAGS: '-L{root}/dist/libs/libyaml/lib', PYYAML_FORCE_CYTHON: '1' });
    expect(o['env']['CC']).toMatch(/^\{cc\} --target=wasm32-wasi .*--sysroot=\{root\}\/dist\/libs\/wasi-libc\/sysroot$/);
  });

  test('inputs: what its build runs (the build python, the exact build tools) and what sysconfig answers', () => {
    expect(build.inputs).toEqual(expect.arrayContaining([
      { dependentTasksOutputFiles: 'build/cpython-build-python/build/*' },
      { dependentTasksOutputFiles: 'build/python-build-tools/build/*.dist-info/RECORD' },
      { dependentTasksOutputFiles: 'dist/libs/cpython-sdk/**/*.py' },
      { dependentTasksOutputFiles: '**/*.h', transitive: true },
    ]));
  });

  test('the plugin options name other projects for the SDK, the build python and the tools', () => {
    const other = nativeProject(d, 'libs/python-packages/pyyaml', { pythonSdkProject: 'my-sdk', buildPythonProject: 'my-python', pythonBuildToolsProject: 'my-tools' }, fakeInputs);
    expect(other.implicitDependencies).toEqual(['libyaml', 'my-python', 'my-sdk', 'my-tools', 'toolchain', 'wasi-libc']);
  });

  test('build.cflags are added to every C and C++ compile, after the derived flags', () => {
    const withFlags = nativeProject({ ...d, build: { ...d.build, cflags: ['-msimd128'] } as NativeDescriptor['build'] }, 'libs/python-packages/pyyaml', {}, fakeInputs);
    const env = (withFlags.targets['build']!.options as Options)['env'];
    expect(env['CFLAGS']).toBe('-O2 -DNDEBUG -msimd128');
    expect((build.options as Options)['env']['CFLAGS']).toBe('-O2 -DNDEBUG');
  });

  test('a linked Python package is imported by the build (its output), not compiled against as a C library', () => {
    const numpy: NativeDescriptor = { source: { name: 'numpy', version: '2.1.3', sha256: 'c'.repeat(64), pypi: 'numpy' }, build: { system: 'python-package' } };
    const lookup = (name: string) => (name === 'numpy' ? { d: numpy, root: 'libs/python-packages/numpy' } : name === 'zlib' ? { d: { source: pin }, root: 'libs/zlib' } : undefined);
    const pandasLike: NativeDescriptor = { source: { name: 'pandas', version: '2.2.3', sha256: 'd'.repeat(64), pypi: 'pandas' }, links: ['numpy', 'zlib'], build: { system: 'python-package' } };
    const consumer = nativeProject(pandasLike, 'libs/python-packages/pandas', {}, fakeInputs, lookup);
    const target = consumer.targets['build']!;
    const o = target.options as Options;
    expect(consumer.implicitDependencies).toContain('numpy');
    expect(o['packages']).toEqual(['dist/libs/numpy']);
    expect(o['libDirs']).toEqual(['dist/libs/zlib/lib']);
    expect(o['env']).toMatchObject({ CPPFLAGS: '-I{root}/dist/libs/zlib/include', PKG_CONFIG_LIBDIR: '{root}/dist/libs/zlib/lib/pkgconfig' });
    expect(target.inputs).toEqual(expect.arrayContaining([
      { dependentTasksOutputFiles: 'dist/libs/numpy/python-package.json' },
      { dependentTasksOutputFiles: 'dist/libs/numpy/build-files/**/*' },
    ]));
    expect(build.options).not.toHaveProperty('packages');
  });

  test('a package descriptor without a pinned sdist is refused', () => {
    expect(() => validateDescriptor('x/native.json', { source: { project: 'other' }, build: { system: 'python-package' } })).toThrow(/a python-package build needs a pinned source/);
  });

  describe('in every variant of the SDK (threads), without declaring it', () => {
    const numpy: NativeDescriptor = { source: { name: 'numpy', version: '2.1.3', sha256: 'c'.repeat(64), pypi: 'numpy' }, build: { system: 'python-package' } };
    const graph: Record<string, { d: NativeDescriptor; root: string }> = {
      toolchain: { d: { platform: 'host', build: { system: 'llvm-toolchain', llvmMajor: 19 }, variants: { threads: { wasmFeatures: ['atomics'] } } }, root: 'libs/toolchain' },
      'wasi-libc': { d: { source: pin, build: { system: 'autotools', inSource: true, make: {} }, variants: { threads: { makeArgs: ['THREAD_MODEL=posix'] } } }, root: 'libs/wasi-libc' },
      'cpython-sdk': {
        d: { platform: 'host', build: { system: 'command', command: ['make_sdk', '{build:cpython}'], output: 'dist/libs/cpython-sdk' }, variants: { threads: { output: 'dist/libs/cpython-sdk-threads' } } },
        root: 'libs/cpython/sdk',
      },
      libyaml: { d: { source: pin, build: { system: 'autotools', make: {} }, variants: { threads: {} } }, root: 'libs/libyaml' },
      numpy: { d: numpy, root: 'libs/python-packages/numpy' },
    };
    const lookup = (name: string) => graph[name];
    const threadsOf = (t: { configurations?: Record<string, unknown> }) => t.configurations!['threads'] as Options;

    test('its threads configuration: the threads SDK, toolchain, sysroot and libraries, an output and build directory of its own', () => {
      const t = nativeProject(d, 'libs/python-packages/pyyaml', {}, fakeInputs, lookup).targets['build']!;
      expect(Object.keys(t.configurations!)).toEqual(['threads']);
      expect(t.outputs).toEqual(['{options.outputPath}']);
      const threads = threadsOf(t);
      expect(threads).toMatchObject({
        sourceDir: 'build/pyyaml/src',
        buildDir: 'build/pyyaml/build-threads',
        outputPath: 'dist/libs/pyyaml-threads',
        buildPython: 'build/cpython-build-python/build/python',
        sdk: 'dist/libs/cpython-sdk-threads',
        libDirs: ['dist/libs/libyaml-threads/lib'],
        toolchainManifest: 'dist/toolchain-threads/llvm-wasm32.json',
        configSettings: { 'setup-args': ['-Da=1', '-Db=2'] },
      });
      expect(threads['env']).toMatchObject({
        CC: '{cc} --target=wasm32-wasi {target-flags} --sysroot={root}/dist/libs/wasi-libc-threads/sysroot',
        CPPFLAGS: '-I{root}/dist/libs/libyaml-threads/include',
        LDFLAGS: '-L{root}/dist/libs/libyaml-threads/lib',
        PKG_CONFIG_LIBDIR: '{root}/dist/libs/libyaml-threads/lib/pkgconfig',
        PYYAML_FORCE_CYTHON: '1',
      });
      // The default build is unchanged.
      expect(t.options).toMatchObject({ outputPath: 'dist/libs/pyyaml', sdk: 'dist/libs/cpython-sdk', libDirs: ['dist/libs/libyaml/lib'] });
      expect(t.options).not.toHaveProperty('toolchainManifest');
    });

    test("inputs name the default's and the variant's SDK (a target's inputs are every configuration's)", () => {
      const t = nativeProject(d, 'libs/python-packages/pyyaml', {}, fakeInputs, lookup).targets['build']!;
      expect(t.inputs).toEqual(expect.arrayContaining([
        { dependentTasksOutputFiles: 'dist/libs/cpython-sdk/**/*.py' },
        { dependentTasksOutputFiles: 'dist/libs/cpython-sdk-threads/**/*.py' },
      ]));
    });

    test("a package built on another reads that package's threads build", () => {
      const pandasLike: NativeDescriptor = { source: { name: 'pandas', version: '2.2.3', sha256: 'd'.repeat(64), pypi: 'pandas' }, links: ['numpy'], build: { system: 'python-package' } };
      const t = nativeProject(pandasLike, 'libs/python-packages/pandas', {}, fakeInputs, lookup).targets['build']!;
      expect(threadsOf(t)['packages']).toEqual(['dist/libs/numpy-threads']);
      expect((t.options as Options)['packages']).toEqual(['dist/libs/numpy']);
      expect(t.inputs).toEqual(expect.arrayContaining([
        { dependentTasksOutputFiles: 'dist/libs/numpy/python-package.json' },
        { dependentTasksOutputFiles: 'dist/libs/numpy-threads/python-package.json' },
        { dependentTasksOutputFiles: 'dist/libs/numpy-threads/build-files/**/*' },
      ]));
    });

    test('a package may add cflags in a variant; nothing else', () => {
      const withFlags = nativeProject({ ...d, variants: { threads: { cflags: ['-DTHREADS'] } } }, 'libs/python-packages/pyyaml', {}, fakeInputs, lookup).targets['build']!;
      expect(threadsOf(withFlags)['env']['CFLAGS']).toBe('-O2 -DNDEBUG -DTHREADS');
      expect(() => validateDescriptor('x/native.json', { ...d, variants: { threads: { configureArgs: ['--x'] } } })).toThrow(/variants.threads: a python-package build's variant takes cflags, not configureArgs/);
    });

    test('without an SDK that has variants, a package has no configurations', () => {
      expect(build.configurations).toBeUndefined();
    });
  });
});

describe('every inferred target says what it does (Nx metadata, shown by `nx show project`)', () => {
  const lookup = (name: string) => (name === 'demo-source' ? { d: { source: pin }, root: 'libs/demo-source' } : undefined);
  const samples: Record<string, NativeDescriptor> = {
    library: { source: pin, links: ['zlib'], build: { system: 'autotools', configure: {}, make: {}, install: {} } },
    interpreter: {
      source: { project: 'demo-source' },
      build: { system: 'autotools', configure: { outputs: ['Makefile'] }, make: { outputs: ['demo.wasm'] } },
      artifact: { file: 'demo.wasm', to: 'dist/demo/demo.wasm', optimize: ['-O2'] },
      variants: { debug: { configureArgs: ['--with-pydebug'] } },
    },
    'c-library': { version: '1.0', build: { system: 'c-library', sources: ['src/*.c'], libName: 'demo' } },
    cmake: { source: pin, links: ['zlib'], build: { system: 'cmake', install: {} } },
    command: { platform: 'host', source: { project: 'demo-source' }, build: { system: 'command', command: ['{src}/tool', '{output}'], output: 'dist/demo/out' } },
    toolchain: { platform: 'host', build: { system: 'llvm-toolchain', llvmMajor: 19 }, variants: { threads: { llvmMajor: 20 } } },
  };

  test.each(Object.entries(samples))('%s: a one-line description on every target', (_kind, d) => {
    const targets = Object.entries(nativeProject(d, 'libs/demo', {}, fakeInputs, lookup).targets);
    expect(targets.length).toBeGreaterThan(0);
    for (const [name, target] of targets) {
      const description = target.metadata?.['description'];
      expect({ name, description: typeof description }).toEqual({ name, description: 'string' });
      expect(description).toMatch(/^\S.{20,}$/); // one line, more than a word
    }
  });

  test('the descriptions name the steps, the platform and where the product lands', () => {
    const of = (kind: string) => Object.fromEntries(Object.entries(nativeProject(samples[kind]!, 'libs/demo', {}, fakeInputs, lookup).targets).map(([n, t]) => [n, t.metadata?.['description']]));
    expect(of('library')).toEqual({
      source: 'fetches demo 1.0, verifies its sha256, extracts it to build/demo/src and applies libs/demo/patches/*.patch (the tree alone: builds prepare it themselves)',
      build: 'configure + make + make install of demo for wasm32-wasi, published to dist/libs/demo',
      pack: 'packs dist/libs/demo (headers, static libraries, .pc files) into dist/packages/wasm32-wasi/demo-1.0-wasm32-wasi.tar.gz, for builds outside the workspace',
    });
    expect(of('interpreter')).toEqual({
      configure: 'configure of demo for wasm32-wasi in build/demo/build, cached on its own (make does not redo it)',
      make: 'make of demo for wasm32-wasi after its cached configure: build/demo/build/demo.wasm',
      build: 'wasm-opt of build/demo/build/demo.wasm into dist/demo/demo.wasm',
    });
    expect(of('command')['build']).toBe('runs build/demo-source/src/tool over build/demo-source/src, writing dist/demo/out');
    expect(of('toolchain')['build']).toMatch(/^finds \(or installs\) LLVM 19, 20 for wasm32/);
  });

  test("the workspace's own descriptors: every target described", () => {
    const files = globSync(['libs/**/native.json', 'apps/**/native.json'], { cwd: workspaceRoot, ignore: ['**/node_modules/**', 'dist/**', 'build/**'] });
    const all = files.map((file) => ({ root: dirname(file), d: validateDescriptor(file, JSON.parse(readFileSync(join(workspaceRoot, file), 'utf8'))) }));
    const byName = new Map(all.map(({ root, d }) => [d.name ?? basename(root), { root, d }]));
    const undescribed = all.flatMap(({ root, d }) =>
      Object.entries(nativeProject(d, root, {}, fakeInputs, (n) => byName.get(n)).targets)
        .filter(([, t]) => !t.metadata?.['description'])
        .map(([name]) => `${root}:${name}`),
    );
    expect(all.length).toBeGreaterThan(5);
    expect(undescribed).toEqual([]);
  });
});

test('fillPaths: relative to where commands run, absolute through {root}, other projects by name', () => {
  const places = placesOf('demo');
  expect(fillPaths('{src}/x {abs:stage} {out:zlib} {cc}', places, places.build)).toBe('../src/x {root}/build/demo/stage ../../../dist/libs/zlib {cc}');
});

test('validateDescriptor names the file and every mistake', () => {
  const bad = { sorce: {}, platform: 'wasm64', source: { name: 'x', version: '1', sha256: 'XYZ' }, build: { system: 'c-library', sources: [] } };
  expect(() => validateDescriptor('libs/x/native.json', bad)).toThrow(DescriptorError);
  try {
    validateDescriptor('libs/x/native.json', bad);
  } catch (e) {
    const message = (e as Error).message;
    expect(message).toContain('libs/x/native.json');
    for (const part of ['unknown field "sorce"', 'platform "wasm64"', 'sha256 must be 64', 'build.sources', 'build.libName']) expect(message).toContain(part);
  }
  expect(() => validateDescriptor('libs/y/native.json', { build: { system: 'command', command: [] }, reads: { cpython: 'x' } })).toThrow(
    /build.command must list[\s\S]*build.output[\s\S]*reads: "cpython" must be "project:target"/,
  );
});

describe('executor files', () => {
  test('an executor hashes its own files and the library modules it imports, transitively', () => {
    const { files, packages } = localModuleGraph(workspaceRoot, 'tools/src/executors/autotools/executor.ts');
    expect(packages).toEqual(['@nx/devkit', 'execa']);
    expect(files).toContain('tools/src/lib/build-plan.ts');
    expect(files).toContain('tools/src/lib/toolchain-manifest.ts'); // imported by build-plan.ts
    expect(files).not.toContain('tools/src/lib/wasm-opt.ts');
  });

  test('a module started as a child process counts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'executor-files-'));
    try {
      writeFileSync(join(dir, 'plan.ts'), "const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));\n");
      writeFileSync(join(dir, 'main.ts'), "import { execa } from 'execa';\n");
      expect(localModuleGraph(dir, 'plan.ts')).toEqual({ files: ['main.ts', 'plan.ts'], packages: ['execa'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every project.json target run by one of our executors lists exactly its files', () => {
    const projectFiles = globSync(['apps/*/project.json', 'libs/**/project.json'], { cwd: workspaceRoot, ignore: ['**/node_modules/**'] });
    let checked = 0;
    for (const file of projectFiles) {
      const targets = (JSON.parse(readFileSync(join(workspaceRoot, file), 'utf8')) as { targets?: Record<string, { executor?: string; inputs?: unknown[] }> }).targets ?? {};
      for (const [name, target] of Object.entries(targets)) {
        const executor = /^@pywasi\/native-build:(.+)$/.exec(target.executor ?? '')?.[1];
        if (!executor) continue;
        const inputs = target.inputs ?? [];
        const files = inputs.filter((i): i is string => typeof i === 'string' && i.startsWith('{workspaceRoot}/tools/')).sort();
        const packages = inputs.flatMap((i) => (typeof i === 'object' && i && 'externalDependencies' in i ? (i as { externalDependencies: string[] }).externalDependencies : []));
        // wasm-opt resolves binaryen's binary instead of importing it: named, as the plugin does.
        const expected = executorInputs(workspaceRoot, 'tools', executor, executor === 'wasm-opt' ? ['binaryen'] : []);
        expect({ target: `${file}:${name}`, files, packages: packages.sort() }).toEqual({
          target: `${file}:${name}`,
          files: expected.filter((i): i is string => typeof i === 'string').sort(),
          packages: expected.flatMap((i) => (typeof i === 'string' ? [] : i.externalDependencies)).sort(),
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(1); // python:build
  });
});
