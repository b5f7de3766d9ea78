// The worker's half of service-thread.ts: the event loop of a guest that runs on the calling
// thread, serving its channel (sockets, the line editor) until terminated.
import { writeSync } from 'node:fs';
import { markServerGone } from './channel.ts';
import { MountTable } from './fs/mounts.ts';
import { unixSocketPath } from './fs/unix-paths.ts';
import { FAILED, SERVING, type ServiceInit } from './service-thread.ts';
import { SocketService } from './sockets/host/service.ts';
import { ReadlineService } from './tty/readline-service.ts';

/** Serves the guest (guest-bootstrap.mjs calls it, in the worker ServiceThread started). */
export function serveGuest(init: ServiceInit): void {
  const state = new Int32Array(init.state);
  const fail = (e: unknown) => {
    // No event loop of the calling thread would show an error event before the guest is done.
    writeSync(2, `pywasi: the thread serving the guest's sockets failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    markServerGone(init.channel);
    Atomics.store(state, 0, FAILED);
    Atomics.notify(state, 0);
    process.exit(1);
  };
  process.on('uncaughtException', fail);
  try {
    const mounts = new MountTable(init.mounts);
    // Warnings go straight to fd 2: the calling thread, which would forward them, is busy.
    const readline = init.readline ? ReadlineService.open({ ...init.readline, warn: (line) => void writeSync(2, `${line}\n`) }) : null;
    const service = new SocketService(init.channel, {
      net: init.net,
      unixPath: (guestPath, bind) => unixSocketPath(mounts, guestPath, bind),
      ringPort: init.ringPort,
      ...(readline ? { readline } : {}),
    });
    service.start();
  } catch (e) {
    fail(e);
    return;
  }
  // Nothing else keeps this thread's event loop alive while the guest has no socket open:
  // Atomics.waitAsync does not, and a thread that ran out of work would leave the guest waiting.
  setInterval(() => {}, 2 ** 31 - 1);
  process.on('exit', () => markServerGone(init.channel));
  Atomics.store(state, 0, SERVING);
  Atomics.notify(state, 0);
}
