// How a run fails, as runWasi's promise rejects: the module cannot run, the guest trapped, or the
// user interrupted it.
import type { ModuleCheck } from './wasm-imports.ts';

/** The module cannot run here: not wasm, invalid, or imports we do not provide. */
export class WasiModuleError extends Error {
  readonly check: ModuleCheck | undefined;

  constructor(
    message: string,
    check?: ModuleCheck,
  ) {
    super(message);
    this.check = check;
    this.name = 'WasiModuleError';
  }
}

/** The guest trapped (unreachable, out-of-bounds access, stack exhaustion...). */
export class WasiTrapError extends Error {
  readonly trapName: string;
  readonly guestStack: string | undefined;

  constructor(
    message: string,
    trapName: string,
    guestStack?: string,
  ) {
    super(message);
    this.trapName = trapName;
    this.guestStack = guestStack;
    this.name = 'WasiTrapError';
  }
}

/** Ctrl-C (SIGINT) ended a guest that ran on the calling thread (`thread: 'caller'`). A CLI ends
 * itself by the same signal, as a native process that got it would. */
export class WasiInterruptedError extends Error {
  override readonly name = 'WasiInterruptedError';
  readonly signal = 'SIGINT';
  constructor() {
    super('interrupted (SIGINT)');
  }
}

/** The error of a run ended by its time limit. */
export function timeLimitError(timeoutMs: number): WasiLimitError {
  return new WasiLimitError('timeout', `the run took longer than its time limit (${timeoutMs / 1000} s)`);
}

/** The run reached a limit its options set (`timeoutMs`, `maxMemoryBytes`) and was ended there. */
export class WasiLimitError extends Error {
  override readonly name = 'WasiLimitError';
  readonly limit: 'timeout' | 'memory';

  constructor(
    limit: 'timeout' | 'memory',
    message: string,
  ) {
    super(message);
    this.limit = limit;
  }
}
