export interface ToolchainExecutorOptions {
  /** The LLVM major every native target is compiled with. */
  llvmMajor: number;
  /** Workspace-relative manifest to write (default dist/toolchain/llvm-wasm32.json). */
  manifest?: string;
  /** WebAssembly features every wasm32 compile enables (clang's -m<feature>), recorded in the
   * manifest as its targetFlags. */
  wasmFeatures?: string[];
  /** Install missing packages with apt-get when running as root on Debian/Ubuntu (default true). */
  install?: boolean;
}
