// The guest, on whichever thread runs it (a worker, runWasi's default, or the calling thread:
// run-on-caller.ts): builds the whole preview1 import object — files and directories through the
// host's confined file system (fs/), the socket extension, process calls — instantiates the module
// and runs `_start` to completion.
import { GuestChannel, type ChannelBuffers } from './channel/channel.ts';
import { nullDevice, type GuestDevice } from './fs/device.ts';
import { FdTable } from './fd/fd-table.ts';
import { MountTable, type MountSpec } from './fs/mounts.ts';
import { closeAllFiles, createWasiFs, type StdioTarget } from './fs/wasi-fs.ts';
import { GuestMemory } from './abi/guest-memory.ts';
import { guardAll } from './host-call.ts';
import { createSocketImports } from './sockets/guest/imports.ts';
import type { RingPort } from './sockets/guest/rings.ts';
import { LineTail } from './tty/line-tail.ts';
import { createReadlineDevice, READLINE_DEVICE_PATH } from './tty/readline-device.ts';
import { createProcessImports, ProcExit } from './wasi-process.ts';
import type { SocketShapes } from './wasm-imports.ts';
import { captureInstance, encodeImage, instantiatedMemory, restoreFromFile, restoreGlobals, restoreMemoryFromFile, SnapshotError } from './snapshot/image.ts';
import { writeWhole } from './snapshot/write-whole.ts';
import { WasiLimitError } from './guest-errors.ts';
import { WASM_PAGE } from './memory-limit.ts';
import { InterruptFlag } from './interrupts.ts';
import { writeSync } from 'node:fs';
import { createSpawnImport } from './threads/spawn-import.ts';
import { SharedFdTable } from './threads/shared-fd-table.ts';
import { ThreadState, type ThreadsInit } from './threads/thread-state.ts';
import type { RecordInit } from './record/recorder.ts';

export interface GuestInit {
  /** Compiled by the calling thread and posted here (a Module is shareable between threads). */
  module: WebAssembly.Module;
  args: string[];
  env: Record<string, string>;
  /** The guest's tree: host directories at guest paths. */
  mounts: MountSpec[];
  stdin: number;
  /** A host fd, or 'post': each write goes to the calling thread as an { type: 'output', fd,
   * bytes } message, before the exit message. */
  stdout: number | 'post';
  stderr: number | 'post';
  channel: ChannelBuffers;
  shapes: SocketShapes;
  /** Where new socket rings go to the event loop (transferred to this thread). */
  ringPort?: RingPort;
  /** Offer /dev/pywasi-readline (the event loop runs the line editor). */
  readline?: boolean;
  snapshot?: SnapshotRequest;
  /** The most fds open at once (RunWasiOptions.maxFds). */
  maxFds?: number;
  /** The interrupt flag the host raises (interrupts.ts). */
  interrupts: SharedArrayBuffer;
  /** The module's memory maximum the host set (RunWasiOptions.maxMemoryBytes): a run that ends
   * badly with its memory there ends with a WasiLimitError. */
  maxMemoryBytes?: number;
  /** A wasi-threads module's shared memory and thread state (threads/). */
  threads?: ThreadsInit;
  /** Record every host call to a run log (record/). */
  record?: RecordInit;
}

/** Restore a snapshot file before `_start`, or instead of `_start` run an init export and save the
 * instance's state to a snapshot file (see snapshot/image.ts). */
export type SnapshotRequest = { restore: string } | { capture: SnapshotCapture };

export interface SnapshotCapture {
  initExport: string;
  image: string;
  key: string;
  /** 'changes' (default): the image holds what the init changed, and restores into this module.
   * 'whole': every non-zero byte, so it also restores into the module without its data segments
   * (snapshot/without-data.ts), which is smaller to read, compile and keep. */
  memory?: 'changes' | 'whole';
}

