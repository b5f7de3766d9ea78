// runWasi: the public entry. It checks the module, lays out the guest's tree and starts compiling,
// then hands the run to its thread mode, loaded only when used: by default the guest runs in a
// worker thread while this thread's event loop serves its sockets and terminal (run-in-worker.ts);
// with thread: 'caller' the guest runs here instead, and a worker serves it (run-on-caller.ts).
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import * as path from 'node:path';
import { createChannelBuffers } from './channel/channel.ts';
import type { GuestInit, SnapshotRequest } from './run-guest.ts';
import type { RecordInit } from './record/recorder.ts';
import type { NetPolicy } from './sockets/net-policy.ts';
import { FD_LIMIT } from './fd/fd-table.ts';
import { openRunStdin } from './fd/run-stdin.ts';
import { limitMemory, WASM_PAGE } from './memory-limit.ts';
import { MountTable, type MountSpec } from './fs/mounts.ts';
import { createPrivateTmp, type PrivateTmp } from './fs/private-tmp.ts';
import { prepareGuestUser, type GuestUser, type PreparedUser } from './fs/guest-user.ts';

/** Where Linux keeps the time zone database, on the host and (with `zoneinfo`) in the guest. */
const ZONEINFO = '/usr/share/zoneinfo';
import { chooseTrust, GUEST_CA_DIR, TrustError, writeTrustDir, type TrustChoice } from './trust.ts';
import type { ReadlineOptions } from './tty/readline-service.ts';
import { checkModule, type ModuleCheck } from './wasm-imports.ts';
import { releaseBytes } from './release-bytes.ts';
import type { Interrupter } from './interrupts.ts';
import { DEFAULT_STACK_MB, GuestThread, type ThreadEntry } from './guest-thread.ts';
import { WasiModuleError } from './guest-errors.ts';
import type { RecordOptions } from './record/open-log.ts';
import { createSharedMemory } from './threads/shared-memory.ts';
import { createThreadState, DEFAULT_MAX_THREADS } from './threads/thread-state.ts';
import { createSharedFdBuffer } from './threads/shared-fd-table.ts';

/** The most `maxThreads` may be: each thread is a Node worker (a V8 isolate, ~10 MiB or more). */
const MAX_THREADS = 4096;

export { WasiInterruptedError, WasiLimitError, WasiModuleError, WasiTrapError } from './guest-errors.ts';

/** What the guest writes to stdout or stderr, as it writes it (a copy the function may keep). */
export type OutputSink = (bytes: Uint8Array) => void;

