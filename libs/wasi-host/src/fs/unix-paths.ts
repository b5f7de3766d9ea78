// AF_UNIX socket paths are file-system paths too: they go through the same confined resolution as
// every other guest path, so a guest cannot connect to a host socket outside its mounts (say,
// a container engine's) through an absolute path, a symlink or a directory swapped meanwhile.
import { Errno } from '../errno.ts';
import { WasiError } from './device.ts';
import type { MountTable } from './mounts.ts';
import type { DirHandle } from './dir-handle.ts';
import { PathResolver } from './resolve.ts';

/** Holds `dir` until the returned function is first called. */
function hold(dir: DirHandle): () => void {
  let held: DirHandle | null = dir.retain();
  return () => {
    held?.release();
    held = null;
  };
}

/**
 * Resolves an AF_UNIX guest path and calls `use` with a host path for it, which names the entry
 * inside a directory handle (/proc/<pid>/fd/N/name): valid during the call only, as the handle is
 * closed afterwards (bind and connect take it at once), unless `use` calls `keep`, which holds the
 * handle until the function it returns is called (a listening socket's file is unlinked through
 * the same path when the server closes). Returns 0, or the errno refusing the path. A relative
 * path counts from "/" (the host does not know the guest's working directory).
 */
export function withUnixSocketPath(mounts: MountTable, guestPath: string, bind: boolean, use: (hostPath: string, keep: () => () => void) => void): number {
  const resolver = new PathResolver(mounts);
  try {
    const res = resolver.resolve(resolver.rootLocation(), guestPath, !bind);
    if (bind) {
      if (res.loc) return Errno.ADDRINUSE;
      const parent = res.parent;
      if (parent.kind !== 'host' || parent.mount.readOnly) return Errno.ROFS;
      use(parent.dir.at(res.name), () => hold(parent.dir));
      return 0;
    }
    if (!res.loc) return Errno.NOENT;
    if (res.loc.kind !== 'host') return Errno.CONNREFUSED;
    const dir = res.loc.dir;
    use(res.loc.host, () => hold(dir));
    return 0;
  } catch (e) {
    return e instanceof WasiError ? e.errno : Errno.IO;
  } finally {
    resolver.close();
  }
}