function capture(instance: WebAssembly.Instance, request: SnapshotCapture): void {
  const init = instance.exports[request.initExport];
  if (typeof init !== 'function') throw new SnapshotError(`the module exports no function named "${request.initExport}"`);
  const instantiated = request.memory === 'whole' ? undefined : instantiatedMemory(instance);
  try {
    (init as () => void)();
  } catch (e) {
    if (e instanceof ProcExit) throw new SnapshotError(`the init function "${request.initExport}" exited with status ${e.code}`);
    throw e;
  }
  writeWhole(request.image, encodeImage(captureInstance(instance, request.key, instantiated)));
}

function stdioTarget(target: number | 'post', fd: number): StdioTarget {
  if (target !== 'post') return target;
  // Loaded here only: a guest on the calling thread posts nothing (run-wasi.ts refuses it).
  const { parentPort: port } = process.getBuiltinModule('node:worker_threads');
  if (!port) throw new Error(`fd ${fd} is to be posted, and this is not a worker thread`);
  return { sink: (bytes) => port.postMessage({ type: 'output', fd, bytes }, [bytes.buffer as ArrayBuffer]) };
}

/** Devices every guest has. */
function standardDevices(): Record<string, () => GuestDevice> {
  return { '/dev/null': nullDevice };
}

/** What differs for a guest on the calling thread (run-wasi.ts, `thread: 'caller'`). */
export interface GuestHooks {
  /** Runs before the guest's first request on the channel: starts the thread that serves it. */
  beforeFirstRequest?: () => void;
  /** Calls `start` (the module's `_start`), e.g. where Ctrl-C can interrupt it. Default: directly. */
  enter?: (start: () => void) => void;
}

/** A guest's imports, built once per thread (each thread instantiates the module with its own). */
export interface PreparedGuest {
  imports: WebAssembly.Imports;
  fds: FdTable;
  channel: GuestChannel;
  /** The guest's memory as the host calls read and write it (what a recording watches). */
  mem: GuestMemory;
  /** Sets the memory the calls read and write: the instance's own, once it exists. */
  setMemory(m: WebAssembly.Memory): void;
}

/** Builds the import object of one guest thread: preview1 (files, process calls), the socket
 * extension and, for a wasi-threads module, its shared memory and `thread-spawn` (threads/). */
export function prepareGuest(init: Omit<GuestInit, 'module'>, hooks: GuestHooks = {}, self = 0): PreparedGuest {
  let memory: WebAssembly.Memory | null = init.threads?.memory ?? null;
  const getMemory = () => {
    if (!memory) throw new Error('guest memory is not available yet');
    return memory;
  };
  const mem = new GuestMemory(getMemory);
  // An interrupt (Ctrl-C) reaches the main thread only, as Python raises KeyboardInterrupt there:
  // a spawned thread that took it in sched_yield would drop it, and its blocking calls, returning
  // EINTR until the main thread took it, would spin. A spawned thread's flag is its own, never raised.
  const interrupts = self === 0 ? new InterruptFlag(init.interrupts) : new InterruptFlag();
  const channel = new GuestChannel(init.channel, hooks.beforeFirstRequest ?? null);
  const devices = standardDevices();
  // The editor redraws the prompt after what the guest printed on the terminal's last line.
  const lineTail = init.readline ? new LineTail() : undefined;
  if (lineTail) devices[READLINE_DEVICE_PATH] = () => createReadlineDevice(channel, lineTail);
  const mounts = new MountTable(init.mounts, devices);
  // The threads of a wasi-threads guest share one table; `self` says which thread this is.
  const fds = init.threads ? new SharedFdTable(init.threads.fds, { io: { mem, interrupts }, mounts, self }) : new FdTable(init.maxFds);
  const threadState = init.threads ? new ThreadState(init.threads) : null;
  const stderr = stdioTarget(init.stderr, 2);
  const files = createWasiFs({
    memory: mem,
    mounts,
    fds,
    stdio: [init.stdin, stdioTarget(init.stdout, 1), stderr],
    interrupts,
    ...(lineTail ? { onTerminalWrite: (b: Uint8Array) => lineTail.note(b) } : {}),
  });
  const rest = { ...createProcessImports(mem, init.args, init.env, interrupts), ...files };
  const sockets = createSocketImports({
    ...(init.ringPort ? { ringPort: init.ringPort } : {}),
    memory: getMemory,
    channel,
    wasi: rest,
    fds,
    shapes: init.shapes,
    interrupts,
    // The threads share their sockets as they share the fd table.
    ...(threadState && fds instanceof SharedFdTable ? { shared: { nextId: () => threadState.nextSocketId(), attach: (io) => fds.attachSockets(io) } } : {}),
  });
  const imports: WebAssembly.Imports = { wasi_snapshot_preview1: guardAll({ ...rest, ...sockets }) };
  if (init.threads) {
    const { parentPort } = process.getBuiltinModule('node:worker_threads');
    if (!parentPort) throw new TypeError('a wasi-threads module runs in worker threads only');
    const warn = (line: string) => (typeof stderr === 'number' ? writeSync(stderr, line) : stderr.sink(new Uint8Array(Buffer.from(line))));
    imports['env'] = { memory: init.threads.memory };
    imports['wasi'] = createSpawnImport(init.threads, (m) => parentPort.postMessage(m), warn);
  }
  return { imports, fds, channel, mem, setMemory: (m) => void (memory = m) };
}

