// A synthetic device of the guest tree opened as an fd (/dev/null, /dev/pywasi-readline...): reads
// and writes go to its GuestDevice. Not a terminal (isatty() is false: it has the seek rights), as
// /dev/null is not.
import type { GuestDevice } from '../fs/device.ts';
import type { IoVec } from '../abi/guest-memory.ts';
import { totalLength } from '../abi/guest-memory.ts';
import { syntheticStat } from '../fs/location-stat.ts';
import type { TreeNode } from '../fs/mounts.ts';
import { Fdflags, FILE_RIGHTS, Filetype, type FilestatRecord } from '../fs/wire.ts';
import { Descriptor, type DescriptorIo } from './descriptor.ts';

export class DeviceFile extends Descriptor {
  readonly kind = 'device';
  private nonblock: boolean;

  private readonly io: DescriptorIo;
  private readonly device: GuestDevice;
  private readonly node: TreeNode;

  constructor(
    io: DescriptorIo,
    device: GuestDevice,
    node: TreeNode,
    nonblock: boolean,
  ) {
    super(FILE_RIGHTS, FILE_RIGHTS);
    this.io = io;
    this.device = device;
    this.node = node;
    this.nonblock = nonblock;
  }

  filetype(): number {
    return Filetype.CHARACTER_DEVICE;
  }
  override fdflags(): number {
    return this.nonblock ? Fdflags.NONBLOCK : 0;
  }
  override setFdflags(flags: number): void {
    this.nonblock = (flags & Fdflags.NONBLOCK) !== 0;
  }
  filestat(): FilestatRecord {
    return syntheticStat(this.node);
  }
  override read(iovs: IoVec[]): number {
    const buf = Buffer.allocUnsafe(Math.min(totalLength(iovs), 1 << 20));
    const n = this.device.read(buf);
    return this.io.mem.scatter(iovs, buf.subarray(0, n));
  }
  override write(iovs: IoVec[]): number {
    const buf = Buffer.allocUnsafe(totalLength(iovs));
    this.io.mem.gather(iovs, buf);
    return this.device.write(buf);
  }
  /** Linux: seeking /dev/null succeeds at 0. */
  override seek(): bigint {
    return 0n;
  }
  override tell(): bigint {
    return 0n;
  }
  override close(): void {
    this.device.close?.();
  }
}
