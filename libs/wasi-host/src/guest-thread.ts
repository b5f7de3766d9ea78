// The worker a guest runs in (runWasi's default thread), which may be started before the run is
// known: a Node worker takes tens of milliseconds to start and to load the guest's code, time a
// caller can overlap with its own (the CLI parses its arguments and checks the snapshot meanwhile).
// The run then hands the worker its init by message instead of workerData.
import { Worker } from 'node:worker_threads';

/** Where the code of the threads a run starts is: the bootstrap file and the entry module it
 * imports (guest-worker.ts). */
export interface ThreadEntry {
  bootstrap: URL;
  entry: string;
}

/** The guest thread's default native stack, in MiB (RunWasiOptions.stackSizeMb). */
export const DEFAULT_STACK_MB = 64;

/** A run's handlers of its worker's events (methods: a run narrows what its messages are). */
export interface GuestThreadHandlers {
  message(m: unknown): void;
  error(e: Error): void;
  exit(code: number): void;
}

/** A worker started for a guest; runWasi's `guestThread` takes it (once). */
export class GuestThread {
  readonly worker: Worker;
  readonly stackSizeMb: number;
  /** What the worker said before a run listened: replayed to it. */
  private readonly early: unknown[] = [];
  private earlyExit: number | null = null;
  private earlyError: Error | null = null;
  private taken = false;

  /** @internal use prestartGuestThread(). */
  constructor(code: ThreadEntry, stackSizeMb: number, init?: unknown, transferList: readonly Transferable[] = []) {
    this.stackSizeMb = stackSizeMb;
    this.worker = new Worker(code.bootstrap, {
      workerData: { role: 'guest', entry: code.entry, ...(init !== undefined ? { init } : {}) },
      transferList: transferList as never,
      resourceLimits: { stackSizeMb },
      stdout: false,
      stderr: false,
    });
    if (init === undefined) {
      // Waiting for a run: it must not keep the process alive, nor lose what it says meanwhile.
      this.worker.unref();
      this.worker.on('message', this.keep);
      this.worker.on('exit', this.keepExit);
      this.worker.on('error', this.keepError);
    }
  }

  private readonly keep = (m: unknown) => void this.early.push(m);
  private readonly keepExit = (code: number) => void (this.earlyExit = code);
  private readonly keepError = (e: Error) => void (this.earlyError ??= e);

  /** For a run: its init (with what it transfers), then the messages and exit the worker had
   * before, replayed to the run's handlers. */
  take(init: unknown, transferList: readonly Transferable[], on: GuestThreadHandlers): Worker {
    if (this.taken) throw new TypeError('runWasi: this guest thread already ran a guest; start one per run');
    this.taken = true;
    const w = this.worker;
    w.off('message', this.keep);
    w.off('exit', this.keepExit);
    w.off('error', this.keepError);
    w.ref();
    w.on('message', on.message);
    w.on('error', on.error);
    w.on('exit', on.exit);
    for (const m of this.early.splice(0)) on.message(m);
    if (this.earlyError) on.error(this.earlyError);
    if (this.earlyExit !== null) on.exit(this.earlyExit);
    else w.postMessage({ type: 'init', init }, transferList as never);
    return w;
  }

  /** Stops a thread no run took. */
  close(): void {
    if (!this.taken) void this.worker.terminate();
  }
}