export interface RunWasiOptions {
  /** Path of a .wasm file, its bytes, or a module compiled once by compileModule for many runs. */
  module: string | Uint8Array | CompiledModule;
  /** argv as the guest sees it, argv[0] included. Default: [basename of the module]. */
  args?: string[];
  env?: Record<string, string>;
  /** Passed as HOSTNAME (the socket library's gethostname() reads it) to modules that import the
   * socket extension, unless `env` sets HOSTNAME. Default: os.hostname(); false passes none. */
  hostname?: string | false;
  /** Host directories the guest sees, at guest paths (read-only ones refuse writes with EROFS).
   * Nothing else of the host is visible: see fs/resolve.ts for how paths and symlinks are confined. */
  dirs?: MountSpec[];
  /** guest path → host directory, read-write: a shorter form of `dirs`. */
  preopens?: Record<string, string>;
  /** Mount a fresh host directory at /tmp, removed when the run ends (default true; a `dirs`
   * entry for /tmp takes precedence). */
  privateTmp?: boolean;
  /** A user for the guest (fs/guest-user.ts): a home at /home/NAME (fresh per run unless `home`
   * names a host directory), /etc/passwd and /etc/group naming it, and HOME, USER and LOGNAME
   * unless `env` sets them. Default: none. */
  user?: GuestUser;
  /** Serve the host's time zone database (/usr/share/zoneinfo) read-only at the same path, so a
   * guest TZ such as Europe/Paris is honoured. Default false. */
  zoneinfo?: boolean;
  /** Default 'loopback'. */
  net?: NetPolicy;
  /** Told, in one line (e.g. "connect to 203.0.113.7:443"), what the network policy refused before
   * the guest gets EACCES: for a host message naming the policy. thread: 'worker' only. */
  onNetRefused?: (what: string) => void;
  /** Host fds for the guest's 0/1/2. Default: ours (a pipe or terminal stdin is read through a reopen that cannot block: fd/run-stdin.ts).
   * stdout and stderr may be functions instead: the guest then sees pipes, and every write reaches
   * the function before the run's promise settles. */
  stdin?: number;
  stdout?: number | OutputSink;
  stderr?: number | OutputSink;
  /** Ends the run: the guest thread is stopped wherever it is (a loop, a blocking call) and the
   * promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Line editing via /dev/pywasi-readline (tty/); offered only when stdin and stdout are terminals. */
  readline?: ReadlineOptions | false;
  /** Start from a snapshot file (see snapshot/image.ts), or make one: run the init export instead
   * of `_start` and save the state (the run's exit code is then 0). */
  snapshot?: SnapshotRequest;
  /** Where the guest runs. 'worker' (default): a worker thread; this thread's event loop serves its
   * sockets and terminal, and the call returns at once. 'caller': this thread, blocked until the
   * guest exits (no second Node environment to start: faster start-up, less memory); its sockets
   * and terminal are served by a worker started at the guest's first use of them. stdout and stderr
   * must then be fds, `signal` and snapshot captures are refused, and Ctrl-C (SIGINT) ends the run
   * with a WasiInterruptedError. No signal listener of this process can run meanwhile: the host's
   * own (removing private directories) stand down, so SIGTERM and SIGHUP end the process as they
   * would a native one, and the next run removes what it left. */
  thread?: 'worker' | 'caller';
  /** Interrupts the guest without ending it (interrupts.ts): `interrupter.interrupt()` makes the
   * guest's blocking calls return EINTR and its sched_yield report it (KeyboardInterrupt in
   * python.wasm); a second interrupt the guest has not taken yet ends the run with a
   * WasiInterruptedError. For thread: 'worker' only (the calling thread is blocked in the guest). */
  interrupter?: Interrupter;
  /** Wall-clock limit of the run in ms, from its start: the guest is stopped wherever it is and the
   * promise rejects with a WasiLimitError ('timeout'). */
  timeoutMs?: number;
  /** The most fds the guest may have open at once (default and most: FD_LIMIT); past it, opening
   * one fails with EMFILE, as past `ulimit -n`. */
  maxFds?: number;
  /** The most memory the guest may have, in bytes (whole 64 KiB pages): its memory's maximum is set
   * to it before compiling (memory-limit.ts), so growing past it fails in the guest (malloc returns
   * NULL); a run that then ends badly rejects with a WasiLimitError ('memory'). A module compiled
   * by compileModule must have been given the same limit. */
  maxMemoryBytes?: number;
  /** For a wasi-threads module (one that imports a shared memory and `wasi`.`thread-spawn`): the
   * most threads it may have running at once besides its main one. Past it, thread-spawn fails
   * (pthread_create returns EAGAIN) and one line on the guest's stderr names this option.
   * Default 64. Such a module's memory maximum is the smaller of its own and `maxMemoryBytes`
   * (default 4 GiB). */
  maxThreads?: number;
  /** Native stack of the guest thread in MiB, for thread: 'worker'. Default 64. */
  stackSizeMb?: number;
  /** The worker to run the guest in (thread: 'worker'), started earlier by prestartGuestThread so
   * its start overlaps the caller's own work. Each serves one run. */
  guestThread?: GuestThread;
  /** A PEM file of CA certificates that TLS clients in the guest trust by default, ahead of the
   * guest's SSL_CERT_FILE and the host's system bundle (see trust.ts). */
  caFile?: string;
  /** Serve a CA bundle read-only at /etc/ssl/cert.pem to modules that use sockets (default true;
   * a `dirs` entry for /etc/ssl takes precedence). */
  trust?: boolean;
  /** Record every host call of the run to a log file that replayWasi replays (record/): the log
   * holds the environment, what the guest read and every random number: keep it secret. */
  record?: RecordOptions;
}

/** A module compiled once, with what the host learned from its bytes: runs share it (V8 does not
 * compile it again). */
export interface CompiledModule {
  readonly name: string;
  readonly module: WebAssembly.Module;
  readonly check: ModuleCheck;
  /** The memory limit it was compiled with (compileModule's `maxMemoryBytes`). */
  readonly maxMemoryBytes?: number;
}

