// `pywasi run`: run a WASI module on Node with the socket extension (@pywasi/host).
import * as path from 'node:path';
import { Command } from 'commander';
import { Interrupter, MountError, TrustError, WasiInterruptedError, WasiLimitError, WasiModuleError, WasiTrapError, runWasi, type GuestThread, type GuestUser, type MountSpec, type NetPolicy, type ReadlineOptions, type SnapshotRequest } from '@pywasi/host';
import { addGuestOptions, applyCompileMode, guestEnv, runLimits, type GuestFlags } from '../guest-options.ts';

/** Exit code for pywasi's own errors (bad module, host failure). Guest codes pass through. */
export const EXIT_ERROR = 1;
/** Exit code when the guest traps (as if it had died of SIGABRT). */
export const EXIT_TRAP = 134;
/** Exit code after Ctrl-C, should this process survive its own SIGINT (a listener of an embedder). */
export const EXIT_SIGINT = 130;
/** Exit code when --timeout stopped the guest (as timeout(1)). */
export const EXIT_TIMEOUT = 124;
/** Exit code when the guest failed with its memory at --max-memory (as a process the kernel's
 * out-of-memory killer ended). */
export const EXIT_MEMORY = 137;

export interface RunOptions {
  env: Record<string, string>;
  envInherit: boolean;
  dirs: MountSpec[];
  net: NetPolicy;
  /** PEM bundle the guest's TLS clients trust by default (else the host's; see wasi-host trust.ts). */
  caFile?: string;
  snapshot?: SnapshotRequest;
  /** Line editing for the guest (offered only when its stdin and stdout are terminals). */
  readline?: ReadlineOptions;
  /** argv[0] as the guest sees it. Default: the module's file name. */
  argv0?: string;
  /** Where the guest runs (runWasi's `thread`): 'caller' starts faster and lighter (no worker
   * unless the guest opens a socket or reads a terminal line), 'worker' (default) gives the guest
   * a deep native stack and keeps this thread free for signals. */
  thread?: 'worker' | 'caller';
  /** Ctrl-C (SIGINT) interrupts the guest instead of ending it (runWasi's `interrupter`; python.wasm
   * raises KeyboardInterrupt); a second one before the guest took the first ends the run. Needs
   * thread 'worker'. */
  interruptible?: boolean;
  /** A worker started earlier for the guest (runWasi's `guestThread`). */
  guestThread?: GuestThread;
  /** The guest's user and time zones (runWasi's options of the same names). */
  user?: GuestUser;
  zoneinfo?: boolean;
  /** Told what the network policy refused (runWasi's option of the same name). */
  onNetRefused?: (what: string) => void;
  /** Limits (runWasi's options of the same names; the CLI's --timeout and --max-fds). */
  timeoutMs?: number;
  maxFds?: number;
  maxMemoryBytes?: number;
  maxThreads?: number;
}

export interface RunIo {
  /** Prefix of error lines, e.g. "pywasi run". */
  label?: string;
  /** Where one-line errors go. */
  error: (line: string) => void;
  stdin?: number;
  stdout?: number;
  stderr?: number;
}

const defaultIo: RunIo = { error: (line) => process.stderr.write(`${line}\n`) };

/**
 * Runs `module` with `args` (argv[0] becomes the module's base name); returns the exit code:
 * the guest's, EXIT_ERROR after a one-line error, EXIT_TRAP when the guest trapped.
 */
