export interface WasmOptExecutorOptions {
  /** Workspace-relative input module. */
  input: string;
  /** Workspace-relative output module (written atomically). */
  output: string;
  /** wasm-opt flags, e.g. ["-O2", "--strip-debug"]. */
  flags: string[];
}
