// Python for Node programs: runPython({ code | file | module, args, ... }) runs python.wasm in a
// worker thread (the caller's event loop keeps running) and settles with its exit code. A Python
// (loadPython) compiles python.wasm once and makes this installation's start-up snapshot once, for
// all the runs that share it; runPython without one shares a default Python.
import { closeSync, existsSync, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { compileModule, Interrupter, runWasi, type CompiledModule, type MountSpec, type NetPolicy, type OutputSink, type RecordOptions } from '@pywasi/host';
import { pythonInvocation } from './invocation.ts';
import { buildHint, NO_THREADS_BUILD, pythonBuildDir, pythonLayout, type PythonLayout } from './layout.ts';
import { ensureSnapshot, type SnapshotPlan } from './snapshot.ts';
import type { StdlibLayout } from './stdlib-files.ts';

/** Where the guest's stdout or stderr goes: a host fd, a function given each decoded text chunk,
 * or a Writable given the bytes. */
export type PythonOutput = number | ((text: string) => void) | Writable;

export interface RunPythonOptions {
  /** Source to run, as `python -c`. Give at most one of code, file and module; with none, python
   * reads its program from stdin. */
  code?: string;
  /** A script on the host (relative to `cwd`), as `python file`; its directory is visible. */
  file?: string;
  /** A module to run as `python -m`. */
  module?: string;
  /** sys.argv[1:]. */
  args?: string[];
  /** The guest's environment; nothing of the host's is passed. */
  env?: Record<string, string>;
  /** Host directories the guest sees: { host, guest, readOnly }. Nothing else is visible. */
  dirs?: MountSpec[];
  /** A host directory the guest sees at the same path and starts in (./deps there joins
   * PYTHONPATH). Default: none, the guest starts in "/". */
  cwd?: string;
  /** Network policy: 'loopback' (default: every service on the host's loopback is reachable),
   * 'all', 'none', or { allow: [{ host, port? }] } (only those names and addresses). */
  net?: NetPolicy;
  /** A PEM file of CA certificates that TLS clients in the guest trust by default. */
  caFile?: string;
  /** A host fd the guest reads as stdin. Default: an empty stdin. */
  stdin?: number;
  /** Default: this process's stdout / stderr. */
  stdout?: PythonOutput;
  stderr?: PythonOutput;
  /** Ends the run (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Wall-clock limit in ms: the guest is stopped and the promise rejects with a WasiLimitError. */
  timeoutMs?: number;
  /** The guest's fd numbers stay below it: past it, opening a file or socket fails with EMFILE. */
  maxFds?: number;
  /** The most memory the guest may have, in bytes: allocations past it fail in Python (MemoryError),
   * and a run that then fails rejects with a WasiLimitError. Such a run starts afresh, without
   * the start-up snapshot. */
  maxMemoryBytes?: number;
  /** A host directory to be the guest's HOME (/home/user), kept across runs. Default: a fresh one
   * per run, removed at its end (a kept HOME lets one run leave code that later runs execute). */
  home?: string;
  /** How the guest sees the standard library: 'files' (default), unpacked once per installation
   * into pywasi's cache ($PYWASI_CACHE_DIR, else ~/.cache/pywasi), where inspect, linecache and
   * tools reading a module's file find them, or 'zip', the build's python311.zip as it is. */
  stdlib?: StdlibLayout;
  /** The Python to run on (loadPython); default: one shared by the runs of the same build. */
  python?: Python;
  /** Record every host call of the run to a log (`{ file, maxBytes? }`), which replayWasi of
   * @pywasi/host replays with the module and snapshot the log names. The log holds the guest's
   * environment, what it read and every random number: keep it secret. Without `python` or
   * `build`, a recorded run uses the build without threads. */
  record?: RecordOptions;
  /** A python build by name, when `python` is not given: 'threads', 'no-threads', or one with
   * compiled packages built in, such as 'full' (the @pywasi/python-full package, installed beside
   * this one). Default: the threads build on Node 22 and newer, else the one without threads. */
  build?: string;
}

/** A run: a promise of its result, and a way to interrupt it as Ctrl-C does a native python. */
export interface PythonRun extends Promise<PythonResult> {
  /** Raises KeyboardInterrupt in the guest, wherever it is (a loop, a sleep, a blocking socket
   * call; not a read of a stdin pipe: see the README). One given before Python raised the previous
   * ends the run: the promise rejects with a WasiInterruptedError. 'idle' before the guest starts
   * and after it ends. */
  interrupt(): 'delivered' | 'ended' | 'idle';
}

export interface PythonResult {
  exitCode: number;
}

/** python.wasm of one build directory, compiled once, with its start-up snapshot. */
export class Python {
  private snapshot: Promise<{ plan: SnapshotPlan; module: CompiledModule } | null> | null = null;
  /** By file: an installed package's one module serves fresh and snapshot runs alike. */
  private compiled = new Map<string, Promise<CompiledModule>>();

  readonly layout: PythonLayout;

  private constructor(layout: PythonLayout) {
    this.layout = layout;}

  /** `dir`: a python build directory (python.wasm, python-resumable.wasm, usr/local/lib/);
   * default: PYWASI_PYTHON_DIR, else the default build's (see RunPythonOptions.build). */
  static async load(dir?: string): Promise<Python> {
    const layout = pythonLayout(dir);
    if (!existsSync(layout.wasm)) throw new Error(`python.wasm not found at ${layout.wasm}: build it with \`npx pywasi build\`, or give the directory that holds it`);
    return new Python(layout);
  }

  /** The compiled module for a run: the resumable one when the snapshot serves it. */
  private module(plan?: SnapshotPlan): Promise<{ module: CompiledModule; image?: string }> {
    if (plan) {
      this.snapshot ??= ensureSnapshot(plan, (line) => process.emitWarning(line, 'PywasiWarning')).then(async (ok) => (ok ? { plan, module: await this.compile(plan.module) } : null));
      return this.snapshot.then((s) => (s ? { module: s.module, image: s.plan.image } : this.module()));
    }
    return this.compile(this.layout.wasm).then((module) => ({ module }));
  }

  /** Compiled once per file and memory limit. */
  private compile(file: string, maxMemoryBytes?: number): Promise<CompiledModule> {
    const key = `${file}\0${maxMemoryBytes ?? ''}`;
    let module = this.compiled.get(key);
    if (!module) this.compiled.set(key, (module = compileModule(file, maxMemoryBytes !== undefined ? { maxMemoryBytes } : {})));
    return module;
  }

  /** Runs python.wasm; the result is also a handle that can interrupt the run. */
  run(options: RunPythonOptions): PythonRun {
    const interrupter = new Interrupter();
    return Object.assign(this.runWith(options, interrupter), { interrupt: () => interrupter.interrupt() });
  }

  private async runWith(options: RunPythonOptions, interrupter: Interrupter): Promise<PythonResult> {
    const given = (['code', 'file', 'module'] as const).filter((k) => options[k] !== undefined);
    if (given.length > 1) throw new TypeError(`runPython: give one of code, file and module, not ${given.join(' and ')}`);
    const args = options.args ?? [];
    const pythonArgs =
      options.code !== undefined ? ['-c', options.code, ...args] : options.module !== undefined ? ['-m', options.module, ...args] : options.file !== undefined ? [options.file, ...args] : args;
    const invocation = pythonInvocation(
      { pythonArgs, cwd: options.cwd ?? null, dirs: options.dirs ?? [], env: options.env ?? {}, net: options.net ?? 'loopback', ...(options.caFile !== undefined ? { caFile: options.caFile } : {}), ...(options.home !== undefined ? { home: options.home } : {}), ...(options.stdlib !== undefined ? { stdlib: options.stdlib } : {}) },
      this.layout,
    );
    // A memory limit applies to the module compiled with it, which starts afresh (the snapshot's
    // image belongs to the module without a limit).
    const limit = options.maxMemoryBytes;
    const { module, image } = limit !== undefined ? { module: await this.compile(this.layout.wasm, limit), image: undefined } : await this.module(invocation.snapshot);
    const stdout = outputSink(options.stdout ?? 1);
    const stderr = outputSink(options.stderr ?? 2);
    const emptyStdin = options.stdin === undefined ? openSync('/dev/null', 'r') : null;
    try {
      const exitCode = await runWasi({
        module,
        args: invocation.argv,
        env: invocation.env,
        user: invocation.user,
        zoneinfo: invocation.zoneinfo,
        interrupter,
        dirs: invocation.dirs,
        net: invocation.net,
        ...(invocation.caFile !== undefined ? { caFile: invocation.caFile } : {}),
        ...(image !== undefined ? { snapshot: { restore: image } } : {}),
        stdin: options.stdin ?? emptyStdin!,
        stdout: stdout.target,
        stderr: stderr.target,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.maxFds !== undefined ? { maxFds: options.maxFds } : {}),
        ...(limit !== undefined ? { maxMemoryBytes: limit } : {}),
        ...(options.record ? { record: options.record } : {}),
      });
      return { exitCode };
    } finally {
      stdout.end();
      stderr.end();
      if (emptyStdin !== null) closeSync(emptyStdin);
    }
  }
}

