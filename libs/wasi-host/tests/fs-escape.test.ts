// The escape suite: python.wasm, run once by runWasi, tries every way out of its mounts that we know
// of (fixtures/escape/probe.py prints one JSON line per case); here the traps are laid on the host
// beforehand and, afterwards, each case's errno is checked and the host is checked untouched: the
// secret never reaches the guest, and the outside directory (names, bytes, modes, mtimes) is as it was.
// The rules under test are those of src/fs/resolve.ts.
import { randomBytes } from 'node:crypto';
import {
  closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync,
  symlinkSync, writeFileSync,
} from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runWasi } from '../src/run-wasi.ts';
import { privateTmpHome } from '../src/fs/private-tmp.ts';
import { BUILD_TIMEOUT_MS, buildCpython, releaseWasm, workspaceRoot } from '../../cpython/tests/harness.ts';

const stdlibDir = path.join(path.dirname(releaseWasm), 'usr', 'local', 'lib');
const probeDir = fileURLToPath(new URL('./fixtures/escape', import.meta.url));

const SECRET = `pywasi-secret-${randomBytes(16).toString('hex')}`;
const NONCE = randomBytes(8).toString('hex');

interface CaseRecord {
  case: string;
  errno: string;
  value: unknown;
  message?: string;
}

/** What each case must answer: an errno name or "ok", and for "ok" the value it must have read. */
interface Expected {
  name: string;
  errno: string;
  value?: unknown;
}

// The guest's root: the mounts' first components and /dev; never anything of the host.
// etc: /etc/ssl, the CA bundle served to guests that use sockets (src/trust.ts).
const ROOT_LISTING = ['deep', 'dev', 'etc', 'jail', 'jailanc', 'jailempty', 'jailsub', 'other', 'probe', 'ro', 'tmp', 'usr'];

