// PathResolver, MountTable.holdsMount and withUnixSocketPath over a real temp dir: the confinement
// rules of src/fs/resolve.ts, without wasm. (The races are in fs-race.test.ts.)
import { mkdirSync, mkdtempSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { Errno } from '../src/errno.ts';
import { nullDevice, WasiError } from '../src/fs/device.ts';
import { MountTable } from '../src/fs/mounts.ts';
import { guestPath, hostPathNow, PathResolver, type Location, type Resolved } from '../src/fs/resolve.ts';
import { withUnixSocketPath } from '../src/fs/unix-paths.ts';

let T = '';
let M = ''; // mounted at /m, through the alias T/m-alias
let table: MountTable;
let resolver: PathResolver;

const errnoName = (n: number): string => Object.entries(Errno).find(([, v]) => v === n)?.[0] ?? String(n);

/** The errno name resolvePath fails with, or null. */
function failure(p: string, follow = true, start?: Location): string | null {
  try {
    resolver.resolve(start ?? resolver.rootLocation(), p, follow);
    return null;
  } catch (e) {
    if (e instanceof WasiError) return errnoName(e.errno);
    throw e;
  }
}

function resolve(p: string, follow = true, start?: Location): Resolved {
  return resolver.resolve(start ?? resolver.rootLocation(), p, follow);
}

/** The host path (relative to T) a location has now, or null for a synthetic one. */
const hostOf = (loc: Location | null): string | null => (loc?.kind === 'host' ? path.relative(T, hostPathNow(loc)) : null);

/** Guest path and host path (relative to T, or null for synthetic) of what a path resolves to. */
function where(p: string, follow = true): { guest: string; host: string | null } | null {
  const { loc } = resolve(p, follow);
  if (!loc) return null;
  return { guest: guestPath(loc), host: hostOf(loc) };
}

beforeAll(() => {
  T = realpathSync(mkdtempSync(path.join(tmpdir(), 'pywasi-resolve-')));
  M = path.join(T, 'm');
  for (const d of ['m/d/e', 'm/sub', 'm-sibling', 'outside/dir', 'nested', 'ro', 'other']) mkdirSync(path.join(T, d), { recursive: true });
  writeFileSync(path.join(T, 'outside', 'secret'), 'secret');
  writeFileSync(path.join(T, 'm-sibling', 'f'), 'sibling');
  writeFileSync(path.join(M, 'file'), 'file');
  writeFileSync(path.join(M, 'd', 'e', 'deep'), 'deep');
  writeFileSync(path.join(T, 'nested', 'n'), 'n');
  writeFileSync(path.join(M, 'sub', 'hidden'), 'shadowed by the nested mount');
  symlinkSync(M, path.join(T, 'm-alias'));
  const l = (name: string, target: string): void => symlinkSync(target, path.join(M, name));
  l('abs_out', path.join(T, 'outside', 'secret'));
  l('rel_out', '../outside/secret');
  l('etc', '/etc');
  l('dir_out', path.join(T, 'outside'));
  l('abs_in', path.join(M, 'd', 'e', 'deep'));
  l('alias_in', path.join(T, 'm-alias', 'file'));
  l('alias_dotdot_out', path.join(T, 'm-alias') + '/../outside/secret');
  l('prefix_sibling', path.join(T, 'm-sibling', 'f'));
  l('rel_in', 'd/e/deep');
  l('d/up_in', '../file');
  l('d/up_out', '../../outside/secret');
  l('dot', '.');
  l('root_abs', M);
  l('loop_a', 'loop_b');
  l('loop_b', 'loop_a');
  l('dangling_in', 'd/new');
  l('dangling_out', path.join(T, 'outside', 'new'));
  l('through_nested', 'sub/../file');
  l('empty_target_dir', 'd/');
  // A chain of n links ending at "file": chain_n -> chain_{n-1} -> ... -> chain_1 -> file.
  l('chain_1', 'file');
  for (let i = 2; i <= 41; i++) l(`chain_${i}`, `chain_${i - 1}`);
  table = new MountTable(
    [
      { guest: '/m', host: path.join(T, 'm-alias') },
      { guest: '/m/sub', host: path.join(T, 'nested') },
      { guest: '/a/b/c', host: path.join(T, 'other') },
      { guest: '/ro', host: path.join(T, 'ro'), readOnly: true },
    ],
    { '/dev/null': nullDevice },
  );
  resolver = new PathResolver(table);
});

afterEach(() => resolver.endCall());

afterAll(() => {
  resolver?.close();
  if (T) rmSync(T, { recursive: true, force: true });
});

describe('PathResolver: walking the guest tree', () => {
  test('a file inside a mount resolves to its host path under the real mount directory', () => {
    const res = resolve('/m/d/e/deep');
    expect(where('/m/d/e/deep')).toEqual({ guest: '/m/d/e/deep', host: 'm/d/e/deep' });
    expect(res.stat?.isFile()).toBe(true);
    expect(res.name).toBe('deep');
  });

  test('"/" and the parents of mounts are synthetic directories', () => {
    expect(where('/')).toEqual({ guest: '/', host: null });
    expect(where('/a/b')).toEqual({ guest: '/a/b', host: null });
    expect(where('/a/b/c')).toEqual({ guest: '/a/b/c', host: 'other' });
  });

  test('".." from a mount root goes to the guest parent, never to the host directory above', () => {
    expect(where('/m/..')).toEqual({ guest: '/', host: null });
    expect(where('/a/b/c/..')).toEqual({ guest: '/a/b', host: null });
    expect(where('/' + '../'.repeat(100))).toEqual({ guest: '/', host: null });
    expect(failure('/m/../outside/secret')).toBe('NOENT');
    expect(failure('/m/' + '../'.repeat(50) + T.slice(1) + '/outside/secret')).toBe('NOENT');
  });

  test('relative paths start at the given location, ".." included', () => {
    const d = resolve('/m/d').loc!;
    expect(guestPath(resolve('e/deep', true, d).loc!)).toBe('/m/d/e/deep');
    expect(guestPath(resolve('../../a', true, d).loc!)).toBe('/a');
    expect(failure('../../outside/secret', true, d)).toBe('NOENT');
  });

  test('a nested mount shadows the host directory of the same name', () => {
    expect(where('/m/sub/n')).toEqual({ guest: '/m/sub/n', host: 'nested/n' });
    expect(resolve('/m/sub/hidden').loc).toBeNull();
    expect(failure('/m/sub/hidden/x')).toBe('NOENT');
    expect(where('/m/sub/..')).toEqual({ guest: '/m', host: 'm' });
  });

  test('a missing path: the parent is returned with the name to create', () => {
    const res = resolve('/m/d/new');
    expect(res.loc).toBeNull();
    expect(guestPath(res.parent)).toBe('/m/d');
    expect(res.name).toBe('new');
    expect(failure('/m/missing/x')).toBe('NOENT');
    expect(failure('/nowhere')).toBeNull();
    expect(failure('/nowhere/x')).toBe('NOENT');
  });

  test('files used as directories, devices, empty and over-long paths', () => {
    expect(failure('/m/file/x')).toBe('NOTDIR');
    expect(failure('/m/file/')).toBe('NOTDIR');
    expect(failure('/dev/null/x')).toBe('NOTDIR');
    expect(failure('')).toBe('NOENT');
    expect(failure('/m/' + 'x'.repeat(256))).toBe('NAMETOOLONG');
    expect(failure('/m/' + 'x/'.repeat(2100))).toBe('NAMETOOLONG');
  });
});

describe('PathResolver: symlinks', () => {
  test.each([
    ['/m/abs_out', 'an absolute link outside'],
    ['/m/rel_out', 'a relative link climbing above the mount root'],
    ['/m/d/up_out', 'a relative link in a subdirectory climbing above the root'],
    ['/m/etc/passwd', 'a link to /etc as an intermediate component'],
    ['/m/dir_out/secret', 'a link to a directory outside as an intermediate component'],
    ['/m/dir_out/../m/file', 'a link to outside followed by ".."'],
    ['/m/alias_dotdot_out', 'an absolute link through the alias and ".." out of it'],
    ['/m/prefix_sibling', 'an absolute link to a sibling whose name starts with the mount name'],
    ['/m/dangling_out', 'a dangling link outside (would be created by O_CREAT)'],
  ])('%s: EACCES (%s)', (p) => {
    expect(failure(p)).toBe('ACCES');
  });

  test('without follow, a link in the last component is the link itself', () => {
    const res = resolve('/m/abs_out', false);
    expect(res.stat?.isSymbolicLink()).toBe(true);
    expect(guestPath(res.loc!)).toBe('/m/abs_out');
    // A trailing slash asks for the directory: the link is followed, and refused.
    expect(failure('/m/dir_out/', false)).toBe('ACCES');
  });

  test.each([
    ['/m/abs_in', 'm/d/e/deep'],
    ['/m/alias_in', 'm/file'],
    ['/m/rel_in', 'm/d/e/deep'],
    ['/m/d/up_in', 'm/file'],
    ['/m/through_nested', 'm/file'],
    ['/m/dot/file', 'm/file'],
    ['/m/root_abs/d/e/deep', 'm/d/e/deep'],
    ['/m/empty_target_dir/e', 'm/d/e'],
  ])('%s stays inside and resolves to %s', (p, host) => {
    expect(where(p)?.host).toBe(host);
  });

  test('a link to its own mount root resolves to the root', () => {
    expect(where('/m/root_abs')).toEqual({ guest: '/m', host: 'm' });
    expect(where('/m/dot')).toEqual({ guest: '/m', host: 'm' });
  });

  test('a dangling link inside: the target is what O_CREAT would create', () => {
    const res = resolve('/m/dangling_in');
    expect(res.loc).toBeNull();
    expect(guestPath(res.parent)).toBe('/m/d');
    expect(res.name).toBe('new');
  });

  test('40 links are followed, the 41st is ELOOP; loops are ELOOP', () => {
    expect(where('/m/chain_40')?.host).toBe('m/file');
    expect(failure('/m/chain_41')).toBe('LOOP');
    expect(failure('/m/loop_a')).toBe('LOOP');
    expect(failure('/m/loop_a/x')).toBe('LOOP');
  });
});

describe('a directory fd is a handle: it keeps its directory, as with openat', () => {
  test('moved, and a link to the outside put in its place: the fd still reaches the moved directory only', () => {
    const dir = path.join(M, 'swap');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'f'), 'inside');
    const start = resolver.ownHandle(resolve('/m/swap').loc as Location & { kind: 'host' });
    start.dir.retain(); // held as a directory fd holds it
    try {
      expect(hostOf(resolve('f', true, start).loc)).toBe('m/swap/f');
      renameSync(dir, dir + '-moved');
      symlinkSync(path.join(T, 'outside'), dir);
      expect(hostOf(resolve('f', true, start).loc)).toBe('m/swap-moved/f');
      expect(resolve('secret', true, start).loc).toBeNull();
      // Absolute paths do not depend on the start: the link is refused.
      expect(failure('/m/swap/secret')).toBe('ACCES');
      // ".." goes to the parent where the guest found it, walked again from the mount root.
      expect(hostOf(resolve('../file', true, start).loc)).toBe('m/file');
    } finally {
      start.dir.release();
    }
  });
});

