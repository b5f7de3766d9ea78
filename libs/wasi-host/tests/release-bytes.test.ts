// releaseBytes frees a buffer the host owns at once (python.wasm's bytes after compile, a snapshot
// file after restore), and never a buffer shared with others.
import { describe, expect, test } from '@jest/globals';
import { releaseBytes } from '../src/release-bytes.ts';

const canTransfer = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function';

describe('releaseBytes', () => {
  test(`a buffer of its own is ${canTransfer ? 'detached (its views read as empty)' : 'left as is on this Node (no ArrayBuffer.prototype.transfer before Node 21)'}`, () => {
    const bytes = new Uint8Array(1 << 20).fill(7);
    releaseBytes(bytes);
    expect(bytes.byteLength).toBe(canTransfer ? 0 : 1 << 20);
  });

  test('a slice of a larger buffer (a pooled Buffer) is never touched', () => {
    const pool = new Uint8Array(64).fill(1);
    const slice = pool.subarray(8, 24);
    releaseBytes(slice);
    expect(slice.byteLength).toBe(16);
    expect(pool[8]).toBe(1);
    const pooled = Buffer.from('small buffers come from a shared pool');
    releaseBytes(pooled);
    expect(pooled.toString()).toBe('small buffers come from a shared pool');
  });
});