/** What runWasi takes for an output, and what ends it (the rest of a UTF-8 sequence cut in two). */
function outputSink(output: PythonOutput): { target: number | OutputSink; end: () => void } {
  if (typeof output === 'number') return { target: output, end: () => {} };
  if (typeof output === 'function') {
    const decoder = new TextDecoder('utf-8');
    return {
      target: (bytes) => {
        const text = decoder.decode(bytes, { stream: true });
        if (text) output(text);
      },
      end: () => {
        const rest = decoder.decode();
        if (rest) output(rest);
      },
    };
  }
  return { target: (bytes) => void output.write(bytes), end: () => {} };
}

/** One Python per build, shared by the runs that give no `python`; '' when they name none (the
 * default build, or $PYWASI_PYTHON_DIR). */
const shared = new Map<string, Promise<Python>>();

/** Compiles python.wasm for runs that share it: of `dir` (see Python.load), or of a build by name
 * ({ build: 'full' }, see RunPythonOptions.build). */
export function loadPython(from?: string | { build?: string }): Promise<Python> {
  return Python.load(typeof from === 'string' ? from : buildDir(from?.build));
}

/** The directory of a build by name; a missing build is an error that says how to get it. */
function buildDir(build: string | undefined): string | undefined {
  if (build === undefined) return undefined;
  const dir = pythonBuildDir(build);
  if (!existsSync(pythonLayout(dir).wasm)) throw new Error(`the ${build} python build is not installed (no python.wasm in ${dir}): ${buildHint(build)}`);
  return dir;
}

/** Runs python.wasm (see RunPythonOptions); the promise it returns can also interrupt the run. */
export function runPython(options: RunPythonOptions): PythonRun {
  if (options.python && options.build !== undefined) throw new TypeError('runPython: give python or build, not both (a loaded Python is of one build)');
  if (options.python) return options.python.run(options);
  // A recorded run without a build named runs the one without threads: a run log holds one
  // thread's calls (@pywasi/host refuses to record a module that can start threads).
  const build = options.build ?? (options.record && !process.env['PYWASI_PYTHON_DIR'] ? NO_THREADS_BUILD : '');
  let python = shared.get(build);
  if (!python) {
    shared.set(build, (python = Promise.resolve().then(() => loadPython(build ? { build } : {}))));
    python.catch(() => shared.delete(build)); // a failed load is tried again by the next run
  }
  // The run starts once the shared Python is loaded; an interrupt before then finds it idle.
  let run: PythonRun | null = null;
  const result = python.then((p) => (run = p.run(options)));
  return Object.assign(result, { interrupt: () => run?.interrupt() ?? ('idle' as const) });
}