const EXPECTED: Expected[] = [
  // reading through links that leave the mount
  { name: 'read_etc_link', errno: 'EACCES' },
  { name: 'listdir_etc_link', errno: 'EACCES' },
  { name: 'read_up2', errno: 'EACCES' },
  { name: 'listdir_up2', errno: 'EACCES' },
  { name: 'read_sibling_rel', errno: 'EACCES' },
  { name: 'read_sibling_abs', errno: 'EACCES' },
  { name: 'read_secret_abs', errno: 'EACCES' },
  { name: 'read_secret_rel', errno: 'EACCES' },
  { name: 'read_secret_deeprel', errno: 'EACCES' },
  { name: 'read_secret_alias_dotdot', errno: 'EACCES' },
  { name: 'stat_secret_abs', errno: 'EACCES' },
  { name: 'lstat_secret_abs', errno: 'ok', value: true },
  { name: 'exists_secret_abs', errno: 'ok', value: false },
  { name: 'read_chain_out', errno: 'EACCES' },
  { name: 'read_chain_in', errno: 'ok', value: 'inner-data' },
  { name: 'listdir_root_link', errno: 'ok', value: expect.arrayContaining(['data', 'tree', 'root_abs']) },
  { name: 'read_via_root_link_dotdot', errno: 'ENOENT' },
  { name: 'open_nofollow_outside_link', errno: 'ELOOP' },
  { name: 'open_directory_outside_link', errno: 'EACCES' },
  { name: 'dirfd_dotdot', errno: 'ENOENT' },
  { name: 'dirfd_many_dotdot', errno: 'ok', value: ['inner-data', 'ENOENT'] },
  // loops
  { name: 'open_loop_ab', errno: 'ELOOP' },
  { name: 'stat_self_loop', errno: 'ELOOP' },
  { name: 'open_loop_intermediate', errno: 'ELOOP' },
  // O_CREAT through dangling links
  { name: 'creat_dangling_abs', errno: 'EACCES' },
  { name: 'creat_dangling_rel', errno: 'EACCES' },
  { name: 'creat_excl_dangling_out', errno: 'EEXIST' },
  { name: 'creat_excl_dangling_in', errno: 'EEXIST' },
  { name: 'creat_dangling_in', errno: 'ok', value: 'made-through-link' },
  // a link to a directory outside as an intermediate component
  { name: 'intermediate_file', errno: 'EACCES' },
  { name: 'intermediate_dotdot', errno: 'EACCES' },
  { name: 'intermediate_dotdot_x', errno: 'EACCES' },
  { name: 'intermediate_create', errno: 'EACCES' },
  // ".." and absolute paths outside every mount
  { name: 'dotdot_mount_root', errno: 'ENOENT' },
  { name: 'dotdot_many', errno: 'ENOENT' },
  { name: 'dotdot_many_host_path', errno: 'ENOENT' },
  { name: 'listdir_jail_dotdot', errno: 'ok', value: ROOT_LISTING },
  { name: 'listdir_nested_dotdot', errno: 'ok', value: ROOT_LISTING },
  { name: 'cwd_dotdot_read', errno: 'ENOENT' },
  { name: 'cwd_dotdot_listdir', errno: 'ok', value: ROOT_LISTING },
  { name: 'abs_host_outside', errno: 'ENOENT' },
  { name: 'abs_etc_passwd', errno: 'ENOENT' },
  { name: 'abs_host_file', errno: 'ENOENT' },
  // rename and link across mounts, out of mounts, onto links
  { name: 'rename_to_other_mount', errno: 'EXDEV' },
  { name: 'rename_to_tmp', errno: 'EXDEV' },
  { name: 'rename_to_nested_mount', errno: 'EXDEV' },
  { name: 'rename_from_other_mount', errno: 'EXDEV' },
  { name: 'rename_to_root', errno: 'EROFS' },
  { name: 'rename_into_outside_dir', errno: 'EACCES' },
  { name: 'rename_dir_into_outside', errno: 'EACCES' },
  { name: 'rename_outside_in', errno: 'EACCES' },
  { name: 'link_to_other_mount', errno: 'EXDEV' },
  { name: 'link_to_tmp', errno: 'EXDEV' },
  { name: 'link_into_outside_dir', errno: 'EACCES' },
  { name: 'link_outside_link_itself', errno: 'ok', value: [true, 'EACCES'] },
  { name: 'link_follow_outside_link', errno: 'EACCES' },
  { name: 'link_from_outside_dir', errno: 'EACCES' },
  { name: 'rename_onto_outside_link', errno: 'ok', value: [false, 'renamed-over-link'] },
  // mkdir, rmdir, unlink through links
  { name: 'mkdir_through_link', errno: 'EACCES' },
  { name: 'mkdir_on_dangling_link', errno: 'EEXIST' },
  { name: 'makedirs_through_link', errno: 'EACCES' },
  { name: 'rmdir_through_link', errno: 'EACCES' },
  { name: 'rmdir_link_itself', errno: 'ENOTDIR' },
  { name: 'unlink_through_link', errno: 'EACCES' },
  { name: 'unlink_through_up2', errno: 'EACCES' },
  { name: 'unlink_outside_link_itself', errno: 'ok', value: false },
  // listing through links
  { name: 'listdir_link_out', errno: 'EACCES' },
  { name: 'scandir_link_out', errno: 'EACCES' },
  {
    name: 'scandir_tree',
    errno: 'ok',
    value: [['a', false], ['in', true], ['out', true], ['outrel', true]],
  },
  { name: 'walk_followlinks', errno: 'ok' },
  { name: 'glob_through_links', errno: 'ok' },
  // readlink
  { name: 'readlink_abs_out', errno: 'EACCES' },
  { name: 'readlink_etc', errno: 'EACCES' },
  { name: 'readlink_dir_out', errno: 'EACCES' },
  { name: 'readlink_abs_in', errno: 'ok', value: '/jail/data/inner.txt' },
  { name: 'readlink_abs_in_alias', errno: 'ok', value: '/jail/data/inner.txt' },
  { name: 'readlink_rel', errno: 'ok', value: '../outside/secret.txt' },
  { name: 'realpath_abs_out', errno: 'EACCES' },
  { name: 'realpath_abs_in', errno: 'ok', value: '/jail/data/inner.txt' },
  // symlinks made by the guest
  { name: 'guest_symlink_abs_inside', errno: 'ok', value: ['inner-data', '/jail/data/inner.txt'] },
  { name: 'guest_symlink_rel_inside', errno: 'ok', value: ['inner-data', 'data/inner.txt'] },
  { name: 'guest_symlink_etc', errno: 'EACCES' },
  { name: 'guest_symlink_etc_dir', errno: 'EACCES' },
  { name: 'guest_symlink_rel_up', errno: 'EACCES' },
  { name: 'guest_symlink_host_path', errno: 'EACCES' },
  { name: 'guest_symlink_guest_dotdot', errno: 'EACCES' },
  { name: 'guest_symlink_other_mount', errno: 'EACCES' },
  { name: 'guest_symlink_create_through', errno: 'EACCES' },
  // times and sizes through links
  { name: 'utime_through_link', errno: 'EACCES' },
  { name: 'utime_through_dirlink', errno: 'EACCES' },
  { name: 'utime_outside_dir', errno: 'EACCES' },
  { name: 'truncate_through_link', errno: 'EACCES' },
  { name: 'append_through_link', errno: 'EACCES' },
  // a read-only mount
  { name: 'ro_read', errno: 'ok', value: 'read-only-data' },
  { name: 'ro_listdir', errno: 'ok', value: ['in', 'out', 'ro.txt'] },
  { name: 'ro_write_existing', errno: 'EROFS' },
  { name: 'ro_append', errno: 'EROFS' },
  { name: 'ro_readwrite', errno: 'EROFS' },
  { name: 'ca_bundle_read', errno: 'ok', value: true },
  { name: 'ca_bundle_write', errno: 'EROFS' },
  { name: 'ca_bundle_add', errno: 'EROFS' },
  { name: 'ro_create', errno: 'EROFS' },
  { name: 'ro_mkdir', errno: 'EROFS' },
  { name: 'ro_unlink', errno: 'EROFS' },
  { name: 'ro_rename', errno: 'EROFS' },
  { name: 'ro_utime', errno: 'EROFS' },
  { name: 'ro_truncate', errno: 'EROFS' },
  { name: 'ro_symlink', errno: 'EROFS' },
  { name: 'ro_link_out', errno: 'EACCES' },
  { name: 'ro_link_in', errno: 'ok', value: 'read-only-data' },
  // the private /tmp
  { name: 'tmp_writable', errno: 'ok', value: [NONCE, true, true] },
  { name: 'tmp_seen_by_host', errno: 'ok', value: 'found' },
  // synthetic directories
  { name: 'synthetic_root_create', errno: 'EROFS' },
  { name: 'synthetic_root_mkdir', errno: 'EROFS' },
  { name: 'synthetic_parent_create', errno: 'EROFS' },
  { name: 'synthetic_parent_mkdir', errno: 'EROFS' },
  { name: 'synthetic_rmdir', errno: 'EROFS' },
  { name: 'synthetic_unlink', errno: 'EROFS' },
  { name: 'synthetic_rename', errno: 'EROFS' },
  { name: 'synthetic_symlink', errno: 'EROFS' },
  { name: 'synthetic_utime', errno: 'EROFS' },
  { name: 'synthetic_stat', errno: 'ok', value: true },
  { name: 'rmdir_mount_root', errno: 'EBUSY' },
  { name: 'makedirs_existing_mounts', errno: 'ok', value: 'done' },
  { name: 'makedirs_under_synthetic', errno: 'EROFS' },
  {
    name: 'cwd_parents_exist',
    errno: 'ok',
    value: [
      ['/deep/nest/mnt', ['/deep/nest', true], ['/deep', true], ['/', true]],
      ['/jail/data', ['/jail', true], ['/', true]],
      ['/usr/local/lib', ['/usr/local', true], ['/usr', true], ['/', true]],
    ],
  },
  // AF_UNIX sockets
  { name: 'unix_connect_host_path', errno: 'ENOENT' },
  { name: 'unix_connect_link', errno: 'EACCES' },
  { name: 'unix_connect_dirlink', errno: 'EACCES' },
  { name: 'unix_connect_dotdot', errno: 'ENOENT' },
  { name: 'unix_connect_up2', errno: 'EACCES' },
  { name: 'unix_bind_dirlink', errno: 'EACCES' },
  { name: 'unix_bind_dangling', errno: 'EADDRINUSE' },
  { name: 'unix_bind_root', errno: 'EROFS' },
  { name: 'unix_bind_inside', errno: 'ok', value: [true, '/jail/guest.sock'] },
  { name: 'unix_bind_then_swap_dir', errno: 'ok', value: ['EACCES', ['outsub', 'secret.txt', 'srv.sock']] },
  // a directory fd whose path is swapped for a link to outside
  { name: 'dirfd_swap_open', errno: 'ENOENT' },
  { name: 'dirfd_swap_unlink', errno: 'ENOENT' },
  // A directory fd is a handle (as with openat): it keeps its directory, moved inside the mount,
  // and never reaches the link put in its place.
  { name: 'dirfd_swap_stat', errno: 'ok', value: expect.any(Number) },
  { name: 'dirfd_swap_utime', errno: 'ok' },
  { name: 'dirfd_swap_mkdir', errno: 'ok' },
  // mounts whose host directory lies inside another mount
  { name: 'mount_dir_rename', errno: 'ok', value: ['EBUSY', 'EEXIST', 'ENOENT'] },
  { name: 'mount_dir_rmdir', errno: 'ok', value: ['EBUSY', 'EEXIST', 'ENOENT'] },
  { name: 'mount_ancestor_rename', errno: 'ok', value: ['EBUSY', 'ok', 'ok', 'EBUSY', 'ENOENT'] },
];

