// The CMake side of the derived cross environment. The plugin derives one compiler environment
// for every build system (crossEnv in plugin/targets/context.ts: CC with the target, its wasm
// features and the sysroot, CFLAGS, CPPFLAGS, LDFLAGS, AR, RANLIB, NM); a configure script reads
// it from the environment, CMake from a toolchain file. This writes that file from the same
// variables, so a CMake project compiles as an autotools one does, and finds libraries only in
// the linked projects' outputs and the sysroot.
import { join } from 'node:path';
import { BuildError } from '../build-error.ts';

/** The variables the toolchain file takes over: cmake's own environment keeps the others
 * (PKG_CONFIG_LIBDIR...). Left in it, CMake would read CFLAGS and LDFLAGS a second time. */
export const COMPILER_VARIABLES = ['CC', 'CFLAGS', 'CPPFLAGS', 'LDFLAGS', 'AR', 'RANLIB', 'NM'] as const;

export interface CMakeToolchainInput {
  /** The derived environment, placeholders filled. */
  env: Record<string, string>;
  /** Absolute prefixes of the linked libraries (include/, lib/, lib/cmake/): CMake's find roots. */
  prefixes: string[];
  /** The toolchain's C++: clang++ and libc++ for wasm32-wasi (headers, archives). */
  cxx: { compiler: string; includeDir: string; libDir: string };
  /** Absolute directory the files are written to. */
  dir: string;
}

export interface CMakeToolchain {
  /** Absolute path of the toolchain file (CMAKE_TOOLCHAIN_FILE). */
  toolchainFile: string;
  /** Absolute path -> text: the toolchain file and the WASI platform module beside it. */
  files: Record<string, string>;
  /** The environment cmake runs with: the derived one without the compiler variables. */
  env: Record<string, string>;
}

/** A CMake quoted argument: backslashes, quotes and variable references escaped. */
const quoted = (value: string) => `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
const words = (value: string | undefined) => (value ?? '').split(/\s+/).filter(Boolean);

// CMake 3.25 knows no WASI platform (newer ones may; the module path puts ours first).
const PLATFORM_MODULE = [
  '# WASI for CMake, written by the cmake executor of @pywasi/native-build (CMake 3.25 has no',
  "# such platform). wasi-libc is a POSIX C library: UNIX, with the standard prefixes, which the",
  "# toolchain file's find roots confine to the sysroot and the linked libraries. Static archives",
  '# only: WASI has no shared libraries and no dlopen.',
  'include(Platform/UnixPaths)',
  'set(WASI 1)',
  'set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)',
  'set(CMAKE_DL_LIBS "")',
  'set(CMAKE_EXECUTABLE_SUFFIX .wasm)',
  'set(CMAKE_FIND_LIBRARY_SUFFIXES .a)',
  '',
].join('\n');

/**
 * The toolchain file for wasm32-wasi from the derived environment: CC's first word is the
 * compiler and its other words (--target, the wasm features, --sysroot) stay flags of every
 * compile, with CPPFLAGS and CFLAGS: custom commands that run the compiler with CMAKE_C_FLAGS
 * (libpng preprocesses its headers so) then target wasm32 too. CFLAGS set no CMake build type:
 * a project that picks one itself adds that type's flags after ours.
 */
export function cmakeToolchain(input: CMakeToolchainInput): CMakeToolchain {
  const { env } = input;
  const [compiler, ...targetFlags] = words(env['CC']);
  if (!compiler) throw new BuildError('the environment has no CC, which names the compiler of the toolchain file: does build.env remove it (null)?');
  const sysroot = targetFlags.find((f) => f.startsWith('--sysroot='))?.slice('--sysroot='.length);
  const c = [...targetFlags, ...words(env['CPPFLAGS']), ...words(env['CFLAGS'])];
  const cxx = [...targetFlags, '-isystem', input.cxx.includeDir, ...words(env['CPPFLAGS']), ...words(env['CFLAGS'])];
  const set = (name: string, value: string | undefined) => (value === undefined ? [] : [`set(${name} ${quoted(value)})`]);
  const lines = [
    '# Written by the cmake executor of @pywasi/native-build from the derived cross environment:',
    '# wasm32-wasi with the toolchain and sysroot every build of the workspace uses.',
    'set(CMAKE_SYSTEM_NAME WASI)',
    'set(CMAKE_SYSTEM_VERSION 1)',
    'set(CMAKE_SYSTEM_PROCESSOR wasm32)',
    'list(PREPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")',
    ...set('CMAKE_C_COMPILER', compiler),
    ...set('CMAKE_C_FLAGS_INIT', c.join(' ')),
    // Assembler sources are preprocessed by clang: the same target.
    ...set('CMAKE_ASM_COMPILER', compiler),
    ...set('CMAKE_ASM_FLAGS_INIT', [...targetFlags, ...words(env['CPPFLAGS'])].join(' ')),
    // Else a project with C++ would find the build machine's c++, which compiles for it.
    ...set('CMAKE_CXX_COMPILER', input.cxx.compiler),
    ...set('CMAKE_CXX_FLAGS_INIT', cxx.join(' ')),
    // clang++ links libc++ and libc++abi: their directory.
    ...set('CMAKE_EXE_LINKER_FLAGS_INIT', [...words(env['LDFLAGS']), `-L${input.cxx.libDir}`].join(' ')),
    ...set('CMAKE_AR', env['AR']),
    ...set('CMAKE_RANLIB', env['RANLIB']),
    ...set('CMAKE_NM', env['NM']),
    ...set('CMAKE_SYSROOT', sysroot),
    // wasi-libc's archives are in lib/wasm32-wasi.
    'set(CMAKE_LIBRARY_ARCHITECTURE wasm32-wasi)',
    ...set('CMAKE_FIND_ROOT_PATH', input.prefixes.join(';')),
    // Programs (perl, python, pkg-config) are the build machine's; headers, libraries and
    // packages only those of the roots.
    'set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)',
    'set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)',
    'set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)',
    'set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)',
    '',
  ];
  const toolchainFile = join(input.dir, 'wasm32-wasi.cmake');
  const rest = Object.fromEntries(Object.entries(env).filter(([key]) => !(COMPILER_VARIABLES as readonly string[]).includes(key)));
  return { toolchainFile, files: { [toolchainFile]: lines.join('\n'), [join(input.dir, 'Platform', 'WASI.cmake')]: PLATFORM_MODULE }, env: rest };
}
