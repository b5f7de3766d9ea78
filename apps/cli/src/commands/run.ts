// `pywasi run`: run a WASI module on Node with the socket extension (@pywasi/wasi-host).
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { NET_POLICIES, WasiModuleError, WasiTrapError, isNetPolicy, runWasi, type NetPolicy } from '@pywasi/wasi-host';

/** Exit code for pywasi's own errors (bad module, host failure). Guest codes pass through. */
export const EXIT_ERROR = 1;
/** Exit code when the guest traps (as if it had died of SIGABRT). */
export const EXIT_TRAP = 134;

export interface RunOptions {
  env: Record<string, string>;
  envInherit: boolean;
  dirs: Record<string, string>; // guest → host
  net: NetPolicy;
}

export interface RunIo {
  /** Where one-line errors go. */
  error: (line: string) => void;
  stdin?: number;
  stdout?: number;
  stderr?: number;
}

const defaultIo: RunIo = { error: (line) => process.stderr.write(`${line}\n`) };

function parseEnv(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected K=V, got '${value}'`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function parseDir(value: string, previous: Record<string, string> = {}): Record<string, string> {
  // HOST[:GUEST]; the first ':' separates them.
  const colon = value.indexOf(':');
  const host = colon >= 0 ? value.slice(0, colon) : value;
  const guest = colon >= 0 ? value.slice(colon + 1) : value;
  if (!host || !guest) throw new InvalidArgumentError(`expected HOST[:GUEST], got '${value}'`);
  let isDir = false;
  try {
    isDir = statSync(host).isDirectory();
  } catch {
    throw new InvalidArgumentError(`no such directory: ${host}`);
  }
  if (!isDir) throw new InvalidArgumentError(`not a directory: ${host}`);
  return { ...previous, [guest]: path.resolve(host) };
}

function parseNet(value: string): NetPolicy {
  if (!isNetPolicy(value)) throw new InvalidArgumentError(`expected one of ${NET_POLICIES.join(', ')}`);
  return value;
}

/** Builds the guest environment: the host's (with --env-inherit) overridden by -e values. */
export function guestEnv(opts: Pick<RunOptions, 'env' | 'envInherit'>): Record<string, string> {
  const env: Record<string, string> = {};
  if (opts.envInherit) {
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  }
  return { ...env, ...opts.env };
}

/**
 * Runs `module` with `args` (argv[0] becomes the module's base name); returns the exit code:
 * the guest's, EXIT_ERROR after a one-line error, EXIT_TRAP when the guest trapped.
 */
export async function runCommand(module: string, args: string[], opts: RunOptions, io: RunIo = defaultIo): Promise<number> {
  try {
    return await runWasi({
      module,
      args: [path.basename(module), ...args],
      env: guestEnv(opts),
      preopens: opts.dirs,
      net: opts.net,
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
    });
  } catch (e) {
    if (e instanceof WasiModuleError) {
      io.error(`pywasi run: error: ${e.message}`);
      return EXIT_ERROR;
    }
    if (e instanceof WasiTrapError) {
      io.error(`pywasi run: guest trapped: ${e.message.split('\n')[0]}`);
      return EXIT_TRAP;
    }
    io.error(`pywasi run: error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return EXIT_ERROR;
  }
}

export function registerRun(program: Command): void {
  // Options after the module name belong to the guest (python.wasm -c ...): that needs
  // positional options on the program and pass-through on this command.
  program.enablePositionalOptions();
  program
    .command('run')
    .description('run a WASI module (e.g. python.wasm) with POSIX sockets')
    .usage('[options] [--] <module.wasm> [args...]')
    .argument('<module>', 'the .wasm file to run (argv[0] is its base name)')
    .argument('[args...]', 'arguments passed to the module')
    .addOption(new Option('-e, --env <K=V>', 'set a guest environment variable (repeatable)').argParser(parseEnv).default({}, 'empty environment'))
    .option('--env-inherit', 'start from the host environment; -e values override it')
    .addOption(
      new Option('--dir <HOST[:GUEST]>', 'make a host directory visible to the guest at GUEST (GUEST defaults to HOST as given); repeatable')
        .argParser(parseDir)
        .default({}, 'no directory is visible'),
    )
    .addOption(
      new Option('--net <policy>', 'network access: all, loopback (only 127.0.0.0/8, ::1 and AF_UNIX; wildcard binds become loopback), none')
        .argParser(parseNet)
        .default('loopback'),
    )
    .passThroughOptions()
    .addHelpText(
      'after',
      `
Refused network operations fail in the guest with EACCES (PermissionError in Python).
The guest's exit code becomes pywasi's; a trap exits with ${EXIT_TRAP}, a pywasi error with ${EXIT_ERROR}.

Examples:
  $ pywasi run -- hello.wasm
  $ pywasi run -e PYTHONHOME=/lib/python -e PYTHONDONTWRITEBYTECODE=1 --dir ./lib:/lib -- python.wasm -c 'print(1)'
  $ pywasi run --env-inherit --dir /tmp --net all -- python.wasm -m http.server 8000
  $ pywasi run --net none -- client.wasm`,
    )
    .action(async (module: string, args: string[], opts: { env: Record<string, string>; envInherit?: boolean; dir: Record<string, string>; net: NetPolicy }) => {
      process.exitCode = await runCommand(module, args, { env: opts.env, envInherit: opts.envInherit === true, dirs: opts.dir, net: opts.net });
    });
}
