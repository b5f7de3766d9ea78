// Entry of the guest worker thread. Plain JavaScript on purpose: it must run before anything else
// in the thread, including a TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';

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
    // Running from the TypeScript sources (tests): load them through tsx.
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
