export interface LibTarballExecutorOptions {
  /** Workspace-relative directory of the built library (its build output). */
  from: string;
  /** Package name, e.g. zlib. */
  name: string;
  version: string;
  /** Target triple the library is built for (wasm32-wasi). */
  target: string;
  /** Workspace-relative directory the tarball is written to. */
  outputPath: string;
}
