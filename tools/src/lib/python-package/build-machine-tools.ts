// The tools a package's build finds on PATH or in its meson cross file, written into its build
// directory: the wasm32 C and C++ compilers (clang with the target's flags; a link with -shared
// archives instead: archive-extension.sh), and `cython` and `meson` run by the build python. Every build
// backend then compiles for the target the same way: setuptools through CC/LDSHARED, meson
// through the cross file, a Makefile through PATH.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quoteForShell } from '../logged-command.ts';

/** What a link with -shared runs instead: archives an extension's objects (see the script). */
const ARCHIVE_EXTENSION = fileURLToPath(new URL('./archive-extension.sh', import.meta.url));

export interface BuildMachineTools {
  binDir: string;
  cc: string;
  cxx: string;
  crossFile: string;
}

/** What the toolchain gives for the wrappers. */
export interface WasmCompilers {
  /** The C compiler command: the compiler's path then its target flags (--target, -m..., --sysroot). */
  cc: string[];
  /** clang++ of the same toolchain. */
  cxx: string;
  cxxIncludeDir: string;
  cxxLibDir: string;
  ar: string;
  strip: string;
}

function script(path: string, lines: string[]): void {
  writeFileSync(path, ['#!/bin/sh', ...lines, ''].join('\n'));
  chmodSync(path, 0o755);
}

const mesonValue = (v: string | boolean) => (typeof v === 'boolean' ? String(v) : `'${v.replaceAll("'", "\\'")}'`);

export function writeBuildMachineTools(dir: string, compilers: WasmCompilers, buildPython: string, mesonProperties: Record<string, string | boolean> = {}): BuildMachineTools {
  const binDir = join(dir, 'bin');
  mkdirSync(binDir, { recursive: true });
  const [compiler, ...targetFlags] = compilers.cc;
  const archive = quoteForShell(ARCHIVE_EXTENSION);
  const header = '# Written by the python-package executor: compiles for wasm32-wasi; a link of a shared object archives it.';
  const cc = join(binDir, 'cc');
  script(cc, [header, `case " $* " in *" -shared "*) exec ${archive} "$@" ;; esac`, `exec ${[compiler!, ...targetFlags].map(quoteForShell).join(' ')} "$@"`]);
  const cxx = join(binDir, 'c++');
  const cxxWords = [compilers.cxx, ...targetFlags, '-isystem', compilers.cxxIncludeDir, `-L${compilers.cxxLibDir}`, '-Wno-unused-command-line-argument'];
  script(cxx, [
    header,
    `case " $* " in *" -shared "*) PYWASI_EXTENSION_LIBS='-lc++ -lc++abi' exec ${archive} "$@" ;; esac`,
    `exec ${cxxWords.map(quoteForShell).join(' ')} "$@"`,
  ]);
  script(join(binDir, 'cython'), ['# Cython of the build tools, run by the build python.', `exec ${quoteForShell(buildPython)} -m cython "$@"`]);
  // meson-python runs `meson` from PATH unless the package names its own (numpy's vendored one).
  // A Python script, not `python -m`: meson reruns itself (ninja's regeneration) as argv[0].
  writeFileSync(join(binDir, 'meson'), [`#!${buildPython}`, '# meson of the build tools, run by the build python.', 'import sys', 'from mesonbuild.mesonmain import main', 'sys.exit(main())', ''].join('\n'));
  chmodSync(join(binDir, 'meson'), 0o755);
  const crossFile = join(dir, 'meson-cross.ini');
  const properties = { needs_exe_wrapper: true, ...mesonProperties };
  writeFileSync(
    crossFile,
    [
      '# Written by the python-package executor: meson builds for wasm32-wasi with the wrappers beside it.',
      '[binaries]',
      `c = ${mesonValue(cc)}`,
      `cpp = ${mesonValue(cxx)}`,
      `ar = ${mesonValue(compilers.ar)}`,
      `strip = ${mesonValue(compilers.strip)}`,
      '',
      '[host_machine]',
      "system = 'wasi'",
      "cpu_family = 'wasm32'",
      "cpu = 'wasm32'",
      "endian = 'little'",
      '',
      '[properties]',
      ...Object.entries(properties).map(([k, v]) => `${k} = ${mesonValue(v)}`),
      '',
    ].join('\n'),
  );
  return { binDir, cc, cxx, crossFile };
}
