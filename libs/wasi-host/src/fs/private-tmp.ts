// A private /tmp for each run: a fresh host directory, removed when the run ends — normally, on a
// guest trap, on an uncaught error, and when the process is stopped by SIGINT, SIGTERM or SIGHUP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function removeAll(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  unlisten();
  // Die of the signal as we would have without this handler (exit status 128 + n for the shell).
  process.kill(process.pid, signal);
}

function listen(): void {
  process.on('exit', removeAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function unlisten(): void {
  process.off('exit', removeAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

export interface PrivateTmp {
  readonly path: string;
  remove(): void;
}

/** A fresh host directory (named `prefix`...) removed by remove(), or when the process ends. */
export function createPrivateTmp(prefix = 'pywasi-tmp-'): PrivateTmp {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (live.size === 0) listen();
  live.add(dir);
  return {
    path: dir,
    remove() {
      if (!live.delete(dir)) return;
      rmSync(dir, { recursive: true, force: true });
      if (live.size === 0) unlisten();
    },
  };
}
