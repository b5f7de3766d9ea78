// A private /tmp for each run: a fresh host directory, removed when the run ends — normally, on a
// guest trap, on an uncaught error, and when the process is stopped by SIGINT, SIGTERM or SIGHUP.
// A process that could not run its handlers (killed by SIGKILL, or by SIGTERM while a guest held
// its only thread: suspendSignalCleanup) leaves its directories behind. They live in one directory
// of this user's (`$TMPDIR/pywasi-<uid>`) and carry the pid: the next run in any process removes
// those of processes that are gone, listing only that directory.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** What the handlers stand down for while the thread is blocked (SIGINT has vm's breakOnSigint). */
const SUSPENDABLE = ['SIGTERM', 'SIGHUP'] as const;
/** `<kind>-<pid>-<random>`, as createPrivateTmp names them. */
const NAME = /^[a-z]+-(\d+)-/;
let suspended = 0;
/** This user's directory of run directories, once found safe; null: use the temp dir itself. */
let home: string | null | undefined;

function removeAll(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener (an embedder's; pywasi python's, which turns Ctrl-C into an interrupt of the
  // guest) decides what the signal does: the directories go when the run or the process ends.
  if (process.listenerCount(signal) > 1) return;
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

/**
 * Where createPrivateTmp puts its directories: `$TMPDIR/pywasi-<uid>`, made private (0700) at first
 * use, and its orphans removed. In a shared temp dir another user could have made that name first,
 * or a symlink there: then it is not used (null), and the run's directories go straight into the
 * temp dir (made private by mkdtemp, never swept).
 */
export function privateTmpHome(): string | null {
  if (home !== undefined) return home;
  const uid = process.getuid?.();
  const dir = path.join(tmpdir(), `pywasi-${uid ?? 'user'}`);
  home = null;
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return home;
  }
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) return home;
  } catch {
    return home;
  }
  home = dir;
  try {
    for (const name of readdirSync(dir)) {
      const pid = NAME.exec(name)?.[1];
      if (pid !== undefined && Number(pid) !== process.pid && processGone(Number(pid))) rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  } catch {
    // a sweep that fails is retried by the next run
  }
  return home;
}

export interface PrivateTmp {
  readonly path: string;
  remove(): void;
}

/** A fresh host directory (named `<kind>-<pid>-...`) removed by remove(), or when the process ends. */
export function createPrivateTmp(kind = 'tmp'): PrivateTmp {
  const parent = privateTmpHome();
  const dir = mkdtempSync(parent ? path.join(parent, `${kind}-${process.pid}-`) : path.join(tmpdir(), `pywasi-${kind}-`));
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
