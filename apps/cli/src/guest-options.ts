// The options every command that runs a guest shares (`run`, `python`): environment, visible
// directories and the network policy, parsed into the form runWasi takes.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { NET_POLICIES, isNetPolicy, type NetPolicy } from '@pywasi/wasi-host';

/** What commander hands the action for the shared options. */
export interface GuestFlags {
  env: Record<string, string>;
  envInherit?: boolean;
  dir: Record<string, string>; // guest → host
  net: NetPolicy;
}

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
export function guestEnv(opts: { env: Record<string, string>; envInherit?: boolean }): Record<string, string> {
  const env: Record<string, string> = {};
  if (opts.envInherit) {
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  }
  return { ...env, ...opts.env };
}

/** Adds -e/--env, --env-inherit, --dir and --net to a command. */
export function addGuestOptions(command: Command, defaults: { dirs: string }): Command {
  return command
    .addOption(new Option('-e, --env <K=V>', 'set a guest environment variable (repeatable)').argParser(parseEnv).default({}, 'empty environment'))
    .option('--env-inherit', 'start from the host environment; -e values override it')
    .addOption(
      new Option('--dir <HOST[:GUEST]>', 'make a host directory visible to the guest at GUEST (GUEST defaults to HOST as given); repeatable')
        .argParser(parseDir)
        .default({}, defaults.dirs),
    )
    .addOption(
      new Option('--net <policy>', 'network access: all, loopback (only 127.0.0.0/8, ::1 and AF_UNIX; wildcard binds become loopback), none')
        .argParser(parseNet)
        .default('loopback'),
    );
}
