import type { InstalledTool } from '../../lib/installed-tool.ts';
import type { SourceRequest } from '../../lib/pinned-source.ts';

export interface AutotoolsExecutorOptions {
  /** Workspace-relative source tree. */
  sourceDir: string;
  /** The pinned source sourceDir is made from: prepared (verified, extracted, patched) before the
   * build, and kept as it is when it already carries the same pin and patches. */
  source?: SourceRequest;
  /** Workspace-relative build directory for out-of-tree builds; defaults to sourceDir. */
  buildDir?: string;
  /** Run a configure script in buildDir first. */
  configure?: {
    /** Script path relative to sourceDir (default "configure"). */
    script?: string;
    args?: string[];
  };
  make?: {
    targets?: string[];
    args?: string[];
  };
  /** `make <targets>` after the build, e.g. ["install"]; args are added to it. */
  install?: {
    targets?: string[];
    args?: string[];
  };
  /** Environment for every step, values may use placeholders. */
  env?: Record<string, string>;
  /** Workspace-relative paths removed before the source is prepared and the build runs (stale
   * staging dirs; an in-source build's whole tree, whose objects make would otherwise keep). */
  clean?: string[];
  /** Products copied to their final, workspace-relative place after a successful build. */
  publish?: { from: string; to: string }[];
  /** Workspace-relative output publish writes: the target's cached output (a variant's is its own). */
  outputPath?: string;
  /** A host tool: the machine's own, when it is the pinned version, instead of a build. */
  installed?: InstalledTool;
  /** Use the wasm32 LLVM toolchain (its placeholders, e.g. {cc}); false for native builds. */
  toolchain?: boolean;
  /** Workspace-relative manifest of that toolchain (default dist/toolchain/llvm-wasm32.json). */
  toolchainManifest?: string;
}
