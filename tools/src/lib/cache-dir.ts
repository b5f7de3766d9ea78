import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where downloaded upstream tarballs are kept between builds and clones: outside the repository,
 * so a fresh clone or `git clean` does not download them again. PYWASI_CACHE_DIR overrides it.
 */
export function pywasiCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['PYWASI_CACHE_DIR'] || join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'pywasi');
}

export function downloadsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(pywasiCacheDir(env), 'downloads');
}
