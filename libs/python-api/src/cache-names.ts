// How pywasi's cache tells installations apart and notices a replaced file: shared by the
// start-up snapshot, the executable copy and the unpacked standard library.
import { statSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/** A short name for a host path (or a key) in the cache. A CRC spreads installations apart
 * without node:crypto, which would add 2.5 MiB to every run's memory; a key stored beside the
 * entry, or in its name, decides whether it is current. */
export const crcName = (text: string): string => crc32(text).toString(16).padStart(8, '0');

/** A file's size and modification time: what changes when a build replaces it. */
export function fileStamp(file: string): string {
  const st = statSync(file);
  return `${st.size}:${Math.round(st.mtimeMs)}`;
}
