export interface ToolchainExecutorOptions {
  /** The LLVM major every native target is compiled with. */
  llvmMajor: number;
  /** Install missing packages with apt-get when running as root on Debian/Ubuntu (default true). */
  install?: boolean;
}
