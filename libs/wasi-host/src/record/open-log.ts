// The calling thread's half of recording: the run's identity (the module's and snapshot's
// sha256, args, env) for the log's header, and the log file, opened 0600 because it holds the
// environment, file contents and every random number of the run.
import { createHash } from 'node:crypto';
import { closeSync, fchmodSync, openSync, readFileSync } from 'node:fs';
import { LOG_VERSION, type LogHeader } from './format.ts';
import type { RecordInit } from './recorder.ts';

export interface RecordOptions {
  /** The log file (created or truncated, mode 0600). */
  file: string;
  /** Past this many bytes the recording stops, with a warning, and the run goes on. Default 1 GiB. */
  maxBytes?: number;
  /** Compare the whole guest memory around every call, and fail the run when a call changed a byte
   * the log would not restore (slow: for tests of the host). */
  verifyWrites?: boolean;
}

export const DEFAULT_MAX_LOG_BYTES = 2 ** 30;

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export interface RunIdentity {
  /** The module's bytes, or the file it was compiled from. */
  module: { name: string; bytes: Uint8Array | null };
  snapshot?: string;
  maxMemoryBytes?: number;
  args: string[];
  env: Record<string, string>;
}

/** Opens the log and returns what the guest's thread records with; close `fd` after the run. */
export function openLog(options: RecordOptions, run: RunIdentity): RecordInit {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_LOG_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 4096) throw new RangeError(`record.maxBytes must be an integer of at least 4096, got ${maxBytes}`);
  let bytes = run.module.bytes;
  if (!bytes) {
    try {
      bytes = readFileSync(run.module.name);
    } catch {
      throw new TypeError(`runWasi: recording needs the module's bytes for its identity, and ${run.module.name} is not a file: pass the module as a path or bytes`);
    }
  }
  const header: Omit<LogHeader, 'imports'> = {
    format: LOG_VERSION,
    created: new Date().toISOString(),
    module: { name: run.module.name, sha256: sha256(bytes), size: bytes.length },
    ...(run.snapshot !== undefined ? { snapshot: { path: run.snapshot, sha256: sha256(readFileSync(run.snapshot)) } } : {}),
    ...(run.maxMemoryBytes !== undefined ? { maxMemoryBytes: run.maxMemoryBytes } : {}),
    args: run.args,
    env: run.env,
    host: { node: process.version, platform: `${process.platform}-${process.arch}` },
  };
  const fd = openSync(options.file, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600); // a file that existed keeps its mode through open
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return { fd, file: options.file, maxBytes, header, ...(options.verifyWrites ? { verifyWrites: true } : {}) };
}