const isCompiled = (m: RunWasiOptions['module']): m is CompiledModule => typeof m === 'object' && !(m instanceof Uint8Array);
const moduleName = (m: RunWasiOptions['module']) => (typeof m === 'string' ? m : isCompiled(m) ? m.name : 'module');

/** Reads, checks and compiles a module for runWasi (reading without blocking the event loop);
 * throws WasiModuleError with a one-line message when it cannot run here. */
export async function compileModule(source: string | Uint8Array, options: { maxMemoryBytes?: number } = {}): Promise<CompiledModule> {
  const name = typeof source === 'string' ? source : 'module';
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      const { readFile } = await import('node:fs/promises');
      bytes = await readFile(source);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new WasiModuleError(`${source}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'not a file' : (e as Error).message}`);
    }
  } else bytes = source;
  const { check } = checkBytes(bytes, name);
  const max = options.maxMemoryBytes;
  if (max !== undefined) checkMemoryLimit(max);
  // A wasi-threads module imports its memory: the host makes it, with the limit, at each run.
  const module = await compileChecked(max === undefined || check.threads ? bytes : limitMemory(bytes, max, name), name, check);
  return { name, module, check, ...(max !== undefined ? { maxMemoryBytes: max } : {}) };
}

/** A memory limit must be at least one page and at most wasm32's 4 GiB. */
function checkMemoryLimit(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < WASM_PAGE || bytes > 2 ** 32) throw new RangeError(`maxMemoryBytes must be an integer from ${WASM_PAGE} (one page) to ${2 ** 32} (4 GiB), got ${bytes}`);
}

/** V8's compile of checked bytes; its refusal becomes a one-line WasiModuleError. */
async function compileChecked(bytes: Uint8Array, name: string, check: ModuleCheck): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new WasiModuleError(`${name}: invalid WebAssembly module (${e instanceof Error ? e.message : String(e)})`, check);
  }
}

/** Reads and checks a module; throws WasiModuleError with a one-line message when unusable. */
export function loadModule(module: string | Uint8Array, opts: { validate?: boolean } = {}): { bytes: Uint8Array; check: ModuleCheck } {
  let bytes: Uint8Array;
  if (typeof module === 'string') {
    let st;
    try {
      st = statSync(module);
    } catch {
      throw new WasiModuleError(`${module}: no such file`);
    }
    if (!st.isFile()) throw new WasiModuleError(`${module}: not a file`);
    bytes = readFileSync(module);
  } else bytes = module;
  return checkBytes(bytes, typeof module === 'string' ? module : 'module', opts);
}

/** The host's verdict on a module's bytes: WasiModuleError when they are not wasm or import what
 * we do not provide. */
function checkBytes(bytes: Uint8Array, name: string, opts: { validate?: boolean } = { validate: false }): { bytes: Uint8Array; check: ModuleCheck } {
  const check = checkModule(bytes, opts);
  if (check.error) throw new WasiModuleError(`${name}: ${check.error}`, check);
  if (check.missing.length) {
    throw new WasiModuleError(`${name}: imports not provided by the host: ${check.missing.join(', ')}`, check);
  }
  return { bytes, check };
}

// Built (`nx build wasi-host`, or bundled into the CLI), this code is one plain-JS file with
// guest-worker.js and guest-bootstrap.mjs beside it; run from the TypeScript sources (tests, a
// TypeScript loader), the worker loads the sources too. Nothing is compiled or hashed at start.
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const THREAD_CODE: ThreadEntry = {
  bootstrap: new URL('./guest-bootstrap.mjs', import.meta.url),
  entry: new URL(FROM_SOURCES ? './guest-worker.ts' : './guest-worker.js', import.meta.url).href,
};

/** The guest's environment: `env`, plus HOSTNAME (see RunWasiOptions.hostname) unless set, plus what
 * the trust choice needs (SSL_CERT_FILE for a caFile). */
export function guestEnvironment(options: Pick<RunWasiOptions, 'env' | 'hostname'>, usesSockets = true, trust?: TrustChoice): Record<string, string> {
  const env = { ...(options.env ?? {}), ...(trust?.env ?? {}) };
  if (usesSockets && env['HOSTNAME'] === undefined && options.hostname !== false) env['HOSTNAME'] = options.hostname ?? osHostname();
  return env;
}

