export interface WasmResumableExecutorOptions {
  /** Workspace-relative input module. */
  input: string;
  /** Workspace-relative output module (written atomically). */
  output: string;
  /** Exported function that initialises the module (no arguments, no result); kept. */
  initExport: string;
}