/** Everything observable about a tree, without following links: type, mode, size, mtime, bytes. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (rel: string): void => {
    const p = path.join(root, rel);
    const st = lstatSync(p, { bigint: true });
    const kind = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSocket() ? 'socket' : 'other';
    let detail = '';
    if (st.isSymbolicLink()) detail = readlinkSync(p);
    else if (st.isFile()) detail = readFileSync(p, 'utf8');
    out[rel || '.'] = `${kind} mode=${st.mode} size=${st.size} mtime=${st.mtimeNs} ino=${st.ino} ${detail}`;
    if (st.isDirectory()) for (const name of readdirSync(p).sort()) visit(path.join(rel, name));
  };
  visit('');
  return out;
}

/** The private /tmp directories (fs/private-tmp.ts) holding a file of that name. */
function privateTmpsWith(marker: string): string[] {
  const home = privateTmpHome();
  if (!home) throw new Error(`no private directory of this user's under ${tmpdir()}`);
  return readdirSync(home)
    .filter((n) => n.startsWith('tmp-'))
    .map((n) => path.join(home, n))
    .filter((d) => existsSync(path.join(d, marker)));
}

function listen(server: net.Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
}

describe('escape suite: python.wasm against its mounts', () => {
  let T = '';
  let outside = '';
  let jail = '';
  let before: { outside: Record<string, string>; ro: Record<string, string>; top: string[]; tmpParent: string[] } | undefined;
  let after: typeof before;
  let exitCode = -1;
  let stdout = '';
  let stderr = '';
  let seconds = 0;
  const records = new Map<string, CaseRecord>();
  let outsideConnections = 0;
  let privateTmpSeen: string[] = [];
  const servers: net.Server[] = [];

  // python.wasm and its stdlib zip, built (an Nx cache hit when nothing changed) whatever order
  // jest runs the test files in.
  beforeAll(() => buildCpython(), BUILD_TIMEOUT_MS);

  beforeAll(async () => {
    if (!existsSync(path.join(stdlibDir, 'python311.zip'))) throw new Error(`the stdlib zip is missing in ${stdlibDir}`);
    T = realpathSync(mkdtempSync(path.join(tmpdir(), 'pywasi-escape-')));
    outside = path.join(T, 'outside');
    jail = path.join(T, 'jail');
    const ro = path.join(T, 'ro');
    const other = path.join(T, 'other');
    const nested = path.join(T, 'nested');
    const logs = path.join(T, 'logs');
    const jailDirs = ['data/sub', 'tree/a', 'msub', 'mempty', 'anc/deeper'].map((d) => path.join(jail, d));
    for (const d of [outside, path.join(outside, 'outsub'), jail, ...jailDirs, ro, other, nested, logs]) {
      mkdirSync(d, { recursive: true });
    }
    // Outside: the secret, a directory, a Unix server that counts connections.
    writeFileSync(path.join(outside, 'secret.txt'), `${SECRET}\n`);
    writeFileSync(path.join(outside, 'outsub', 'deep.txt'), `${SECRET}-deep\n`);
    const outsideServer = net.createServer((c) => {
      outsideConnections++;
      c.destroy();
    });
    servers.push(outsideServer);
    await listen(outsideServer, path.join(outside, 'srv.sock'));

    // The jail, mounted through an alias symlink (absolute links may name either path).
    const alias = path.join(T, 'jail-alias');
    symlinkSync(jail, alias);
    const j = (name: string, target: string): void => symlinkSync(target, path.join(jail, name));
    writeFileSync(path.join(jail, 'data', 'inner.txt'), 'inner-data');
    writeFileSync(path.join(jail, 'renameme.txt'), 'renameme');
    writeFileSync(path.join(jail, 'renameme2.txt'), 'renamed-over-link');
    writeFileSync(path.join(jail, 'linkme.txt'), 'linkme');
    writeFileSync(path.join(jail, 'tree', 'a', 'f.txt'), 'f');
    j('etc', '/etc');
    j('up2', '../..');
    j('sibling_rel', '../outside');
    j('sibling_abs', outside);
    j('secret_abs', path.join(outside, 'secret.txt'));
    j('secret_abs2', path.join(outside, 'secret.txt'));
    j('secret_abs3', path.join(outside, 'secret.txt'));
    j('secret_rel', '../outside/secret.txt');
    j('secret_deeprel', 'data/../../outside/secret.txt');
    j('secret_alias_dotdot', `${alias}/../outside/secret.txt`);
    j('chain_out1', 'chain_out2');
    j('chain_out2', 'data/chain_out3');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(jail, 'data', 'chain_out3'));
    j('chain_in1', 'chain_in2');
    j('chain_in2', path.join(jail, 'data', 'chain_in3'));
    symlinkSync('inner.txt', path.join(jail, 'data', 'chain_in3'));
    j('root_abs', alias);
    j('loop_a', 'loop_b');
    j('loop_b', 'loop_a');
    j('self', 'self');
    j('dangling_out', path.join(outside, 'created.txt'));
    j('dangling_rel', '../outside/created_rel.txt');
    j('dangling_excl', path.join(outside, 'created_excl.txt'));
    j('dangling_in', 'data/made_by_creat.txt');
    j('dangling_in_excl', 'data/made_by_excl.txt');
    j('abs_inside', path.join(jail, 'data', 'inner.txt'));
    j('abs_inside_alias', path.join(alias, 'data', 'inner.txt'));
    symlinkSync(outside, path.join(jail, 'tree', 'out'));
    symlinkSync('../../outside', path.join(jail, 'tree', 'outrel'));
    symlinkSync('../data', path.join(jail, 'tree', 'in'));
    j('sock_link', path.join(outside, 'srv.sock'));
    j('dangling_sock', path.join(outside, 'evil.sock'));
    // The control socket, inside the jail: the guest asks whether the host sees its /tmp marker.
    // It also lists the outside directory on demand, for files that exist only while the guest runs.
    const control = net.createServer((c) => {
      c.once('data', (data) => {
        const [command, arg] = data.toString().trim().split(' ');
        if (command === 'tmp') {
          privateTmpSeen = privateTmpsWith(arg ?? '');
          c.end(privateTmpSeen.length === 1 ? 'found' : `missing (${privateTmpSeen.length})`);
        } else c.end(JSON.stringify(readdirSync(outside).sort()));
      });
    });
    servers.push(control);
    await listen(control, path.join(jail, 'ctl.sock'));

    writeFileSync(path.join(ro, 'ro.txt'), 'read-only-data');
    symlinkSync(path.join(outside, 'secret.txt'), path.join(ro, 'out'));
    symlinkSync('ro.txt', path.join(ro, 'in'));
    writeFileSync(path.join(other, 'other.txt'), 'other');
    writeFileSync(path.join(nested, 'n.txt'), 'nested');

    const tmpParent = () => readdirSync(path.dirname(T)).filter((n) => ['stolen', 'renamed.txt', 'created.txt'].includes(n));
    const snap = () => ({ outside: snapshot(outside), ro: snapshot(ro), top: readdirSync(T).sort(), tmpParent: tmpParent() });
    before = snap();

    const outFile = path.join(logs, 'stdout');
    const errFile = path.join(logs, 'stderr');
    const outFd = openSync(outFile, 'w');
    const errFd = openSync(errFile, 'w');
    const started = performance.now();
    try {
      exitCode = await runWasi({
        module: releaseWasm,
        args: ['python', '/probe/probe.py'],
        env: {
          PYTHONHOME: '/usr/local',
          PYTHONDONTWRITEBYTECODE: '1',
          ESCAPE_ROOT: T,
          ESCAPE_HOST_FILE: path.join(workspaceRoot, 'package.json'),
          ESCAPE_NONCE: NONCE,
        },
        dirs: [
          { guest: '/usr/local/lib', host: stdlibDir, readOnly: true },
          { guest: '/probe', host: probeDir, readOnly: true },
          { guest: '/jail', host: alias },
          { guest: '/other', host: other },
          { guest: '/ro', host: ro, readOnly: true },
          { guest: '/deep/nest/mnt', host: nested },
          { guest: '/jailsub', host: path.join(jail, 'msub') },
          { guest: '/jailempty', host: path.join(jail, 'mempty') },
          { guest: '/jailanc', host: path.join(jail, 'anc', 'deeper') },
        ],
        stdin: 0,
        stdout: outFd,
        stderr: errFd,
      });
    } finally {
      seconds = (performance.now() - started) / 1000;
      closeSync(outFd);
      closeSync(errFd);
    }
    stdout = readFileSync(outFile, 'utf8');
    stderr = readFileSync(errFile, 'utf8');
    for (const line of stdout.split('\n')) {
      if (!line.startsWith('CASE ')) continue;
      const record = JSON.parse(line.slice(5)) as CaseRecord;
      records.set(record.case, record);
    }
    // Let a connection that reached the outside server be counted before looking.
    await new Promise((r) => setImmediate(r));
    after = snap();
    process.stdout.write(`fs-escape: one python.wasm run, ${records.size} cases, ${seconds.toFixed(2)} s\n`);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    if (T) rmSync(T, { recursive: true, force: true });
  });

  test('the probe ran to the end and reported exactly the expected cases', () => {
    expect({ exitCode, stderr, done: stdout.includes('\nDONE\n') }).toEqual({ exitCode: 0, stderr: '', done: true });
    expect([...records.keys()].sort()).toEqual(EXPECTED.map((e) => e.name).sort());
    expect(EXPECTED.length).toBeGreaterThanOrEqual(30);
  });

  test.each(EXPECTED)('$name: $errno', ({ name, errno, value }) => {
    const record = records.get(name);
    expect(record).toBeDefined();
    const got: Record<string, unknown> = { errno: record!.errno };
    const want: Record<string, unknown> = { errno };
    if (value !== undefined) {
      got['value'] = record!.value;
      want['value'] = value;
    }
    // The message shows what the guest saw when the errno is not the expected one.
    if (record!.errno !== errno) got['message'] = record!.message;
    expect(got).toEqual(want);
  });

  test('no output of the guest contains the secret', () => {
    expect(stdout.includes(SECRET)).toBe(false);
    expect(stderr.includes(SECRET)).toBe(false);
    expect(stdout).toContain('inner-data'); // the guest did read what it may read
  });

  test('readlink and realpath never reveal a host path outside the mount', () => {
    for (const name of ['readlink_abs_out', 'readlink_etc', 'readlink_dir_out', 'realpath_abs_out', 'readlink_abs_in', 'readlink_abs_in_alias']) {
      const record = records.get(name);
      const text = JSON.stringify(record);
      expect({ name, reveals: text.includes(T) || String(record?.value).startsWith('/etc') }).toEqual({ name, reveals: false });
    }
  });

  test('os.walk(followlinks=True) and glob stay inside: the links to outside are not entered', () => {
    const walked = JSON.stringify(records.get('walk_followlinks')?.value);
    const globbed = JSON.stringify(records.get('glob_through_links')?.value);
    for (const text of [walked, globbed]) {
      expect(text).not.toContain('secret.txt');
      expect(text).not.toContain('outsub');
      expect(text).not.toContain('/jail/tree/out/');
      expect(text).not.toContain('/jail/tree/outrel/');
    }
    // The link inside the mount is followed.
    expect(walked).toContain('"/jail/tree/in"');
    expect(walked).toContain('inner.txt');
  });

  test('the outside directory is unchanged: names, bytes, modes and mtimes', () => {
    expect(after!.outside).toEqual(before!.outside);
    expect(Object.keys(after!.outside).sort()).toEqual(['.', 'outsub', 'outsub/deep.txt', 'secret.txt', 'srv.sock']);
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe(`${SECRET}\n`);
  });

  test('no new files next to the mounted directories nor in the host temp dir', () => {
    expect(after!.top).toEqual(before!.top);
    expect(after!.tmpParent).toEqual(before!.tmpParent);
  });

  test('the read-only mount is unchanged', () => {
    expect(after!.ro).toEqual(before!.ro);
  });

  test('the outside Unix server saw no connection', () => {
    expect(outsideConnections).toBe(0);
  });

  test('the private /tmp was a fresh host directory, removed after the run', () => {
    expect(privateTmpSeen).toHaveLength(1);
    expect(existsSync(privateTmpSeen[0]!)).toBe(false);
  });

  test('what the guest did inside its mounts happened there', () => {
    expect(readFileSync(path.join(jail, 'data', 'made_by_creat.txt'), 'utf8')).toBe('made-through-link');
    expect(lstatSync(path.join(jail, 'secret_abs2')).isFile()).toBe(true);
    expect(existsSync(path.join(jail, 'secret_abs3'))).toBe(false);
    expect(lstatSync(path.join(jail, 'hardlinked_secret')).isSymbolicLink()).toBe(true);
    expect(readdirSync(path.join(jail, 'swap1_moved'))).toEqual(['f.txt']);
    // Through a directory fd whose path was swapped for a link: in the moved directory.
    expect(lstatSync(path.join(jail, 'swap4_moved')).mtimeMs).toBe(0);
    expect(lstatSync(path.join(jail, 'swap5_moved', 'made_through_fd')).isDirectory()).toBe(true);
    expect(records.get('dirfd_swap_stat')?.value).toBe(lstatSync(path.join(jail, 'swap3_moved')).ino);
    expect(readFileSync(path.join(jail, 'renameme.txt'), 'utf8')).toBe('renameme');
    expect(readdirSync(path.join(T, 'other')).sort()).toEqual(['other.txt']);
  });
});
