// The guest's user, as a Linux program expects one: a home directory, and an /etc/passwd and
// /etc/group that name the user and that home (Python's pwd, getpass and Path.home() read them).
// The home is a fresh private directory per run unless the embedder names a host directory: a
// home that outlives runs would let one run leave code (user site-packages, rc files) that every
// later run executes.
import { writeFileSync } from 'node:fs';
import { createPrivateTmp, type PrivateTmp } from './private-tmp.ts';
import type { MountSpec } from './mounts.ts';

export interface GuestUser {
  /** The login name (USER, LOGNAME, /etc/passwd). Default 'user'. */
  name?: string;
  /** A host directory to be the home, read-write (it persists across runs); default: a fresh
   * directory removed when the run ends. */
  home?: string;
}

/** uid and gid of the guest's user in /etc/passwd and /etc/group. WASI has no getuid: python.wasm's
 * os.getuid() and os.getgid() answer this same id (libs/cpython/source/patches/0017-*). */
const UID = 1000;
const NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** What a run needs for its user: the mounts, the environment, and what to remove at the end. */
export interface PreparedUser {
  mounts: MountSpec[];
  env: Record<string, string>;
  remove(): void;
}

export class GuestUserError extends Error {
  override readonly name = 'GuestUserError';
}

/** Makes the user's directories. `etc`: false when the embedder mounts /etc itself. */
export function prepareGuestUser(user: GuestUser, etc: boolean): PreparedUser {
  const name = user.name ?? 'user';
  if (!NAME.test(name)) throw new GuestUserError(`the guest user's name must be a lowercase login name (letters, digits, _ and -), got '${name}'`);
  const guestHome = `/home/${name}`;
  const made: PrivateTmp[] = [];
  const remove = () => {
    for (const d of made) d.remove();
  };
  try {
    const mounts: MountSpec[] = [];
    if (user.home !== undefined) mounts.push({ guest: guestHome, host: user.home });
    else {
      const home = createPrivateTmp('home');
      made.push(home);
      mounts.push({ guest: guestHome, host: home.path });
    }
    if (etc) {
      const dir = createPrivateTmp('etc');
      made.push(dir);
      writeFileSync(`${dir.path}/passwd`, `root:x:0:0:root:/root:/bin/sh\n${name}:x:${UID}:${UID}:${name}:${guestHome}:/bin/sh\n`);
      writeFileSync(`${dir.path}/group`, `root:x:0:\n${name}:x:${UID}:\n`);
      mounts.push({ guest: '/etc', host: dir.path, readOnly: true });
    }
    return { mounts, env: { HOME: guestHome, USER: name, LOGNAME: name }, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
