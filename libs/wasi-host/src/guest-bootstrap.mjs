// Entry of the threads a run starts. Plain JavaScript on purpose: it must run before anything else
// in the thread, including a TypeScript loader. workerData.role says which:
//   'guest'   the guest itself (runWasi's default): waits for the compiled module, runs it;
//   'service' the event loop of a guest that runs on the calling thread (service-thread.ts);
//   'thread'  a thread the guest spawned (wasi-threads: threads/run-thread.ts), all in workerData.
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

/** The first message of this type from the calling thread. */
const first = (type) =>
  new Promise((resolve) => {
    parentPort.on('message', function onMessage(m) {
      if (m?.type !== type) return;
      parentPort.off('message', onMessage);
      resolve(m);
    });
  });
// The calling thread compiles the module while this thread starts, then posts it. A guest thread
// started before its run (guest-thread.ts) gets its init the same way; others have it in workerData.
const moduleReady = workerData.role === 'guest' ? first('module').then((m) => m.module) : null;
const initReady = workerData.init !== undefined ? Promise.resolve(workerData.init) : first('init').then((m) => m.init);

try {
  if (workerData.entry.endsWith('.ts')) {
    // Running from the TypeScript sources (tests): load them through tsx.
    const { register } = await import('tsx/esm/api');
    register();
  }
  const entry = await import(workerData.entry);
  if (workerData.role === 'service') {
    entry.serveGuest(workerData.init);
  } else if (workerData.role === 'thread') {
    const { init, module, tid, startArg } = workerData;
    parentPort.postMessage(await entry.runThread({ ...init, module }, tid, startArg));
  } else {
    const init = await initReady;
    const module = await moduleReady;
    const code = await entry.runGuest({ ...init, module });
    parentPort.postMessage({ type: 'exit', code });
  }
} catch (e) {
  if (workerData.role === 'service') {
    // The calling thread is blocked in the guest: say so on stderr, and let the guest's wait end.
    writeSync(2, `pywasi: the thread serving the guest could not start: ${e instanceof Error ? e.message : String(e)}\n`);
    const state = new Int32Array(workerData.init.state);
    Atomics.store(state, 0, 2); // FAILED (service-thread.ts)
    Atomics.notify(state, 0);
  } else {
    parentPort.postMessage({
      type: 'error',
      ...(workerData.role === 'thread' ? { tid: workerData.tid } : {}),
      name: e?.name ?? 'Error',
      message: e instanceof Error ? e.message : String(e),
      stack: e instanceof Error ? e.stack : undefined,
    });
  }
}
