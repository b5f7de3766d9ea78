// A private /tmp for each run: a fresh host directory, removed when the run ends — normally, on a
// guest trap, on an uncaught error, and when the process is stopped by SIGINT, SIGTERM or SIGHUP.
// A process that could not run its handlers (killed by SIGKILL, or by SIGTERM while a guest held
// its only thread: suspendSignalCleanup) leaves its directories behind; they carry its pid, and
// the next run in any process removes those of processes that are gone.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** What the handlers stand down for while the thread is blocked (SIGINT has vm's breakOnSigint). */
const SUSPENDABLE = ['SIGTERM', 'SIGHUP'] as const;
const NAME = /^pywasi-[a-z]+-(\d+)-/;
let suspended = 0;
let swept = false;

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
  for (const s of SIGNALS) if (!suspended || !(SUSPENDABLE as readonly string[]).includes(s)) process.on(s, onSignal);
}

function unlisten(): void {
  process.off('exit', removeAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Removes the directories of earlier processes that ended without removing them (once per process). */
function sweepOrphans(): void {
  if (swept) return;
  swept = true;
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = NAME.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && processGone(Number(pid))) {
      rmSync(path.join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

export interface PrivateTmp {
  readonly path: string;
  remove(): void;
}

/** A fresh host directory (named `prefix`<pid>-...) removed by remove(), or when the process ends.
 * `prefix` is `pywasi-<word>-`. */
export function createPrivateTmp(prefix = 'pywasi-tmp-'): PrivateTmp {
  sweepOrphans();
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}${process.pid}-`));
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

/**
 * For a thread about to block (a guest on the calling thread): SIGTERM and SIGHUP end the process
 * at once instead of waiting for handlers that cannot run until the thread is free, so `kill` works
 * as it does on a native process. Its directories are then left to the sweep. Returns the undo.
 */
export function suspendSignalCleanup(): () => void {
  if (suspended++ === 0 && live.size > 0) for (const s of SUSPENDABLE) process.off(s, onSignal);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--suspended === 0 && live.size > 0) for (const s of SUSPENDABLE) process.on(s, onSignal);
  };
}
