// Interrupting a guest without ending it: Ctrl-C becomes KeyboardInterrupt in python.wasm, as
// SIGINT does natively. WASI has no signals, so the host raises a flag in memory both threads see,
// and the guest thread reports it through calls the guest makes anyway (no new import, so the
// same module still loads on hosts without this):
//  - sched_yield answers EINTR while the flag is raised, and lowers it: the guest has taken the
//    interrupt. python.wasm asks from its evaluation loop and whenever it checks for signals
//    (CPython patch 0010); on other hosts sched_yield answers 0 and nothing changes.
//  - a blocking call (a sleep or poll_oneoff, a socket's accept or recv, a read that waits on
//    EAGAIN) returns EINTR while it is raised, without lowering it, so the program's EINTR path
//    (CPython's PyErr_CheckSignals) asks sched_yield next.
// An interrupt raised again before the guest took the first ends the run, as a second Ctrl-C
// ends a program stuck where it cannot see the first.

/** The flag: one int32, 1 while an interrupt waits for the guest to take it. */
export class InterruptFlag {
  readonly state: Int32Array;

  readonly buffer: SharedArrayBuffer;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.buffer = buffer;
    this.state = new Int32Array(buffer, 0, 1);
  }

  /** Host: raises it and wakes a guest sleeping on it. false: it was raised already (not taken). */
  raise(): boolean {
    const before = Atomics.compareExchange(this.state, 0, 0, 1);
    Atomics.notify(this.state, 0);
    return before === 0;
  }

  /** Host: lowers it (the interrupt reached the guest another way: its line editor). */
  lower(): void {
    Atomics.store(this.state, 0, 0);
  }

  /** Guest: takes a raised interrupt (sched_yield). */
  take(): boolean {
    return Atomics.compareExchange(this.state, 0, 1, 0) === 1;
  }

  /** Guest: whether an interrupt waits (a blocking call then returns EINTR). */
  get raised(): boolean {
    return Atomics.load(this.state, 0) === 1;
  }

  /** Guest: sleeps up to `ms`, woken early by a raise. */
  sleep(ms: number): void {
    Atomics.wait(this.state, 0, 0, ms);
  }
}

/** What a run's interrupter reaches on the thread that serves the guest (run-in-worker.ts). */
export interface InterruptTarget {
  /** Delivers an interrupt; returns false when the previous one is still waiting for the guest. */
  deliver(): boolean;
  /** Ends the run (a second interrupt the guest did not take). */
  end(): void;
}

/**
 * Interrupts a run: runWasi's `interrupter` option, the handle runPython returns, and what the
 * CLI calls on SIGINT. `interrupt()` delivers an interrupt to the guest (KeyboardInterrupt in
 * Python); one given while the previous is still pending ends the run with a
 * WasiInterruptedError. Between runs it does nothing and returns 'idle'.
 */
export class Interrupter {
  private target: InterruptTarget | null = null;

  interrupt(): 'delivered' | 'ended' | 'idle' {
    const target = this.target;
    if (!target) return 'idle';
    if (target.deliver()) return 'delivered';
    target.end();
    return 'ended';
  }

  /** The run that `interrupt()` reaches (one at a time); returns its detach. */
  attach(target: InterruptTarget): () => void {
    if (this.target) throw new TypeError('runWasi: this Interrupter already serves a running guest; give each run its own');
    this.target = target;
    return () => {
      if (this.target === target) this.target = null;
    };
  }
}
