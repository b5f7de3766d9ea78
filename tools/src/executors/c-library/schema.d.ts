export interface CLibraryExecutorOptions {
  /** Globs of C sources, relative to the project root. */
  sources: string[];
  /** Project-relative include directories used while compiling. */
  includeDirs?: string[];
  /** Project-relative directory of public headers, copied to <outputPath>/include. */
  publicInclude?: string;
  cflags?: string[];
  /** Workspace-relative sysroot (e.g. dist/libs/wasi-libc/sysroot). */
  sysroot: string;
  /** Target triple (default wasm32-wasi). */
  target?: string;
  /** Library name: produces lib<libName>.a. */
  libName: string;
  /** Project-relative files published too: file -> path under outputPath (e.g. a .pc file). */
  files?: Record<string, string>;
  /** Workspace-relative output directory: lib/ and include/ go under it. */
  outputPath: string;
  /** Workspace-relative toolchain manifest (a variant's; default the toolchain project's). */
  toolchainManifest?: string;
  /** Workspace-relative directory the library is built in (a variant's own; default build/<project>/c-library). */
  stageDir?: string;
}
