import { BuildError } from '../build-error.ts';
import { cmakeToolchain } from './toolchain-file.ts';

// The derived environment of a wasm32 project linking zlib, as the executor fills it.
const env = {
  CC: '/llvm/bin/clang --target=wasm32-wasi -mbulk-memory --sysroot=/ws/dist/libs/wasi-libc/sysroot',
  AR: '/llvm/bin/llvm-ar',
  RANLIB: '/llvm/bin/llvm-ranlib',
  NM: '/llvm/bin/llvm-nm',
  CFLAGS: '-O2 -DNDEBUG',
  CPPFLAGS: '-I/ws/dist/libs/zlib/include',
  LDFLAGS: '-L/ws/dist/libs/zlib/lib',
  PKG_CONFIG_LIBDIR: '/ws/dist/libs/zlib/lib/pkgconfig',
  PKG_CONFIG_PATH: '',
};
const cxx = { compiler: '/llvm/bin/clang++', includeDir: '/llvm/include/wasm32-wasi/c++/v1', libDir: '/llvm/lib/wasm32-wasi' };
const derived = cmakeToolchain({ env, prefixes: ['/ws/dist/libs/zlib'], cxx, dir: '/ws/build/demo/build/pywasi-toolchain' });
const text = derived.files[derived.toolchainFile]!;
const setting = (name: string) => new RegExp(`^set\\(${name} (.*)\\)$`, 'm').exec(text)?.[1];

describe('the CMake toolchain file from the derived cross environment', () => {
  test('CC is the compiler; its target, wasm features and sysroot stay flags of every compile, with CPPFLAGS and CFLAGS', () => {
    expect(derived.toolchainFile).toBe('/ws/build/demo/build/pywasi-toolchain/wasm32-wasi.cmake');
    expect(setting('CMAKE_SYSTEM_NAME')).toBe('WASI');
    expect(setting('CMAKE_SYSTEM_PROCESSOR')).toBe('wasm32');
    expect(setting('CMAKE_C_COMPILER')).toBe('"/llvm/bin/clang"');
    expect(setting('CMAKE_C_FLAGS_INIT')).toBe('"--target=wasm32-wasi -mbulk-memory --sysroot=/ws/dist/libs/wasi-libc/sysroot -I/ws/dist/libs/zlib/include -O2 -DNDEBUG"');
    expect(setting('CMAKE_ASM_FLAGS_INIT')).toBe('"--target=wasm32-wasi -mbulk-memory --sysroot=/ws/dist/libs/wasi-libc/sysroot -I/ws/dist/libs/zlib/include"');
    expect(setting('CMAKE_EXE_LINKER_FLAGS_INIT')).toBe('"-L/ws/dist/libs/zlib/lib -L/llvm/lib/wasm32-wasi"');
    expect([setting('CMAKE_AR'), setting('CMAKE_RANLIB'), setting('CMAKE_NM')]).toEqual(['"/llvm/bin/llvm-ar"', '"/llvm/bin/llvm-ranlib"', '"/llvm/bin/llvm-nm"']);
  });

  test("C++ is the toolchain's clang++ with the same target flags and libc++'s headers, never the build machine's c++", () => {
    expect(setting('CMAKE_CXX_COMPILER')).toBe('"/llvm/bin/clang++"');
    expect(setting('CMAKE_CXX_FLAGS_INIT')).toBe('"--target=wasm32-wasi -mbulk-memory --sysroot=/ws/dist/libs/wasi-libc/sysroot -isystem /llvm/include/wasm32-wasi/c++/v1 -I/ws/dist/libs/zlib/include -O2 -DNDEBUG"');
  });

  test('find_* look in the sysroot and the linked libraries only; programs are the build machine\'s', () => {
    expect(setting('CMAKE_SYSROOT')).toBe('"/ws/dist/libs/wasi-libc/sysroot"');
    expect(setting('CMAKE_FIND_ROOT_PATH')).toBe('"/ws/dist/libs/zlib"');
    expect(setting('CMAKE_LIBRARY_ARCHITECTURE')).toBe('wasm32-wasi');
    for (const kind of ['LIBRARY', 'INCLUDE', 'PACKAGE']) expect(setting(`CMAKE_FIND_ROOT_PATH_MODE_${kind}`)).toBe('ONLY');
    expect(setting('CMAKE_FIND_ROOT_PATH_MODE_PROGRAM')).toBe('NEVER');
  });

  test('the WASI platform module lies beside it, on the module path', () => {
    expect(text).toContain('list(PREPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")');
    const platform = derived.files['/ws/build/demo/build/pywasi-toolchain/Platform/WASI.cmake']!;
    expect(platform).toContain('set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)');
    expect(platform).toContain('set(CMAKE_EXECUTABLE_SUFFIX .wasm)');
    expect(platform).toMatch(/^include\(Platform\/UnixPaths\)$/m);
  });

  test("cmake's own environment keeps the rest: CMake would read CFLAGS and LDFLAGS a second time", () => {
    expect(derived.env).toEqual({ PKG_CONFIG_LIBDIR: '/ws/dist/libs/zlib/lib/pkgconfig', PKG_CONFIG_PATH: '' });
  });

  test('values are CMake quoted arguments: quotes, backslashes and ${} are escaped', () => {
    const odd = cmakeToolchain({ env: { ...env, CFLAGS: '-DNAME="a\\b" -DREF=${X}' }, prefixes: [], cxx, dir: '/t' });
    expect(odd.files['/t/wasm32-wasi.cmake']).toContain('-DNAME=\\"a\\\\b\\" -DREF=\\${X}"');
  });

  test('a derived variable the descriptor removed is left out; without CC there is no compiler to name', () => {
    const { CFLAGS: _dropped, ...withoutCflags } = env;
    const without = cmakeToolchain({ env: withoutCflags, prefixes: [], cxx, dir: '/t' }).files['/t/wasm32-wasi.cmake']!;
    expect(without).toMatch(/^set\(CMAKE_C_FLAGS_INIT "--target=wasm32-wasi -mbulk-memory --sysroot=\S+ -I\/ws\/dist\/libs\/zlib\/include"\)$/m);
    expect(() => cmakeToolchain({ env: {}, prefixes: [], cxx, dir: '/t' })).toThrow(new BuildError('the environment has no CC, which names the compiler of the toolchain file: does build.env remove it (null)?'));
  });
});