describe("finalStat 'dir': opendir opens a directory as a handle at once", () => {
  test('a directory comes back by its own handle with no lstat; a link is followed (confined); a file is looked at', () => {
    const root = resolver.rootLocation();
    const dir = resolver.resolve(root, '/m/d', false, 'dir');
    expect(dir.loc?.kind === 'host' && dir.loc.name).toBe('.');
    expect(dir.stat).toBeUndefined();
    expect(hostOf(dir.loc)).toBe('m/d');
    const viaLink = resolver.resolve(root, '/m/empty_target_dir', true, 'dir');
    expect(viaLink.loc?.kind === 'host' && viaLink.loc.rel).toEqual(['d']);
    expect(() => resolver.resolve(root, '/m/d/up_out', true, 'dir')).toThrow(expect.objectContaining({ errno: Errno.ACCES }));
    expect(resolver.resolve(root, '/m/file', true, 'dir').stat?.isFile()).toBe(true);
  });
});

describe('kept directory handles', () => {
  test('are used again only while the directory is where it was: a swap for a link or another directory is seen', () => {
    mkdirSync(path.join(M, 'pre/q'), { recursive: true });
    writeFileSync(path.join(M, 'pre/q/f'), 'inside');
    const hostAt = (p: string) => {
      const r: Resolved = resolve(p);
      return hostOf(r.loc);
    };
    expect(hostAt('/m/pre/q/f')).toBe('m/pre/q/f');
    expect(hostAt('/m/pre/q/f')).toBe('m/pre/q/f');
    expect(resolve('/m/pre/q/missing').loc).toBeNull();
    // Someone moves the directory away and puts a link to the outside in its place.
    renameSync(path.join(M, 'pre'), path.join(M, 'pre-moved'));
    symlinkSync(path.join(T, 'outside'), path.join(M, 'pre'));
    expect(failure('/m/pre/q/f')).toBe('ACCES');
    expect(failure('/m/pre/dir')).toBe('ACCES');
    // ... then a real directory with other content.
    rmSync(path.join(M, 'pre'));
    mkdirSync(path.join(M, 'pre/q'), { recursive: true });
    writeFileSync(path.join(M, 'pre/q/g'), 'new');
    expect(resolve('/m/pre/q/f').loc).toBeNull();
    expect(hostAt('/m/pre/q/g')).toBe('m/pre/q/g');
  });

  test('a directory part reached through a symlink or ".." is walked every time', () => {
    mkdirSync(path.join(M, 'hops/one/two'), { recursive: true });
    writeFileSync(path.join(M, 'hops/one/two/leaf'), 'leaf');
    writeFileSync(path.join(M, 'hops/one/top'), 'top');
    symlinkSync('one', path.join(M, 'hops/via'));
    const hostAt = (p: string) => hostOf(resolve(p).loc);
    expect(hostAt('/m/hops/via/top')).toBe('m/hops/one/top');
    expect(hostAt('/m/hops/one/two/../top')).toBe('m/hops/one/top');
    rmSync(path.join(M, 'hops/via'));
    symlinkSync('one/two', path.join(M, 'hops/via'));
    expect(hostAt('/m/hops/via/leaf')).toBe('m/hops/one/two/leaf');
    expect(hostAt('/m/hops/via/top')).toBeNull();
  });
});

