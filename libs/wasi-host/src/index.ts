// @pywasi/host: run a WASI (preview1) module on Node with the WasmEdge socket extension.
export { runWasi, prestartGuestThread, compileModule, loadModule, guestEnvironment, WasiInterruptedError, WasiLimitError, WasiModuleError, WasiTrapError, type RunWasiOptions, type CompiledModule, type OutputSink } from './run-wasi.ts';
export { checkModule, readImports, isWasmBinary, SOCKET_ARITIES, PREVIEW1_FUNCTIONS, type ModuleCheck, type FuncImport, type SocketShapes } from './wasm-imports.ts';
export { NET_POLICIES, NetPolicyError, describeNetPolicy, isNetPolicy, parseNetPolicy, type NetPolicy, type NetRule } from './sockets/net-policy.ts';
export { Errno, POLICY_REFUSED } from './errno.ts';
export { FD_LIMIT } from './fd/fd-table.ts';
export { Interrupter } from './interrupts.ts';
export type { GuestThread } from './guest-thread.ts';
export { snapshotKey, SnapshotError } from './snapshot/image.ts';
export { withoutDataSegments, writeModuleWithoutData } from './snapshot/without-data.ts';
export type { SnapshotCapture, SnapshotRequest } from './run-guest.ts';
export { MountError, type MountSpec } from './fs/mounts.ts';
export { GuestUserError, type GuestUser } from './fs/guest-user.ts';
export { chooseTrust, TrustError, GUEST_CA_FILE, SYSTEM_CA_FILES, type TrustChoice } from './trust.ts';
export type { GuestDevice } from './fs/device.ts';
export { defaultHistoryFile } from './tty/history-file.ts';
export type { ReadlineOptions } from './tty/readline-service.ts';
