// What a guest's event loop serves it, in either thread mode (run-in-worker.ts, service-worker.ts):
// its sockets (SocketService) and, when it runs on a terminal, the line editor behind
// /dev/pywasi-readline (ReadlineService).
import type { MessagePort } from 'node:worker_threads';
import type { ChannelBuffers } from './channel/channel.ts';
import type { MountTable } from './fs/mounts.ts';
import { withUnixSocketPath } from './fs/unix-paths.ts';
import { InterruptFlag } from './interrupts.ts';
import type { NetPolicy } from './sockets/net-policy.ts';
import { SocketService } from './sockets/host/service.ts';
import { ReadlineService, type ReadlineServiceOptions } from './tty/readline-service.ts';

export interface GuestServices {
  sockets: SocketService;
  /** null when not asked for, or when stdin and stdout are not both a terminal. */
  readline: ReadlineService | null;
  /** Delivers an interrupt (interrupts.ts): a line being edited ends as with Ctrl-C; otherwise the
   * flag is raised and whatever the guest waits in is woken. false: the previous one is still
   * waiting for the guest to take it. */
  interrupt(): boolean;
}

/** Starts serving the guest's requests on `channel`. */
export function startGuestServices(
  channel: ChannelBuffers,
  opts: {
    net: NetPolicy;
    /** The guest's mounts, for AF_UNIX paths. */
    mounts: MountTable;
    /** Where the guest posts its socket rings. */
    ringPort: MessagePort;
    readline?: (ReadlineServiceOptions & { stdin: number; stdout: number }) | undefined;
    /** Told what the network policy refused (RunWasiOptions.onNetRefused). */
    onNetRefused?: (what: string) => void;
    /** The guest's interrupt flag (GuestInit.interrupts); without it interrupts reach only a line
     * being edited (a guest on the calling thread: nothing here can be interrupted). */
    interrupts?: SharedArrayBuffer;
  },
): GuestServices {
  const readline = opts.readline ? ReadlineService.open(opts.readline) : null;
  const sockets = new SocketService(channel, {
    net: opts.net,
    unixPath: (guestPath, bind, use) => withUnixSocketPath(opts.mounts, guestPath, bind, use),
    ringPort: opts.ringPort,
    ...(readline ? { readline } : {}),
    ...(opts.onNetRefused ? { onNetRefused: opts.onNetRefused } : {}),
  });
  sockets.start();
  const flag = new InterruptFlag(opts.interrupts);
  const interrupt = (): boolean => {
    if (readline?.interrupt()) return true; // the editor answers KeyboardInterrupt itself
    if (!flag.raise()) return false;
    sockets.interrupt();
    return true;
  };
  return { sockets, readline, interrupt };
}
