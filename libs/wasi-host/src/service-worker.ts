// The worker's half of service-thread.ts: the event loop of a guest that runs on the calling
// thread, serving its channel (sockets, the line editor) until terminated.
import { writeSync } from 'node:fs';
import { markServerGone } from './channel/channel.ts';
import { MountTable } from './fs/mounts.ts';
import { startGuestServices } from './guest-services.ts';
import { FAILED, SERVING, type ServiceInit } from './service-thread.ts';

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
    startGuestServices(init.channel, {
      net: init.net,
      mounts: new MountTable(init.mounts),
      ringPort: init.ringPort,
      // Warnings go straight to fd 2: the calling thread, which would forward them, is busy.
      readline: init.readline ? { ...init.readline, warn: (line) => void writeSync(2, `${line}\n`) } : undefined,
    });
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
