// --record [FILE] and --trace [WHAT] of `pywasi run` and `pywasi python`: where the run's log goes
// (FILE, the run store when none is given, or a temporary file for --trace alone) and what follows
// the run (a stored run is filed and its id told; a trace is printed on stderr).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { traceLog, type RecordOptions } from '@pywasi/host';
import { RunStore } from './run-store.ts';

export type TraceWhat = 'all' | 'network' | 'http';

/** --trace's value: bare (every call), network or http. */
export function parseTrace(value: string | true): TraceWhat {
  if (value === true || value === 'all') return 'all';
  if (value === 'network' || value === 'http') return value;
  throw new InvalidArgumentError(`expected network or http, got '${value}'`);
}

export interface Recording {
  options: RecordOptions;
  /** After the run: files a stored run and says its id, prints the trace. */
  done(): void;
}

export function recordingFor(flag: string | true | undefined, trace?: TraceWhat, store = new RunStore()): Recording | undefined {
  if (flag === undefined && trace === undefined) return undefined;
  const temporary = flag === undefined ? mkdtempSync(path.join(tmpdir(), 'pywasi-trace-')) : null;
  const file = temporary ? path.join(temporary, 'run.log') : flag === true ? store.pendingLog() : path.resolve(flag!);
  return {
    options: { file },
    done: () => {
      if (!existsSync(file)) return; // the run failed before it began
      try {
        if (trace) process.stderr.write(traceLog(readFileSync(file), file, { filter: trace }).join('\n') + '\n');
      } finally {
        if (temporary) rmSync(temporary, { recursive: true, force: true });
      }
      if (flag === true) {
        const id = store.keep(file);
        process.stderr.write(`pywasi: run recorded as ${id} (pywasi replay ${id}, pywasi trace ${id})\n`);
      }
    },
  };
}
