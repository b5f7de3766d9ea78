// Frees a large buffer the host owns the moment it is no longer needed, not at the next garbage
// collection: a module's bytes (python.wasm's 9 MiB; V8 compiles from a copy of its own) would
// otherwise still be resident while the guest runs, which is where a short run's memory peaks
// (`pywasi python -c pass`: 126.0 → 120.3 MiB when it also freed the snapshot file's bytes, which
// snapshot/image.ts now reads straight into the guest's memory).

/** Detaches `bytes`' ArrayBuffer, freeing its memory, when `bytes` spans all of it (a buffer of its
 * own, not a slice of a shared pool). Views of it read as empty afterwards. No-op on Node < 21. */
export function releaseBytes(bytes: Uint8Array): void {
  const buffer = bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  if (typeof buffer.transfer !== 'function' || bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength) return;
  buffer.transfer(0);
}
