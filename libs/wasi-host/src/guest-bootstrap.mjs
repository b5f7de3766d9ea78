// Entry of the guest worker thread. Plain JavaScript on purpose: it must run before anything else
// in the thread, including a TypeScript loader.
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';

// Node's WASI crashes (SIGSEGV) in large-allocation workloads while V8 uses fast API calls for
// the uvwasi bindings; the flag must be set before node:wasi is loaded.
v8.setFlagsFromString('--no-turbo-fast-api-calls');

// Loading node:wasi prints "ExperimentalWarning: WASI is an experimental feature"; users of
// pywasi should not see it. Other warnings pass through.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (typeof text === 'string' && text.includes('WASI is an experimental feature')) return;
  return emitWarning.call(this, warning, ...rest);
};

// The calling thread compiles the module while this thread starts, then posts it.
const moduleReady = new Promise((resolve) => {
  parentPort.on('message', function onMessage(m) {
    if (m?.type !== 'module') return;
    parentPort.off('message', onMessage);
    resolve(m.module);
  });
});

try {
  if (workerData.entry.endsWith('.ts')) {
    // Running from TypeScript sources (no bundle could be had): load them through tsx.
    const { register } = await import('tsx/esm/api');
    register();
  }
  const { runGuest } = await import(workerData.entry);
  const module = await moduleReady;
  const code = await runGuest({ ...workerData.init, module });
  parentPort.postMessage({ type: 'exit', code });
} catch (e) {
  parentPort.postMessage({
    type: 'error',
    name: e?.name ?? 'Error',
    message: e instanceof Error ? e.message : String(e),
    stack: e instanceof Error ? e.stack : undefined,
  });
}
