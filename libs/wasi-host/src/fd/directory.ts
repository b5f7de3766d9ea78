// A directory fd: a host directory by its handle (held while the fd is open), or a synthetic
// directory of the guest tree. Read by cookies (fd_readdir); never read or written as bytes.
import { Errno } from '../errno.ts';
import type { DirListing } from '../fs/dir-listing.ts';
import { listDirectory } from '../fs/list-directory.ts';
import { setTimesAt, statLocation } from '../fs/location-stat.ts';
import type { HostDir, Location, PathResolver } from '../fs/resolve.ts';
import { ALL_RIGHTS, DIR_RIGHTS, Filetype, Whence, type FilestatRecord } from '../fs/wire.ts';
import { Descriptor, fail } from './descriptor.ts';

export class Directory extends Descriptor {
  readonly kind = 'directory';
  /** The listing taken at cookie 0, served to later fd_readdir calls of the same pass. */
  private listing: DirListing | null = null;

  private readonly resolver: PathResolver;
  readonly loc: HostDir | (Location & { kind: 'tree' });
  readonly preopen: string | undefined;

  /** Holds the handle of a host directory until closed. `preopen`: the name of the one directory
   * the guest receives at start ("/"). */
  constructor(
    resolver: PathResolver,
    loc: HostDir | (Location & { kind: 'tree' }),
    preopen?: string,
  ) {
    super(DIR_RIGHTS, ALL_RIGHTS);
    this.resolver = resolver;
    this.loc = loc;
    this.preopen = preopen;
    if (loc.kind === 'host') loc.dir.retain();
  }

  filetype(): number {
    return Filetype.DIRECTORY;
  }
  filestat(): FilestatRecord {
    return statLocation(this.loc);
  }
  override read(): number {
    return fail(Errno.ISDIR);
  }
  override write(): number {
    return fail(Errno.BADF);
  }
  override pread(): number {
    return fail(Errno.ISDIR);
  }
  override pwrite(): number {
    return fail(Errno.ISDIR);
  }
  override allocate(): void {
    fail(Errno.ISDIR);
  }
  override advise(): void {
    fail(Errno.ISDIR);
  }
  /** Read by cookies, so only a rewind (lseek(fd, 0, SEEK_SET)) means something: it answers 0,
   * as Linux does. */
  override seek(offset: bigint, whence: number): bigint {
    if (offset !== 0n || (whence !== Whence.SET && whence !== Whence.CUR)) fail(Errno.INVAL);
    return 0n;
  }
  override tell(): bigint {
    return 0n;
  }
  override setTimes(atim: bigint, mtim: bigint, fst: number): void {
    setTimesAt(this.loc, atim, mtim, fst);
  }
  override datasync(): void {}
  /** A pass starts at cookie 0; later calls of the pass resume in the same listing. */
  override readdir(dest: Uint8Array, cookie: bigint): number {
    if (cookie === 0n || !this.listing) this.listing = listDirectory(this.resolver, this.loc);
    return this.listing.serve(cookie, dest);
  }
  override close(): void {
    if (this.loc.kind === 'host') this.loc.dir.release();
  }
}
