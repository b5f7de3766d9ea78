import type { SourceRequest } from '../../lib/pinned-source.ts';

export interface CMakeExecutorOptions {
  /** Workspace-relative source tree (the directory of the top CMakeLists.txt). */
  sourceDir: string;
  /** The pinned source sourceDir is made from: prepared (verified, extracted, patched) before the
   * build, and kept as it is when it already carries the same pin and patches. */
  source?: SourceRequest;
  /** Workspace-relative build (binary) directory. */
  buildDir: string;
  /** Workspace-relative install prefix: `cmake --install` puts the products there. */
  stageDir?: string;
  /** The derived environment (placeholders allowed): the compiler variables become the toolchain
   * file, the rest is cmake's environment. */
  env?: Record<string, string>;
  /** Cache entries, -D<name>=<value> (placeholders allowed). */
  defines?: Record<string, string>;
  /** Targets to build (default: all). */
  targets?: string[];
  /** Prefixes (placeholders allowed) of the linked libraries: the only places, with the sysroot,
   * where find_package, find_library and find_path look. */
  prefixes?: string[];
  /** Workspace-relative paths removed before the source is prepared and the build runs. */
  clean?: string[];
  /** Products copied to their final, workspace-relative place after a successful build. */
  publish?: { from: string; to: string }[];
  /** Workspace-relative output publish writes: the target's cached output (a variant's is its own). */
  outputPath?: string;
  /** Cross-compile with the wasm32 LLVM toolchain (a derived toolchain file); false for this machine. */
  toolchain?: boolean;
  /** Workspace-relative manifest of that toolchain (default dist/toolchain/llvm-wasm32.json). */
  toolchainManifest?: string;
}
