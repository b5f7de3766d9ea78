// The options every command that runs a guest shares (`run`, `python`): environment, visible
// directories and the network policy, parsed into the form runWasi takes.
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { FD_LIMIT, NetPolicyError, parseNetPolicy, type MountSpec, type NetPolicy } from '@pywasi/host';

/** What commander hands the action for the shared options. */
export interface GuestFlags {
  env: Record<string, string>;
  envInherit?: boolean;
  dir: MountSpec[];
  net: NetPolicy;
  caFile?: string;
  optimize?: boolean;
  /** --timeout, in ms. */
  timeout?: number;
  maxFds?: number;
  /** --max-memory, in bytes. */
  maxMemory?: number;
  /** --max-threads. */
  maxThreads?: number;
}

/** The limits a run takes from the flags (runWasi's options of the same names). */
export function runLimits(flags: Pick<GuestFlags, 'timeout' | 'maxFds' | 'maxMemory' | 'maxThreads'>): { timeoutMs?: number; maxFds?: number; maxMemoryBytes?: number; maxThreads?: number } {
  return {
    ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
    ...(flags.maxFds !== undefined ? { maxFds: flags.maxFds } : {}),
    ...(flags.maxMemory !== undefined ? { maxMemoryBytes: flags.maxMemory } : {}),
    ...(flags.maxThreads !== undefined ? { maxThreads: flags.maxThreads } : {}),
  };
}

/**
 * --optimize: V8 compiles every function of the module with its optimising compiler at first
 * call, instead of its baseline compiler first and the optimising one once the function is hot.
 * V8 never moves a running call to optimised code, so an interpreter that runs a whole program
 * inside one call of its loop (Lua, CPython without its patch 0009) stays in baseline code unless
 * this is set. python.wasm enters its loop afresh per Python call, so it gains little from it.
 * Process-wide, so set before the module is compiled.
 */
export function applyCompileMode(flags: Pick<GuestFlags, 'optimize'>, execArgv: readonly string[] = process.execArgv): void {
  if (flags.optimize) setFlagsFromString('--no-liftoff');
  else if (!execArgv.some((a) => a.replaceAll('_', '-').startsWith('--wasm-tiering-budget'))) setFlagsFromString(`--wasm-tiering-budget=${TIERING_BUDGET}`);
}

/**
 * How much a wasm function runs in baseline code before V8 compiles it with its optimising
 * compiler (roughly bytes of code executed; V8's default is 13,000,000). A short run cannot repay
 * those compiles, and its exit waits for them: with the default, `python -c pass` started
 * optimising compiles that cost a sixth of its peak memory and a tenth of its time; at 16 times
 * the default it starts none, and the pure-Python suite in bench/ runs as fast (bench/results.json).
 * `pywasi run` gets it too. A --wasm-tiering-budget (or _budget) given to Node wins.
 */
const TIERING_BUDGET = 208_000_000;

