// --record [FILE] of `pywasi run` and `pywasi python`: where the run's log goes (FILE, or the run
// store when none is given) and what follows the run (a stored run is filed and its id told).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { RecordOptions } from '@pywasi/host';
import { RunStore } from './run-store.ts';

export interface Recording {
  options: RecordOptions;
  /** After the run: files a stored run and says its id on stderr. */
  done(): void;
}

export function recordingFor(flag: string | true | undefined, store = new RunStore()): Recording | undefined {
  if (flag === undefined) return undefined;
  if (flag !== true) return { options: { file: path.resolve(flag) }, done: () => {} };
  const file = store.pendingLog();
  return {
    options: { file },
    done: () => {
      if (!existsSync(file)) return; // the run failed before it began
      const id = store.keep(file);
      process.stderr.write(`pywasi: run recorded as ${id} (pywasi replay ${id}, pywasi trace ${id})\n`);
    },
  };
}
