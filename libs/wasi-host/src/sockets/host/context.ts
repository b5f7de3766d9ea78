// What the parts of the socket service share: the sockets by guest fd, the channel they answer on,
// the host's policy and paths, and the one parked request. The guest is single-threaded and
// blocked while it waits, so at most one request is parked: a blocking call waiting until its
// socket is ready or its deadline passes. Every socket event calls wake(), which retries it.
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
  private parked: Parked | null = null;

  readonly channel: HostChannel;
  readonly options: SocketServiceOptions;

  constructor(
    channel: HostChannel,
    options: SocketServiceOptions,
  ) {
    this.channel = channel;
    this.options = options;
    this.net = new NetAccess(options.net);
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
    const parked: Parked = { attempt, timer: null, ...(interruptible ? { onInterrupt: () => this.status(Errno.INTR) } : {}) };
    if (o.timeoutMs >= 0) {
      parked.timer = setTimeout(() => {
        if (this.parked !== parked) return;
        this.parked = null;
        onTimeout();
      }, o.timeoutMs);
    }
    this.parked = parked;
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

  /** Called after any socket event: retries the parked request. An attempt may park anew (a
   * request with several waits, e.g. a send after a connect). */
  wake = (): void => {
    const p = this.parked;
    if (!p) return;
    this.parked = null;
    let done: boolean;
    try {
      done = p.attempt();
    } catch (e) {
      done = true;
      this.status(errnoFromNode(e));
    }
    if (!done) {
      this.parked ??= p;
      return;
    }
    if (p.timer) clearTimeout(p.timer);
  };

  /** The guest was interrupted: an interruptible parked request answers EINTR. */
  interrupt(): void {
    const p = this.parked;
    if (!p?.onInterrupt) return;
    this.parked = null;
    if (p.timer) clearTimeout(p.timer);
    p.onInterrupt();
  }

  /** Forgets the parked request (the guest has exited). */
  unpark(): void {
    if (this.parked?.timer) clearTimeout(this.parked.timer);
    this.parked = null;
  }
}