function parseEnv(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected K=V, got '${value}'`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** A flag's path must name an existing file or directory: "no such <kind>" / "not a <kind>". */
function requireExisting(value: string, kind: 'file' | 'directory'): void {
  let stats;
  try {
    stats = statSync(value);
  } catch {
    throw new InvalidArgumentError(`no such ${kind}: ${value}`);
  }
  if (kind === 'file' ? !stats.isFile() : !stats.isDirectory()) throw new InvalidArgumentError(`not a ${kind}: ${value}`);
}

/** HOST[:GUEST[:ro]]: the first ':' separates HOST and GUEST; a read-only mount names its GUEST. */
export function parseDir(value: string, previous: MountSpec[] = []): MountSpec[] {
  const parts = value.split(':');
  const form = `expected HOST[:GUEST[:ro]] (e.g. ./data:/data:ro), got '${value}'`;
  if (parts.length > 3 || parts.some((p) => p === '')) throw new InvalidArgumentError(form);
  const [host, guestGiven, mode] = parts as [string, string | undefined, string | undefined];
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') throw new InvalidArgumentError(`unknown mount mode '${mode}': ${form}`);
  if (guestGiven !== undefined && !guestGiven.startsWith('/')) throw new InvalidArgumentError(`the guest path must be absolute, got '${guestGiven}'`);
  if (guestGiven?.split('/').some((p) => p === '.' || p === '..')) throw new InvalidArgumentError(`the guest path may not contain '.' or '..', got '${guestGiven}'`);
  requireExisting(host, 'directory');
  // HOST without GUEST (./data, ../x, /srv) appears at its absolute host path.
  const guestPath = guestGiven ?? path.resolve(host);
  return [...previous, { host: path.resolve(host), guest: guestPath, readOnly: mode === 'ro' }];
}

/** --timeout: seconds (a decimal number) → ms. */
function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(seconds > 0) || seconds * 1000 > 2 ** 31 - 1) throw new InvalidArgumentError(`expected a number of seconds above 0 (e.g. 30 or 0.5), got '${value}'`);
  return Math.max(1, Math.round(seconds * 1000));
}

/** --max-memory: MiB → bytes (whole 64 KiB pages). */
function parseMaxMemory(value: string): number {
  const mib = Number(value);
  if (!/^\d+$/.test(value) || mib < 1 || mib > 4096) throw new InvalidArgumentError(`expected a whole number of MiB from 1 to 4096, got '${value}'`);
  return mib * 2 ** 20;
}

function parseMaxFds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 4 || n > FD_LIMIT) throw new InvalidArgumentError(`expected a whole number from 4 (stdin, stdout, stderr and /) to ${FD_LIMIT}, got '${value}'`);
  return n;
}

function parseMaxThreads(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 4096) throw new InvalidArgumentError(`expected a whole number of threads from 1 to 4096, got '${value}'`);
  return n;
}

function parseCaFile(value: string): string {
  requireExisting(value, 'file');
  return path.resolve(value);
}

function parseNet(value: string): NetPolicy {
  try {
    return parseNetPolicy(value);
  } catch (e) {
    if (e instanceof NetPolicyError) throw new InvalidArgumentError(e.message);
    throw e;
  }
}

/** Builds the guest environment: the host's (with --env-inherit) overridden by -e values. */
export function guestEnv(opts: { env: Record<string, string>; envInherit?: boolean }): Record<string, string> {
  const env: Record<string, string> = {};
  if (opts.envInherit) {
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  }
  return { ...env, ...opts.env };
}

/** Adds -e/--env, --env-inherit, --dir, --net, --optimize and --ca-file to a command. */
export function addGuestOptions(command: Command, defaults: { dirs: string }): Command {
  return command
    .addOption(new Option('-e, --env <K=V>', 'set a guest environment variable (repeatable)').argParser(parseEnv).default({}, 'empty environment'))
    .option('--env-inherit', 'start from the host environment; -e values override it')
    .addOption(
      new Option('--dir <HOST[:GUEST[:ro]]>', 'make a host directory visible to the guest at GUEST (default: its absolute host path); ":ro" makes it read-only; repeatable')
        .argParser(parseDir)
        .default([], defaults.dirs),
    )
    .addOption(
      new Option(
        '--net <policy>',
        'network access: all; loopback (127.0.0.0/8, ::1 and AF_UNIX; wildcard binds become loopback: every service listening on the host\'s loopback is reachable); none; allow:HOST[:PORT],... (only these names and addresses, as resolved by the guest\'s lookups; no AF_UNIX)',
      )
        .argParser(parseNet)
        .default('loopback'),
    )
    .addOption(new Option('--timeout <seconds>', 'stop the guest after this much wall-clock time (exit code 124)').argParser(parseTimeout))
    .addOption(new Option('--max-memory <MiB>', "the guest's memory: allocations past it fail in the guest (MemoryError in Python); a run that then fails exits with 137").argParser(parseMaxMemory))
    .addOption(new Option('--max-fds <n>', `the guest's fd numbers stay below n: past it, opening a file or socket fails with EMFILE, as past ulimit -n (default ${FD_LIMIT})`).argParser(parseMaxFds))
    .addOption(new Option('--max-threads <n>', 'a module built with wasi-threads may have n threads running besides its main one: past it, creating one fails (EAGAIN) with a warning (default 64)').argParser(parseMaxThreads))
    .option('--optimize', "compile every function with V8's optimising compiler at its first call: a slower start, for modules whose main loop is one long call (Lua's; not python.wasm's)")
    .addOption(
      new Option('--ca-file <pem>', "the CA certificates TLS clients in the guest trust by default (served at /etc/ssl/cert.pem); wins over the guest's SSL_CERT_FILE")
        .argParser(parseCaFile),
    );
}
