// The code of the threads a run starts, imported by guest-bootstrap.mjs for either role: the guest
// itself (runWasi's default thread) or the thread serving a guest that runs on the calling thread.
// The calling thread imports run-guest.ts and service-thread.ts instead, so its start does not
// load the socket host and Node's net, dgram, dns and readline until a guest asks for a socket.
export { runGuest } from './run-guest.ts';
export { serveGuest } from './service-worker.ts';
export { runThread } from './threads/run-thread.ts';
