// The guest worker thread's code, built beside this package's bundle
// (dist/libs/python-api/guest-worker.js), where the host bundled into index.js looks for it.
export * from '@pywasi/host/guest-worker';
