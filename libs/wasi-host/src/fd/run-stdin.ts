// The host fd the guest's fd 0 reads. A pipe or a terminal is reopened without blocking (a new open
// file description of the same pipe or terminal, so the flag does not reach whoever else holds it):
// a guest thread blocked in read(2) on it could not be stopped, since worker.terminate() does not
// interrupt a system call and Node joins every worker on exit, so a run that ended by timeout, abort
// or interrupt while its guest waited for input kept the embedder's process (and `pywasi --timeout`)
// alive until input came. Stdio's reads wait for EAGAIN to pass in short interruptible sleeps instead
// (fd/host-io.ts), unless the guest itself asked for O_NONBLOCK.
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { isatty } from 'node:tty';

export interface RunStdin {
  fd: number;
  /** Closes the reopened fd, if there is one (the caller's own fd stays open). */
  close(): void;
}

export function openRunStdin(given: number | undefined): RunStdin {
  const fd = given ?? 0;
  let reopen = false;
  try {
    reopen = isatty(fd) || fstatSync(fd).isFIFO();
  } catch {
    // a closed fd: the guest's reads fail with EBADF
  }
  if (!reopen) return { fd, close() {} };
  let own: number;
  try {
    own = openSync(`/proc/self/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return { fd, close() {} }; // no /proc (not Linux): reads block as the fd does
  }
  return { fd: own, close: () => closeSync(own) };
}