/** Starts the worker a coming runWasi (thread: 'worker') will run its guest in: give it as the run's
 * `guestThread`. It does not keep the process alive; close() it if no run takes it. */
export function prestartGuestThread(options: { stackSizeMb?: number } = {}): GuestThread {
  return new GuestThread(THREAD_CODE, options.stackSizeMb ?? DEFAULT_STACK_MB);
}

export async function runWasi(options: RunWasiOptions): Promise<number> {
  options.signal?.throwIfAborted();
  for (const [name, value, max] of [['timeoutMs', options.timeoutMs, 2 ** 31 - 1], ['maxFds', options.maxFds, FD_LIMIT], ['maxThreads', options.maxThreads, MAX_THREADS]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= max)) throw new RangeError(`runWasi: ${name} must be an integer from 1 to ${max}, got ${value}`);
  }
  if (options.maxMemoryBytes !== undefined) checkMemoryLimit(options.maxMemoryBytes);
  if (isCompiled(options.module) && options.module.maxMemoryBytes !== options.maxMemoryBytes) {
    throw new TypeError(`runWasi: the module was compiled with ${options.module.maxMemoryBytes === undefined ? 'no memory limit' : `maxMemoryBytes ${options.module.maxMemoryBytes}`}; compile it with compileModule(source, { maxMemoryBytes: ${options.maxMemoryBytes} })`);
  }
  const onCaller = options.thread === 'caller';
  if (onCaller) {
    const why = typeof options.stdout === 'function' || typeof options.stderr === 'function' ? 'stdout and stderr must be fds' : options.signal ? 'a signal cannot end it' : options.interrupter ? 'nothing can interrupt it' : options.snapshot && 'capture' in options.snapshot ? 'it cannot make a snapshot' : undefined;
    if (why) throw new TypeError(`runWasi: a guest on the calling thread (thread: 'caller') blocks that thread, so ${why}; use thread: 'worker'`);
  }
  if (options.record && options.snapshot && 'capture' in options.snapshot) throw new TypeError('runWasi: a snapshot capture cannot be recorded (it runs no _start to replay); record the runs that restore it');
  const source = options.module;
  // V8 validates while compiling below; validating here too would cost a second pass.
  const { bytes, check } = isCompiled(source) ? { bytes: null, check: source.check } : loadModule(source, { validate: false });
  // V8 compiles on its own threads while this one lays out the run, from a copy it made at the
  // call: bytes we read ourselves can go now.
  if (check.threads && onCaller) throw new TypeError(`runWasi: ${moduleName(source)} spawns threads (wasi-threads), which run in workers beside a guest thread the caller's event loop serves; use thread: 'worker'`);
  // A wasi-threads module's memory is made here, shared by all its threads (its maximum is the limit).
  const threads = check.threads
    ? { memory: createSharedMemory(check.threads.memory, options.maxMemoryBytes, moduleName(source)), fds: createSharedFdBuffer(options.maxFds), state: createThreadState(), maxThreads: options.maxThreads ?? DEFAULT_MAX_THREADS }
    : undefined;
  const limited = bytes && options.maxMemoryBytes !== undefined && !check.threads ? limitMemory(bytes, options.maxMemoryBytes, moduleName(source)) : bytes;
  const module = limited ? compileChecked(limited, moduleName(source), check) : Promise.resolve((source as CompiledModule).module);
  // A recording hashes them first (record/open-log.ts).
  if (bytes && typeof source === 'string' && !options.record) releaseBytes(bytes);
  // Awaited by the thread mode; a run that fails before that reports its own error instead.
  module.catch(() => {});
  const args = options.args ?? [typeof source === 'string' || isCompiled(source) ? path.basename(moduleName(source)) : 'module.wasm'];
  const userMounts: MountSpec[] = [
    ...Object.entries(options.preopens ?? {}).map(([guest, host]) => ({ guest, host })),
    ...(options.dirs ?? []),
  ];
  // A user mount at one of the guest paths the host would fill itself takes precedence.
  const userMountAt = (guest: string) => userMounts.some((m) => path.posix.normalize(m.guest).replace(/\/+$/, '') === guest);
  const tmp: PrivateTmp | null = options.privateTmp !== false && !userMountAt('/tmp') ? createPrivateTmp() : null;
  let user: PreparedUser | null = null;
  try {
    user = options.user ? prepareGuestUser(options.user, !userMountAt('/etc')) : null;
  } catch (e) {
    tmp?.remove();
    throw e;
  }
  const zoneinfo = options.zoneinfo && !userMountAt(ZONEINFO) && existsSync(ZONEINFO) ? [{ guest: ZONEINFO, host: ZONEINFO, readOnly: true }] : [];
  const mounts = [...(tmp ? [{ guest: '/tmp', host: tmp.path }] : []), ...(user?.mounts ?? []), ...zoneinfo, ...userMounts];
  // TLS clients in the guest find their CA bundle at OpenSSL's default path (trust.ts).
  const userCaDir = userMountAt(GUEST_CA_DIR);
  let trust: TrustChoice | undefined;
  let caDir: PrivateTmp | null = null;
  let table: MountTable;
  try {
    if (options.caFile !== undefined && userCaDir) throw new TrustError(`a CA file and a mount at ${GUEST_CA_DIR} both set the guest's trust: give one`);
    if (options.trust !== false && check.usesSockets === true && !userCaDir) {
      trust = chooseTrust(options.caFile !== undefined ? { caFile: options.caFile } : {});
      caDir = createPrivateTmp('ca');
      writeTrustDir(caDir.path, trust);
      mounts.push({ guest: GUEST_CA_DIR, host: caDir.path, readOnly: true });
    }
    table = new MountTable(mounts);
  } catch (e) {
    tmp?.remove();
    caDir?.remove();
    user?.remove();
    throw e;
  }

  const runStdin = openRunStdin(options.stdin);
  const stdin = runStdin.fd;
  const guestEnv = { ...(user?.env ?? {}), ...guestEnvironment(options, check.usesSockets === true, trust) };
  let record: RecordInit | undefined;
  if (options.record) {
    try {
      const restore = options.snapshot && 'restore' in options.snapshot ? options.snapshot.restore : undefined;
      record = (await import('./record/open-log.ts')).openLog(options.record, {
        module: { name: moduleName(source), bytes: isCompiled(source) ? null : bytes },
        ...(restore !== undefined ? { snapshot: restore } : {}),
        ...(options.maxMemoryBytes !== undefined ? { maxMemoryBytes: options.maxMemoryBytes } : {}),
        args,
        env: guestEnv,
      });
    } catch (e) {
      tmp?.remove();
      caDir?.remove();
      user?.remove();
      runStdin.close();
      throw e;
    }
  }
  const stdout = options.stdout ?? 1;
  const stderr = options.stderr ?? 2;
  const run: PreparedRun = {
    options,
    init: {
      args,
      env: guestEnv,
      mounts,
      stdin,
      stdout: typeof stdout === 'number' ? stdout : 'post',
      stderr: typeof stderr === 'number' ? stderr : 'post',
      channel: createChannelBuffers(),
      interrupts: new SharedArrayBuffer(4),
      ...(options.maxFds !== undefined ? { maxFds: options.maxFds } : {}),
      ...(options.maxMemoryBytes !== undefined ? { maxMemoryBytes: Math.floor(options.maxMemoryBytes / WASM_PAGE) * WASM_PAGE } : {}),
      shapes: check.shapes,
      ...(threads ? { threads } : {}),
      ...(options.snapshot ? { snapshot: options.snapshot } : {}),
      ...(record ? { record } : {}),
    },
    table,
    net: options.net ?? 'loopback',
    module,
  };
  try {
    if (onCaller) return await (await import('./run-on-caller.ts')).runOnCallerThread(run, THREAD_CODE);
    return await (await import('./run-in-worker.ts')).runInWorker(run, THREAD_CODE);
  } finally {
    tmp?.remove();
    caDir?.remove();
    user?.remove();
    runStdin.close();
    if (record) closeSync(record.fd);
  }
}

/** A run whose guest-side setup is done: what both threading modes start from. */
export interface PreparedRun {
  options: RunWasiOptions;
  /** The guest's init, without its module, its ring port and readline (the mode adds them). */
  init: Omit<GuestInit, 'module' | 'ringPort' | 'readline'>;
  /** The guest's mounts, for the host's own use (AF_UNIX paths). */
  table: MountTable;
  /** options.net with its default. */
  net: NetPolicy;
  /** Compiling on V8's background threads while the guest thread is set up. */
  module: Promise<WebAssembly.Module>;
}

export type { ThreadEntry } from './guest-thread.ts';