describe('MountTable.holdsMount: directories the guest may not move', () => {
  test('a mount host directory and those above it, not its siblings nor what is inside it', () => {
    expect(table.holdsMount(path.join(T, 'nested'))).toBe(true);
    expect(table.holdsMount(T)).toBe(true);
    expect(table.holdsMount(M)).toBe(true);
    expect(table.holdsMount(path.join(M, 'd'))).toBe(false);
    expect(table.holdsMount(path.join(T, 'nest'))).toBe(false);
    expect(table.holdsMount(path.join(T, 'nested', 'n'))).toBe(false);
  });
});

describe('withUnixSocketPath: AF_UNIX paths go through the same resolution', () => {
  test.each([
    ['/m/new.sock', true, path.join('m', 'new.sock')],
    ['/m/file', true, 'ADDRINUSE'],
    ['/m/dir_out/evil.sock', true, 'ACCES'],
    ['/m/dangling_out', true, 'ADDRINUSE'],
    ['/evil.sock', true, 'ROFS'],
    ['/a/b/evil.sock', true, 'ROFS'],
    ['/ro/evil.sock', true, 'ROFS'],
    ['/m/missing.sock', false, 'NOENT'],
    ['/m/abs_out', false, 'ACCES'],
    ['/m/dir_out/srv.sock', false, 'ACCES'],
    ['/m/../outside/srv.sock', false, 'NOENT'],
    ['/a/b', false, 'CONNREFUSED'],
  ])('%s (bind %s): %s', (p, bind, want) => {
    let got = '';
    // The path names the entry inside a held directory (/proc/<pid>/fd/N/name) during the call.
    const refused = withUnixSocketPath(table, p, bind, (hostPath) => {
      const cut = hostPath.lastIndexOf('/');
      got = path.relative(T, path.join(readlinkSync(hostPath.slice(0, cut)), hostPath.slice(cut + 1)));
    });
    expect(refused ? errnoName(refused) : got).toBe(want);
  });
});
