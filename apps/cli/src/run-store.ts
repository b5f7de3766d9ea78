// The store of recorded runs (`--record` without a file): logs under the pywasi cache, each named
// by the first 16 hex digits of its sha256 once the run ended, with the module and the snapshot a
// log names kept beside by their sha256, so that `pywasi replay ID` finds them on this machine
// even after a rebuild replaced python.wasm. Logs hold secrets: the directory is 0700, logs 0600.
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { logSummary, withAttachments, type LogEnd, type LogHeader } from '@pywasi/host';
import { cacheDir } from '@pywasi/python';
import { createHash } from 'node:crypto';

const LOG_EXT = '.log';

/** A run that the store cannot find, or that is not the store's to remove. */
export class RunStoreError extends Error {
  override name = 'RunStoreError';
}

export interface StoredRun {
  id: string;
  file: string;
  created: string;
  args: string[];
  /** The exit code, or why there is none ('cut off', 'capped', 'failed'). */
  status: string;
  size: number;
}

export interface ResolvedRun {
  log: string;
  /** The module and snapshot the store kept for it, if it did. */
  module?: string;
  snapshot?: string;
  header: LogHeader;
  /** The log carries its module and snapshot (`runs export`). */
  attached: boolean;
}

const status = (end: LogEnd | null): string => (!end ? 'cut off' : end.outcome === 'exit' ? String(end.code) : end.outcome === 'capped' ? 'capped' : 'failed');

export class RunStore {
  readonly dir: string;

  constructor(dir = path.join(cacheDir(), 'runs')) {
    this.dir = dir;
  }

  private make(): void {
    for (const d of [this.dir, path.join(this.dir, 'modules'), path.join(this.dir, 'snapshots')]) mkdirSync(d, { recursive: true, mode: 0o700 });
  }

  /** Where a run being recorded writes its log until it ends (a run killed leaves it there). */
  pendingLog(): string {
    this.make();
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    return path.join(this.dir, `${stamp}-${process.pid}${LOG_EXT}`);
  }

  /** Files an ended run: the log named by its hash, its module and snapshot kept. Returns its id. */
  keep(pending: string): string {
    const bytes = readFileSync(pending);
    const id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    const { header } = logSummary(bytes, pending);
    this.keepFile(header.module.name, path.join(this.dir, 'modules', `${header.module.sha256}.wasm`));
    if (header.snapshot) this.keepFile(header.snapshot.path, path.join(this.dir, 'snapshots', `${header.snapshot.sha256}.snapshot`));
    renameSync(pending, path.join(this.dir, `${id}${LOG_EXT}`));
    return id;
  }

  /** A hard link when the file system allows it (no second copy of python.wasm), else a copy. */
  private keepFile(from: string, to: string): void {
    if (existsSync(to) || !existsSync(from)) return;
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
    }
  }

  list(): StoredRun[] {
    if (!existsSync(this.dir)) return [];
    const runs: StoredRun[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith(LOG_EXT)) continue;
      const file = path.join(this.dir, name);
      try {
        const { header, end } = logSummary(readFileSync(file), file);
        runs.push({ id: name.slice(0, -LOG_EXT.length), file, created: header.created, args: header.args, status: status(end), size: statSync(file).size });
      } catch {
        runs.push({ id: name.slice(0, -LOG_EXT.length), file, created: '', args: [], status: 'unreadable', size: statSync(file).size });
      }
    }
    return runs.sort((a, b) => a.created.localeCompare(b.created));
  }

  /** A run given as a log's path, or as a stored run's id (or a prefix naming one). */
  resolve(run: string): ResolvedRun {
    let log: string;
    if (existsSync(run) && statSync(run).isFile()) log = run;
    else {
      const matches = this.list().filter((r) => r.id.startsWith(run));
      if (matches.length === 0) throw new RunStoreError(`no run log at ${run}, and no stored run with that id (\`pywasi runs\` lists them)`);
      if (matches.length > 1) throw new RunStoreError(`${run} names ${matches.length} stored runs (${matches.map((m) => m.id).join(', ')}): give more of the id`);
      log = matches[0]!.file;
    }
    const { header, attached } = logSummary(readFileSync(log), log);
    const module = path.join(this.dir, 'modules', `${header.module.sha256}.wasm`);
    const snapshot = header.snapshot && path.join(this.dir, 'snapshots', `${header.snapshot.sha256}.snapshot`);
    return { log, header, attached, ...(existsSync(module) ? { module } : {}), ...(snapshot && existsSync(snapshot) ? { snapshot } : {}) };
  }

  /** One file that replays on another machine: the log with the module and snapshot it names
   * (found as replay finds them, their sha256 checked), written 0600. */
  export(run: string, to: string): void {
    const r = this.resolve(run);
    const pick = (stored: string | undefined, recorded: string, sha: string, what: string): Buffer => {
      for (const file of [stored, recorded]) {
        if (!file || !existsSync(file)) continue;
        const bytes = readFileSync(file);
        if (createHash('sha256').update(bytes).digest('hex') === sha) return bytes;
      }
      throw new RunStoreError(`the run's ${what} (${recorded}, sha256 ${sha.slice(0, 12)}…) is neither in the run store nor at its path: it cannot be exported`);
    };
    const module = pick(r.module, r.header.module.name, r.header.module.sha256, 'module');
    const snapshot = r.header.snapshot && pick(r.snapshot, r.header.snapshot.path, r.header.snapshot.sha256, 'snapshot');
    writeFileSync(to, withAttachments(readFileSync(r.log), module, snapshot), { mode: 0o600 });
    chmodSync(to, 0o600);
  }

  /** Removes stored runs, then the modules and snapshots no log names any more. */
  remove(ids: string[]): string[] {
    const removed = ids.map((id) => {
      const run = this.resolve(id);
      if (path.dirname(path.resolve(run.log)) !== path.resolve(this.dir)) throw new RunStoreError(`${id} is not a stored run (pywasi runs rm removes only those)`);
      rmSync(run.log);
      return path.basename(run.log, LOG_EXT);
    });
    this.prune();
    return removed;
  }

  private prune(): void {
    const named = new Set<string>();
    for (const r of this.list()) {
      try {
        const { header } = logSummary(readFileSync(r.file), r.file);
        named.add(`${header.module.sha256}.wasm`);
        if (header.snapshot) named.add(`${header.snapshot.sha256}.snapshot`);
      } catch {
        // an unreadable log names nothing
      }
    }
    for (const sub of ['modules', 'snapshots']) {
      const d = path.join(this.dir, sub);
      if (!existsSync(d)) continue;
      for (const f of readdirSync(d)) if (!named.has(f)) rmSync(path.join(d, f));
    }
  }
}