export async function runGuest(init: GuestInit, hooks: GuestHooks = {}): Promise<number> {
  const { imports, fds, channel, mem, setMemory } = prepareGuest(init, hooks);
  // Loaded only when recording: a run that does not record pays nothing for it. The recorder
  // refuses a wasi-threads module (its threads' calls would interleave in no replayable order).
  const recording = init.record ? (await import('./record/recorder.ts')).startRecording(init.record, init.module, mem, init.args, init.env) : null;
  if (recording) imports['wasi_snapshot_preview1'] = recording.wrap(imports['wasi_snapshot_preview1'] as Parameters<typeof recording.wrap>[0]);
  // A wasi-threads module's memory is the host's: a snapshot goes into it before instantiation, so
  // that the module's start function (wasm-ld's __wasm_init_memory) finds it initialised and copies
  // no data over it. The globals are the instance's, set once it exists.
  const restore = init.snapshot && 'restore' in init.snapshot ? init.snapshot.restore : undefined;
  const restoredGlobals = restore !== undefined && init.threads ? restoreMemoryFromFile(init.threads.memory, restore) : undefined;
  const instance = await WebAssembly.instantiate(init.module, imports);
  const exported = instance.exports;
  const memory = init.threads?.memory ?? exported.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('the module exports no memory');
  if (typeof exported._start !== 'function') throw new Error('the module exports no _start function (not a WASI command)');
  setMemory(memory);
  let code = 0;
  /** The guest's memory is at the limit the host set, or so near (within a tenth, and at least a
   * page) that an allocation it made was refused: what went wrong was probably that. */
  const atMemoryLimit = () =>
    init.maxMemoryBytes !== undefined && memory.buffer.byteLength + Math.max(WASM_PAGE, init.maxMemoryBytes / 10) > init.maxMemoryBytes;
  const memoryLimitError = () => new WasiLimitError('memory', `the guest's memory reached its limit (${(init.maxMemoryBytes! / 2 ** 20).toFixed(0)} MiB)`);
  try {
    if (init.snapshot && 'capture' in init.snapshot) {
      capture(instance, init.snapshot.capture);
      return 0;
    }
    if (restoredGlobals) restoreGlobals(instance, restoredGlobals);
    else if (restore !== undefined) restoreFromFile(instance, restore);
    const start = exported._start as () => void;
    if (hooks.enter) hooks.enter(start);
    else start();
  } catch (e) {
    if (!(e instanceof ProcExit)) {
      recording?.finish({ outcome: 'error', message: e instanceof Error ? e.message : String(e) });
      throw atMemoryLimit() && !(e instanceof WasiLimitError) ? memoryLimitError() : e;
    }
    code = e.code;
  } finally {
    closeAllFiles(fds);
  }
  recording?.finish({ outcome: 'exit', code });
  if (code !== 0 && atMemoryLimit()) throw memoryLimitError();
  channel.sync(); // the event loop has taken every posted request before the guest is gone
  return code;
}
