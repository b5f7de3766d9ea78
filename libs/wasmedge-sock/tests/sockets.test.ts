// End-to-end tests of libwasmedge_sock: C programs (tests/*.c) compiled to wasm32-wasi, run on two
// hosts against Node peers started here: `pywasi run` (our Node host) and real WasmEdge 0.14.1
// (Debian trixie's package, fetched into the cache by tools/testing/wasmedge.ts), the socket ABI's
// own host. The same binaries must behave the same on both. Each C program prints "ok - ..." per
// check and "PASS <name>" at the end, or "FAIL file:line: ..." and exits 1.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { crc32 } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCollecting, type CollectedRun } from '../../../tools/testing/run-collecting.ts';
import { obtainWasmEdge } from '../../../tools/testing/wasmedge.ts';
import { buildSocketLibrary, compileGuest, SOCKET_LIB_DIR, WORKSPACE_ROOT } from './compile-guest.ts';

const CLI = join(WORKSPACE_ROOT, 'apps/cli/bin/pywasi.js');
const PROGRAMS = ['tcp_client', 'tcp_server', 'nonblock', 'udp', 'dns', 'ipv6', 'unix', 'netnone', 'socketpair', 'socktype', 'many_fds'];

/** A host that runs a guest: its command line for a program, and what it can do beyond the ABI. */
interface Host {
  name: string;
  argv(flags: RunOptions, program: string, args: string[]): string[];
  /** `--net` policies are pywasi's own: WasmEdge lets a guest reach any address. */
  netPolicy: boolean;
  /** Sets IPPROTO_TCP options (WasmEdge 0.14.1 refuses them all: the lib answers ENOPROTOOPT). */
  tcpOptions: boolean;
  /** Hands out the lowest free fd, as POSIX does (WasmEdge draws a random number per socket). */
  lowestFd: boolean;
  /** Why AF_UNIX sockets cannot be tested on this host, or null when they can. */
  noUnix: string | null;
  /** Why socket calls on a non-socket fd do not fail with ENOTSOCK on this host, or null. */
  noNotSock: string | null;
}

// WSE_TEST_RUNNER="cmd args..." replaces `node apps/cli/bin/pywasi.js run` (to debug the host).
const pywasiRunner = process.env.WSE_TEST_RUNNER ? process.env.WSE_TEST_RUNNER.split(' ') : [process.execPath, CLI, 'run'];
const pywasi: Host = {
  name: 'pywasi run',
  netPolicy: true,
  tcpOptions: true,
  lowestFd: true,
  noUnix: null,
  noNotSock: null,
  argv(flags, program, args) {
    const options: string[] = [];
    if (flags.net) options.push('--net', flags.net);
    for (const d of flags.dirs ?? []) options.push('--dir', d);
    return [...pywasiRunner, ...options, '--', wasm(program), ...args];
  },
};

// Set in beforeAll: fetched on the first run (about 42 MB of Debian packages), cached after.
let wasmedgeCommand: string[] = [];
const wasmedge: Host = {
  name: 'WasmEdge 0.14.1',
  netPolicy: false,
  tcpOptions: false,
  lowestFd: false,
  noUnix: 'WasmEdge 0.14.1 answers sock_open(AF_UNIX) with ENOSYS',
  noNotSock: 'WasmEdge 0.14.1 answers sock_getlocaladdr on stdout (a pipe) with success, not ENOTSOCK',
  argv(flags, program, args) {
    if (flags.net) throw new Error('WasmEdge has no network policy: this case is for pywasi only');
    // WasmEdge's --dir is GUEST:HOST (the other way round from pywasi's HOST[:GUEST]).
    const options = (flags.dirs ?? []).flatMap((d) => ['--dir', `${d}:${d}`]);
    return [...wasmedgeCommand, ...options, wasm(program), ...args];
  },
};
const HOSTS = [pywasi, wasmedge];

let outDir = '';
const wasm = (name: string): string => join(outDir, `${name}.wasm`);

type RunResult = CollectedRun;

interface RunOptions {
  net?: string;
  dirs?: string[];
  onStdout?: (text: string) => void;
  timeoutMs?: number;
}

function runGuest(host: Host, program: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runCollecting(host.argv(opts, program, args), { cwd: WORKSPACE_ROOT, ...opts });
}

/** Prints the guest's report and asserts it passed. */
function expectPass(r: RunResult, name: string): void {
  const report = `--- ${name}: exit ${r.code}\n${r.stdout}${r.stderr ? `--- stderr\n${r.stderr}` : ''}`;
  if (r.code !== 0 || !r.stdout.includes(`PASS ${name}`)) throw new Error(report);
  console.log(report);
}

function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(0, host, () => res((server.address() as net.AddressInfo).port));
  });
}

