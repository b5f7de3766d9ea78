// The line editor's history on the host, kept across runs: one entry per line, oldest first (the
// layout of GNU readline's history files), capped to the newest entries, replaced atomically so a
// crash or a concurrent run never leaves half a file.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

export const DEFAULT_HISTORY_SIZE = 1000;

/** $XDG_STATE_HOME/pywasi/python_history, else ~/.local/state/pywasi/python_history. */
export function defaultHistoryFile(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const state = env['XDG_STATE_HOME'] && path.isAbsolute(env['XDG_STATE_HOME']) ? env['XDG_STATE_HOME'] : path.join(home, '.local', 'state');
  return path.join(state, 'pywasi', 'python_history');
}

/** An entry the file can hold: one line, and no NUL (the device protocol's separator). */
export function storable(entry: string): boolean {
  return entry !== '' && !/[\n\r\0]/.test(entry);
}

/** The entries in `file`; none when it does not exist. Throws for other read errors. */
export function loadHistory(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return text.split('\n').filter(storable);
}

/** Writes the newest `size` storable entries to `file` (mode 0600: history may hold secrets). */
export function saveHistory(file: string, entries: readonly string[], size: number = DEFAULT_HISTORY_SIZE): void {
  const kept = size > 0 ? entries.filter(storable).slice(-size) : [];
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, kept.length ? kept.join('\n') + '\n' : '', { mode: 0o600 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
