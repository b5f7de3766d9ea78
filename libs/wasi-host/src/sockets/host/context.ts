// What the parts of the socket service share: the sockets by guest fd, the channel they answer on,
// the host's policy and paths, and the parked requests. Each guest thread has its own channel (a
// wasi-threads guest has several: SocketService.serve) and is blocked while it waits, so each
// channel has at most one request parked: a blocking call waiting until its socket is ready or its
// deadline passes. Every socket event calls wake(), which retries them.
import type { MessagePort } from 'node:worker_threads';
import type { OpCodec, Shape, ValueOf } from '../../channel/codec.ts';
import type { HostChannel, Request } from '../../channel/channel.ts';
import { Errno, POLICY_REFUSED, errnoFromNode } from '../../errno.ts';
import { NetAccess, type NetPolicy } from '../net-policy.ts';
import type { HostSocket } from './host-socket.ts';

export interface SocketServiceOptions {
  net: NetPolicy;
  /** Calls `use` with the host path of an AF_UNIX socket's guest path (through the guest's mounts,
   * see fs/unix-paths.ts), valid during that call only; returns 0, or the errno that refuses it.
   * `bind` names a path to create. */
  unixPath: (guestPath: string, bind: boolean, use: (hostPath: string, keep: () => () => void) => void) => number;
  /** Where the guest posts new socket rings ({ id, sab }) before its RING request. */
  ringPort?: MessagePort;
  /** Told what the policy refused (a one-line description), before the guest gets EACCES. */
  onNetRefused?: (what: string) => void;
  /** Serves Ops.readline (tty/readline-service.ts); without it that op fails with NOSYS. */
  readline?: { serve(req: Request, channel: HostChannel): void };
}

/** "host:port", with an IPv6 address in brackets. */
export const hostPort = (address: string, port: number): string => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

/** A guest thread's channel, and its parked request. */
export interface Served {
  readonly channel: HostChannel;
  parked: Parked | null;
}

interface Parked {
  /** Answers and returns true when the request can complete now. */
  attempt: () => boolean;
  timer: NodeJS.Timeout | null;
  /** Answers an interrupted wait (EINTR); absent when the call must run to its end. */
  onInterrupt?: () => void;
}

export class ServiceContext {
  readonly sockets = new Map<number, HostSocket>();
  /** The network policy, with what the guest's lookups of allowed names answered. */
  readonly net: NetAccess;
  /** Every channel served, the main guest thread's first. Replaced, never changed in place, so a
   * wake() going through it meets no channel added or removed meanwhile. */
  private served: readonly Served[];
  /** The channel whose request is being served: where reply and status go. */
  private current: Served;

  readonly options: SocketServiceOptions;

  constructor(
    main: HostChannel,
    options: SocketServiceOptions,
  ) {
    this.current = { channel: main, parked: null };
    this.served = [this.current];
    this.options = options;
    this.net = new NetAccess(options.net);
  }

  /** The channel of the request being served. */
  get channel(): HostChannel {
    return this.current.channel;
  }

  /** Every channel served (the main guest thread's first). */
  get channels(): readonly Served[] {
    return this.served;
  }

  /** Serves one more channel (a spawned guest thread's). */
  add(channel: HostChannel): Served {
    const served: Served = { channel, parked: null };
    this.served = [...this.served, served];
    return served;
  }

  /** Stops answering on a channel (its thread has ended): its parked request is forgotten. */
  remove(served: Served): void {
    this.forget(served);
    this.served = this.served.filter((s) => s !== served);
  }

  /** Runs `fn` (which answers a request, now or by parking it) for `served`'s channel. */
  serving(served: Served, fn: () => void): void {
    const before = this.current;
    this.current = served;
    try {
      fn();
    } finally {
      this.current = before;
    }
  }

  reply<R extends Shape>(op: OpCodec<Shape, R>, value: ValueOf<R>): void {
    this.channel.reply(op, value);
  }

  /** Refuses what the network policy does not allow (EACCES in the guest), telling the embedder
   * (`onNetRefused`) what it was, e.g. "connect to 203.0.113.7:443". */
  refuse(what: string): void {
    this.options.onNetRefused?.(what);
    this.status(POLICY_REFUSED);
  }

  /** Answers with an errno alone (0: success with nothing to report). */
  status(errno: number): void {
    this.channel.status(errno);
  }

  /**
   * Answers now if `attempt` does (returns true); otherwise parks until a socket event makes it
   * succeed or `timeoutMs` (-1 = none) passes, when `onTimeout` answers. A non-blocking request
   * never parks: `onTimeout` answers at once. `interruptible`: an interrupt of the guest answers
   * the parked request with EINTR (waits that have taken nothing yet: accept, recv, poll).
   */
  wait(attempt: () => boolean, o: { nonblock?: boolean; timeoutMs: number }, onTimeout: () => void, interruptible = false): void {
    if (attempt()) return;
    if (o.nonblock) return onTimeout();
    const served = this.current;
    const parked: Parked = { attempt, timer: null, ...(interruptible ? { onInterrupt: () => this.status(Errno.INTR) } : {}) };
    if (o.timeoutMs >= 0) {
      parked.timer = setTimeout(() => {
        if (served.parked !== parked) return;
        served.parked = null;
        this.serving(served, onTimeout);
      }, o.timeoutMs);
    }
    served.parked = parked;
  }

  /** Parks the request until the returned function is called; `answer` then answers it with the
   * value given: for the Node calls that complete in a callback (bind, listen, name lookup). */
  parkUntil<T>(answer: (value: T) => void): (value: T) => void {
    let result: { value: T } | null = null;
    this.wait(() => {
      if (result === null) return false;
      answer(result.value);
      return true;
    }, { timeoutMs: -1 }, () => {});
    return (value) => {
      result = { value };
      this.wake();
    };
  }

  /** parkUntil for a call whose outcome is an errno alone. */
  pending(): (errno: number) => void {
    return this.parkUntil((errno: number) => this.status(errno));
  }

  /** Called after any socket event: retries the parked requests. */
  wake = (): void => {
    for (const served of this.served) if (served.parked) this.retry(served);
  };

  /** Retries `served`'s parked request. An attempt may park anew (a request with several waits,
   * e.g. a send after a connect). */
  private retry(served: Served): void {
    const p = served.parked!;
    served.parked = null;
    const before = this.current;
    this.current = served;
    let done: boolean;
    try {
      done = p.attempt();
    } catch (e) {
      done = true;
      this.status(errnoFromNode(e));
    } finally {
      this.current = before;
    }
    if (!done) {
      served.parked ??= p;
      return;
    }
    if (p.timer) clearTimeout(p.timer);
  }

  /** The guest was interrupted: an interruptible request the main thread has parked answers
   * EINTR. Only the main thread's: an interrupt is Ctrl-C, which Python raises in its main thread
   * (a spawned thread's calls do not see interrupts: run-guest.ts). */
  interrupt(): void {
    const main = this.served[0]!;
    const p = main.parked;
    if (!p?.onInterrupt) return;
    main.parked = null;
    if (p.timer) clearTimeout(p.timer);
    this.serving(main, p.onInterrupt);
  }

  /** Forgets every parked request (the guest has exited). */
  unpark(): void {
    for (const served of this.served) this.forget(served);
  }

  private forget(served: Served): void {
    if (served.parked?.timer) clearTimeout(served.parked.timer);
    served.parked = null;
  }
}