/** Can this machine listen on [::1]? (Containers often have IPv6 disabled.) */
async function probeIpv6Loopback(): Promise<{ ok: boolean; why?: string }> {
  const server = net.createServer();
  try {
    await listen(server, '::1');
    return { ok: true };
  } catch (e) {
    return { ok: false, why: (e as Error).message };
  } finally {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
}
const ipv6Loopback = await probeIpv6Loopback();
if (!ipv6Loopback.ok) console.log(`SKIP IPv6 loopback test: cannot listen on [::1] here (${ipv6Loopback.why})`);

function close(server: net.Server): Promise<void> {
  return new Promise((res) => server.close(() => res()));
}

/** Tracks accepted connections so every server closes promptly at the end of a test. */
function tracked(handler: (s: net.Socket) => void): net.Server {
  const conns = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    conns.add(s);
    s.on('close', () => conns.delete(s));
    s.on('error', () => {});
    handler(s);
  });
  server.on('close', () => conns.forEach((c) => c.destroy()));
  const orig = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    conns.forEach((c) => c.destroy());
    return orig(cb);
  }) as typeof server.close;
  return server;
}

const echoServer = (): net.Server => tracked((s) => s.pipe(s));

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

beforeAll(async () => {
  if (!process.env.WSE_TEST_RUNNER && !existsSync(join(WORKSPACE_ROOT, 'apps/cli/src/commands/run.ts'))) {
    throw new Error('`pywasi run` (apps/cli/src/commands/run.ts) does not exist yet: the host side is missing');
  }
  const edge = await obtainWasmEdge((line) => console.log(line));
  wasmedgeCommand = [edge.command, ...edge.args];
  outDir = mkdtempSync(join(tmpdir(), 'wasmedge-sock-test-'));
  const lib = await buildSocketLibrary();
  await Promise.all(
    PROGRAMS.map((p) =>
      compileGuest({ sources: [join(SOCKET_LIB_DIR, 'tests', `${p}.c`)], output: wasm(p), socketLib: lib }),
    ),
  );
}, 600_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe.each(HOSTS.map((host) => [host.name, host] as const))('libwasmedge_sock under %s', (_name, host) => {
  test('TCP client -> Node echo server: options, addresses, echo, peek', async () => {
    const server = echoServer();
    const port = await listen(server);
    try {
      const r = await runGuest(host, 'tcp_client', ['echo', '127.0.0.1', String(port)]);
      expectPass(r, 'tcp_client echo');
      expect(r.stdout).toContain(host.tcpOptions ? 'TCP_NODELAY set and read back' : 'TCP_NODELAY refused by the host with ENOPROTOOPT');
    } finally {
      await close(server);
    }
  }, 60_000);

  test('Node client -> TCP server in the guest', async () => {
    let reply = '';
    let connected = false;
    let clientError: Error | null = null;
    const r = await runGuest(host, 'tcp_server', [], {
      onStdout: (out) => {
        const m = /PORT (\d+)/.exec(out);
        if (!m || connected) return;
        connected = true;
        const c = net.connect({ port: Number(m[1]), host: '127.0.0.1' }, () => c.write('hello server'));
        c.setEncoding('utf8');
        c.on('data', (d: string) => {
          reply += d;
          if (reply.length >= 12) c.end();
        });
        c.on('error', (e) => (clientError = e));
      },
    });
    expectPass(r, 'tcp_server');
    expect(clientError).toBeNull();
    expect(reply).toBe('hello client');
  }, 60_000);

  test('1000 sequential connections without an fd leak', async () => {
    const server = echoServer();
    const port = await listen(server);
    try {
      const r = await runGuest(host, 'tcp_client', ['many', '127.0.0.1', String(port), '1000'], { timeoutMs: 240_000 });
      expectPass(r, 'tcp_client many');
      if (host.lowestFd) {
        // Every connection closed before the next: the same few numbers come back.
        const [, low, high] = /fds ranged (\d+)\.\.(\d+)/.exec(r.stdout) ?? [];
        expect(Number(high) - Number(low)).toBeLessThanOrEqual(4);
      }
    } finally {
      await close(server);
    }
  }, 250_000);

  if (host.noNotSock) console.log(`SKIP non-socket fds on ${host.name}: ${host.noNotSock}`);
  (host.noNotSock ? test.skip : test)('socket calls on a non-socket fd: ENOTSOCK; on an unknown fd: EBADF', async () => {
    expectPass(await runGuest(host, 'tcp_client', ['notsock']), 'tcp_client notsock');
  }, 60_000);

  test('64 MiB guest -> Node with equal checksums', async () => {
    const server = tracked((s) => {
      let n = 0;
      let h = 0;
      s.on('data', (d: Buffer) => {
        n += d.length;
        h = crc32(d, h);
      });
      s.on('end', () => s.end(`${n} ${hex8(h)}`));
    });
    const port = await listen(server);
    try {
      expectPass(
        await runGuest(host, 'tcp_client', ['bulk-send', '127.0.0.1', String(port), '64'], { timeoutMs: 240_000 }),
        'tcp_client bulk-send',
      );
    } finally {
      await close(server);
    }
  }, 250_000);

  test('64 MiB Node -> guest with equal checksums', async () => {
    // 64 MiB of pseudo-random bytes: a 1 MiB random block, each copy shifted by its index
    const block = randomBytes(1 << 20);
    const payload = Buffer.alloc(64 << 20);
    for (let i = 0; i < 64; i++) {
      block.copy(payload, i << 20, i, block.length);
      block.copy(payload, (i << 20) + block.length - i, 0, i);
    }
    const server = tracked((s) => s.end(payload));
    const port = await listen(server);
    try {
      expectPass(
        await runGuest(host, 'tcp_client', ['bulk-recv', '127.0.0.1', String(port), '64', hex8(crc32(payload))], {
          timeoutMs: 240_000,
        }),
        'tcp_client bulk-recv',
      );
    } finally {
      await close(server);
    }
  }, 250_000);

  test('shutdown(SHUT_WR): the peer sees EOF', async () => {
    const server = tracked((s) => {
      let n = 0;
      s.on('data', (d: Buffer) => (n += d.length));
      s.on('end', () => s.end(`eof after ${n} bytes`));
    });
    const port = await listen(server);
    try {
      expectPass(await runGuest(host, 'tcp_client', ['shutdown', '127.0.0.1', String(port)]), 'tcp_client shutdown');
    } finally {
      await close(server);
    }
  }, 60_000);

  test('non-blocking connect + poll + SO_ERROR (success, ECONNREFUSED), recv timeout via poll', async () => {
    const open = echoServer();
    const silent = tracked(() => {});
    const openPort = await listen(open);
    const silentPort = await listen(silent);
    const gone = net.createServer();
    const closedPort = await listen(gone);
    await close(gone);
    try {
      expectPass(
        await runGuest(host, 'nonblock', ['127.0.0.1', String(openPort), String(closedPort), String(silentPort)]),
        'nonblock',
      );
    } finally {
      await close(open);
      await close(silent);
    }
  }, 60_000);

  test('UDP sendto/recvfrom', async () => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (msg, rinfo) => sock.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
    try {
      expectPass(await runGuest(host, 'udp', ['127.0.0.1', String(sock.address().port)]), 'udp');
    } finally {
      sock.close();
    }
  }, 60_000);

  test('getaddrinfo/getnameinfo/gethostbyname/services', async () => {
    expectPass(await runGuest(host, 'dns', []), 'dns');
  }, 60_000);

  // Decided before the tests run, so that a machine without ::1 reports a skip, not a pass.
  (ipv6Loopback.ok ? test : test.skip)('IPv6 loopback', async () => {
    const server = echoServer();
    const port = await listen(server, '::1');
    try {
      expectPass(await runGuest(host, 'ipv6', [String(port)]), 'ipv6');
    } finally {
      await close(server);
    }
  }, 60_000);

  if (host.noUnix) console.log(`SKIP AF_UNIX stream on ${host.name}: ${host.noUnix}`);
  (host.noUnix ? test.skip : test)('AF_UNIX stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wse-unix-'));
    const peerPath = join(dir, 'peer.sock');
    const server = tracked((s) => {
      s.on('data', (d: Buffer) => s.write(d));
      s.on('end', () => s.end());
    });
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(peerPath, () => res());
    });
    try {
      // The socket files live in a host directory the guest must be given, as any other path.
      expectPass(await runGuest(host, 'unix', [peerPath, join(dir, 'own.sock')], { dirs: [dir] }), 'unix');
    } finally {
      await close(server);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('socketpair (stream and datagram)', async () => {
    expectPass(await runGuest(host, 'socketpair', []), 'socketpair');
  }, 60_000);

  test('sockets until the fd table is full: EMFILE, then poll() past FD_SETSIZE', async () => {
    const r = await runGuest(host, 'many_fds', ['100000'], { timeoutMs: 240_000 });
    expectPass(r, 'many_fds');
    const open = Number(/^open (\d+)$/m.exec(r.stdout)?.[1]);
    // Our host: one table of FD_LIMIT (65,536) fds, stdio and the preopen included. WasmEdge: real
    // host sockets, so its process's own fd limit (ulimit -n) decides.
    if (host.lowestFd) expect(open).toBe(65_536 - 4);
    else expect(open).toBeGreaterThan(0);
  }, 250_000);

  test('the library knows its datagram sockets (for hosts that call every socket a stream)', async () => {
    expectPass(await runGuest(host, 'socktype', []), 'socktype');
  }, 60_000);

  // Printed when the suite is defined, so that the skip says why.
  if (!host.netPolicy) console.log(`SKIP --net none on ${host.name}: a network policy is pywasi's own, not part of the socket ABI`);
  (host.netPolicy ? test : test.skip)('--net none refuses a connect', async () => {
    let accepted = 0;
    const server = tracked(() => accepted++);
    const port = await listen(server);
    try {
      expectPass(await runGuest(host, 'netnone', ['127.0.0.1', String(port)], { net: 'none' }), 'netnone');
      expect(accepted).toBe(0);
    } finally {
      await close(server);
    }
  }, 60_000);
});
