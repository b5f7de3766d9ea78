// Whether a `pywasi python` run may start from python-preinit.wasm, the snapshot `nx build cpython`
// makes after CPython's initialisation (libs/cpython, target build). The snapshot applies the run's
// argv, -c/-m/script, environment, sys.path, stdio and cwd when it starts; what CPython fixes while
// initialising (hash seed, -I/-E/-S/-O, -X options, PYTHON* start-up variables) is only honoured by a
// fresh start of python.wasm, so such runs take that path.
import { statSync } from 'node:fs';

/** Interpreter flags the snapshot applies at start; any other option means a fresh start. */
const APPLIED_FLAGS = /^-[uiqB]+$/;

/** Why this run needs a fresh python.wasm, or undefined when the snapshot can serve it. */
export function freshStartReason(pythonArgs: readonly string[], guestEnv: Record<string, string>, pythonHome: string): string | undefined {
  for (const name of Object.keys(guestEnv)) {
    if (name === 'PYTHONPATH') continue;
    if (name === 'PYTHONHOME' && guestEnv[name] === pythonHome) continue;
    if (name.startsWith('PYTHON')) return `${name} is set`;
  }
  for (const arg of pythonArgs) {
    if (arg === '--' || arg === '-' || !arg.startsWith('-') || arg.startsWith('-c') || arg.startsWith('-m')) return undefined;
    if (!APPLIED_FLAGS.test(arg)) return `python option ${arg}`;
  }
  return undefined;
}

/** The snapshot when it exists and is not older than the python.wasm it was made from. */
export function usableSnapshot(snapshot: string, wasm: string): boolean {
  try {
    return statSync(snapshot).mtimeMs >= statSync(wasm).mtimeMs;
  } catch {
    return false;
  }
}
