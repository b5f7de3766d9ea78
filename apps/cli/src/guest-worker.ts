// The guest worker thread's code, built beside the CLI's bundle (dist/apps/cli/guest-worker.js),
// where the host bundled into main.js looks for it.
export * from '@pywasi/host/guest-worker';
