// The threads build's patch series (libs/cpython/source/patches-threads) is the default series
// less the patches that only work around missing threads, plus its own: the default patches it
// keeps are links to them, so a patch added to the default series must be linked (or named here).
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { expect, test } from '@jest/globals';

const sourceDir = path.join(import.meta.dirname, '..', 'source');
const patchesOf = (dir: string) => readdirSync(path.join(sourceDir, dir)).filter((f) => f.endsWith('.patch')).sort();

/** Default patches the threads build leaves out: each exists only because the default build has no threads. */
const NO_THREADS_WORKAROUNDS = [
  '0002-socketserver-wasi-no-threads.patch',
  '0005-openssl-without-threads-on-wasi.patch',
  '0006-asyncio-resolve-without-threads-on-wasi.patch',
];

test('the threads series links every default patch but the no-threads workarounds, then adds its own after them', () => {
  const defaults = patchesOf('patches');
  const threads = patchesOf('patches-threads');
  const linked = threads.filter((f) => lstatSync(path.join(sourceDir, 'patches-threads', f)).isSymbolicLink());
  expect(linked).toEqual(defaults.filter((f) => !NO_THREADS_WORKAROUNDS.includes(f)));
  for (const f of linked) expect(readlinkSync(path.join(sourceDir, 'patches-threads', f))).toBe(`../patches/${f}`);
  const own = threads.filter((f) => !linked.includes(f));
  expect(own.length).toBeGreaterThan(0);
  // Its own patches apply last: they are written against the tree the linked ones make.
  expect(threads.slice(-own.length)).toEqual(own);
});