export async function runCommand(module: string, args: string[], opts: RunOptions, io: RunIo = defaultIo): Promise<number> {
  const label = io.label ?? 'pywasi run';
  const interrupter = opts.interruptible ? new Interrupter() : undefined;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    interrupter!.interrupt();
  };
  if (interrupter) process.on('SIGINT', onSigint);
  try {
    const code = await runWasi({
      module,
      args: [opts.argv0 ?? path.basename(module), ...args],
      env: guestEnv(opts),
      dirs: opts.dirs,
      ...(opts.snapshot ? { snapshot: opts.snapshot } : {}),
      ...(opts.readline ? { readline: opts.readline } : {}),
      ...(opts.thread ? { thread: opts.thread } : {}),
      net: opts.net,
      ...(opts.caFile !== undefined ? { caFile: opts.caFile } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.maxFds !== undefined ? { maxFds: opts.maxFds } : {}),
      ...(opts.maxMemoryBytes !== undefined ? { maxMemoryBytes: opts.maxMemoryBytes } : {}),
      ...(opts.maxThreads !== undefined ? { maxThreads: opts.maxThreads } : {}),
      ...(interrupter ? { interrupter } : {}),
      ...(opts.guestThread ? { guestThread: opts.guestThread } : {}),
      ...(opts.user ? { user: opts.user } : {}),
      ...(opts.zoneinfo ? { zoneinfo: true } : {}),
      ...(opts.onNetRefused ? { onNetRefused: opts.onNetRefused } : {}),
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
    });
    // python.wasm exits with 130 after an unhandled KeyboardInterrupt, where a native python
    // kills itself with SIGINT: do that for it.
    if (interrupted && code === EXIT_SIGINT) dieOfSigint(onSigint);
    return code;
  } catch (e) {
    if (e instanceof WasiInterruptedError) {
      // Ctrl-C ended the guest (runWasi has removed its files): die of SIGINT as the native
      // program would, so a shell or a parent sees the signal and not an exit code.
      dieOfSigint(onSigint);
      return EXIT_SIGINT;
    }
    if (e instanceof WasiModuleError || e instanceof MountError || e instanceof TrustError) {
      io.error(`${label}: error: ${e.message}`);
      return EXIT_ERROR;
    }
    if (e instanceof WasiLimitError && e.limit === 'memory') {
      io.error(`${label}: the guest failed with its memory at --max-memory ${opts.maxMemoryBytes! / 2 ** 20} MiB`);
      return EXIT_MEMORY;
    }
    if (e instanceof WasiLimitError) {
      io.error(`${label}: stopped: the run took longer than --timeout ${opts.timeoutMs! / 1000} s`);
      return EXIT_TIMEOUT;
    }
    if (e instanceof WasiTrapError) {
      io.error(`${label}: guest trapped: ${e.message.split('\n')[0]}`);
      return EXIT_TRAP;
    }
    io.error(`${label}: error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return EXIT_ERROR;
  } finally {
    if (interrupter) process.off('SIGINT', onSigint);
  }
}

/** Ends this process by SIGINT's default action; should it survive (a listener of an embedder),
 * the caller returns EXIT_SIGINT. */
function dieOfSigint(ours: () => void): void {
  process.off('SIGINT', ours);
  process.kill(process.pid, 'SIGINT');
}

export function registerRun(program: Command): void {
  // Options after the module name belong to the guest (python.wasm -c ...): that needs
  // positional options on the program and pass-through on this command.
  program.enablePositionalOptions();
  const run = program
    .command('run')
    .description('run a WASI module (e.g. python.wasm) with POSIX sockets')
    .usage('[options] [--] <module.wasm> [args...]')
    .argument('<module>', 'the .wasm file to run (argv[0] is its base name)')
    .argument('[args...]', 'arguments passed to the module')
    .passThroughOptions();
  addGuestOptions(run, { dirs: 'no directory is visible' })
    .addHelpText(
      'after',
      `
Refused network operations fail in the guest with EACCES (PermissionError in Python).
TLS clients in the guest trust, by default, the CA bundle at /etc/ssl/cert.pem: --ca-file, else
the guest's SSL_CERT_FILE (OpenSSL reads it), else this machine's bundle
(/etc/ssl/certs/ca-certificates.crt on Debian), else Node's root certificates.
A guest that uses sockets gets HOSTNAME=<this machine's host name> (what gethostname() and
Python's socket.gethostname() return) unless -e HOSTNAME=... (or --env-inherit) sets it.
The guest's exit code becomes pywasi's; a trap exits with ${EXIT_TRAP}, --timeout with ${EXIT_TIMEOUT}, a
failure at --max-memory with ${EXIT_MEMORY}, a pywasi error with ${EXIT_ERROR}.

Examples:
  $ pywasi run -- hello.wasm
  $ pywasi run -e PYTHONHOME=/lib/python -e PYTHONDONTWRITEBYTECODE=1 --dir ./lib:/lib -- python.wasm -c 'print(1)'
  $ pywasi run -e PYTHONHOME=/lib/python --dir ./lib:/lib --net all -- python.wasm -m http.server 8000
  $ pywasi run --net none -- client.wasm`,
    )
    .action(async (module: string, args: string[], opts: GuestFlags) => {
      applyCompileMode(opts);
      process.exitCode = await runCommand(module, args, {
        env: opts.env,
        envInherit: opts.envInherit === true,
        dirs: opts.dir,
        net: opts.net,
        ...(opts.caFile !== undefined ? { caFile: opts.caFile } : {}),
        ...runLimits(opts),
      });
    });
}
