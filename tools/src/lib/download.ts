import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BuildError } from './build-error.ts';

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Checks a file against its pinned digest. On a mismatch the file is deleted (so the next run
 * fetches a good copy instead of tripping over it again) and the error names file and digests.
 */
export async function verifySha256(path: string, expected: string): Promise<void> {
  const actual = await sha256OfFile(path);
  if (actual !== expected.toLowerCase()) {
    rmSync(path, { force: true });
    throw new BuildError(
      `sha256 mismatch for ${path}\n  expected ${expected}\n  actual   ${actual}\n` +
        `The file was deleted; the next build downloads it again.`,
    );
  }
}

/**
 * Downloads `url` to `dest` through a temporary file in the same directory, renamed into place
 * only when complete: an interrupted download never leaves a partial file under the final name.
 * A host that does not answer within `connectTimeoutMs` fails fast (closed networks drop packets).
 */
export async function downloadFile(url: string, dest: string, connectTimeoutMs = 20_000): Promise<void> {
  mkdirSync(dirname(dest), { recursive: true });
  const partial = `${dest}.part-${process.pid}`;
  const abort = new AbortController();
  const connectTimer = setTimeout(() => abort.abort(new Error(`no answer within ${connectTimeoutMs / 1000} s`)), connectTimeoutMs);
  try {
    const response = await fetch(url, { signal: abort.signal, redirect: 'follow' });
    clearTimeout(connectTimer);
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(partial));
    renameSync(partial, dest);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new Error(`download of ${url} failed: ${describeFetchError(error)}`);
  } finally {
    clearTimeout(connectTimer);
  }
}

function describeFetchError(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message;
}
