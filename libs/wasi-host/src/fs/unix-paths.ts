// AF_UNIX socket paths are file-system paths too: they go through the same confined resolution as
// every other guest path, so a guest cannot connect to a host socket outside its mounts (say,
// a container engine's) through an absolute path or a symlink.
import { Errno } from '../errno.ts';
import { WasiError } from './device.ts';
import type { MountTable } from './mounts.ts';
import { resolvePath, rootLocation } from './resolve.ts';

/** The host path for an AF_UNIX guest path, or the errno refusing it. A relative path counts from
 * "/" (the host does not know the guest's working directory). */
export function unixSocketPath(mounts: MountTable, guestPath: string, bind: boolean): string | number {
  try {
    const res = resolvePath(mounts, rootLocation(mounts), guestPath, !bind);
    if (bind) {
      if (res.loc) return Errno.ADDRINUSE;
      const parent = res.parent;
      if (parent.kind !== 'host' || parent.mount.readOnly) return Errno.ROFS;
      return parent.host + '/' + res.name;
    }
    if (!res.loc) return Errno.NOENT;
    if (res.loc.kind !== 'host') return Errno.CONNREFUSED;
    return res.loc.host;
  } catch (e) {
    return e instanceof WasiError ? e.errno : Errno.IO;
  }
}
