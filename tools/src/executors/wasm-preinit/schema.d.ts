export interface WasmPreinitExecutorOptions {
  /** Workspace-relative input module. */
  input: string;
  /** Workspace-relative output module (written atomically). */
  output: string;
  /** Exported function that initialises the module (no arguments, no result). */
  initExport: string;
  /** argv while initialising. Default: [basename of input]. */
  args?: string[];
  /** Environment while initialising. Default: empty. */
  env?: Record<string, string>;
  /** guest path → workspace-relative host directory, pre-opened while initialising. */
  dirs?: Record<string, string>;
}
