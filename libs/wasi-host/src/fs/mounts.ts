// The guest's directory tree: host directories mounted at guest paths, and the read-only synthetic
// directories that hold them ("/", and every parent of every mount), so the guest sees one tree
// that behaves like a real one: "/" lists its children, makedirs(exist_ok=True) finds its parents.
// Synthetic devices (/dev/null...) hang in the same tree.
import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { GuestDevice } from './device.ts';
import { procFdProblem } from './dir-handle.ts';

export interface MountSpec {
  /** Absolute guest path, e.g. "/data". */
  guest: string;
  /** Host directory. */
  host: string;
  /** Writes fail with EROFS. */
  readOnly?: boolean;
}

export interface Mount {
  /** Normalised guest path ("/" or "/a/b"). */
  readonly guest: string;
  /** Real host path of the mounted directory (symlinks resolved once, at mount time). */
  readonly host: string;
  /** The host path as the user gave it, made absolute: absolute symlink targets may name either. */
  readonly hostAsGiven: string;
  readonly readOnly: boolean;
  readonly node: TreeNode;
}

/** A node of the guest tree: a mount point, a device, or a synthetic directory on the way to one. */
export interface TreeNode {
  readonly name: string;
  readonly parent: TreeNode | null;
  readonly children: Map<string, TreeNode>;
  mount?: Mount;
  device?: () => GuestDevice;
  /** Stable inode-like number for synthetic nodes. */
  readonly ino: bigint;
}

export class MountError extends Error {
  override readonly name = 'MountError';
}

/** Splits an absolute guest path into components, refusing "." and ".." (a mount point is literal). */
export function guestComponents(guestPath: string): string[] {
  if (!guestPath.startsWith('/')) throw new MountError(`guest path must be absolute: ${guestPath}`);
  const parts = guestPath.split('/').filter((p) => p !== '');
  for (const p of parts) if (p === '.' || p === '..') throw new MountError(`guest path may not contain '.' or '..': ${guestPath}`);
  return parts;
}

const SYNTHETIC_INO_BASE = 0xffff_0000_0000n;

export class MountTable {
  readonly root: TreeNode;
  readonly mounts: Mount[] = [];
  private nextIno = SYNTHETIC_INO_BASE;

  constructor(specs: readonly MountSpec[], devices: Readonly<Record<string, () => GuestDevice>> = {}) {
    this.root = this.newNode('', null);
    for (const spec of specs) this.addMount(spec);
    for (const [guest, device] of Object.entries(devices)) {
      const node = this.nodeFor(guestComponents(guest));
      if (node.mount || node.children.size) throw new MountError(`device path is already in use: ${guest}`);
      node.device = device;
    }
  }

  private newNode(name: string, parent: TreeNode | null): TreeNode {
    return { name, parent, children: new Map(), ino: this.nextIno++ };
  }

  private nodeFor(parts: string[]): TreeNode {
    let node = this.root;
    for (const part of parts) {
      let child = node.children.get(part);
      if (!child) {
        child = this.newNode(part, node);
        node.children.set(part, child);
      }
      node = child;
    }
    return node;
  }

  private addMount(spec: MountSpec): void {
    const parts = guestComponents(spec.guest);
    const unconfinable = procFdProblem();
    if (unconfinable) throw new MountError(unconfinable);
    const hostAsGiven = path.resolve(spec.host);
    let host: string;
    try {
      host = realpathSync.native(hostAsGiven);
      if (!statSync(host).isDirectory()) throw new MountError(`not a directory: ${spec.host}`);
    } catch (e) {
      if (e instanceof MountError) throw e;
      throw new MountError(`no such directory: ${spec.host}`);
    }
    const node = this.nodeFor(parts);
    const mount: Mount = { guest: '/' + parts.join('/'), host, hostAsGiven, readOnly: spec.readOnly === true, node };
    // A later mount of the same guest path replaces the earlier one, as mounting over it would.
    const previous = node.mount;
    if (previous) this.mounts.splice(this.mounts.indexOf(previous), 1);
    node.mount = mount;
    this.mounts.push(mount);
  }

  /** The innermost mount at or above `node`, with the components from its root down to `node`. */
  mountOf(node: TreeNode): { mount: Mount; rel: string[] } | null {
    const rel: string[] = [];
    for (let n: TreeNode | null = node; n; n = n.parent) {
      if (n.mount) return { mount: n.mount, rel: rel.reverse() };
      rel.push(n.name);
    }
    return null;
  }

  /**
   * Whether a host directory is some mount's host directory or lies above one. The guest may not
   * rename or remove it through another mount: a symlink put at its path would take the mount
   * wherever it points.
   */
  holdsMount(host: string): boolean {
    const prefix = host.endsWith('/') ? host : host + '/';
    return this.mounts.some((m) => m.host === host || m.host.startsWith(prefix));
  }

  /** Whether another mount's host directory lies inside this mount's (so holdsMount can be true
   * for something in it). */
  nestsMounts(mount: Mount): boolean {
    const prefix = mount.host.endsWith('/') ? mount.host : mount.host + '/';
    return this.mounts.some((m) => m !== mount && m.host.startsWith(prefix));
  }

  /** The tree node at a guest path, if the tree has one. */
  find(parts: readonly string[]): TreeNode | undefined {
    let node: TreeNode | undefined = this.root;
    for (const part of parts) {
      node = node.children.get(part);
      if (!node) return undefined;
    }
    return node;
  }
}
