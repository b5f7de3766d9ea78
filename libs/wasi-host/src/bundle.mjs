// Plain-JavaScript bundles of TypeScript entry points, so that start-up loads one JS file instead of
// running a TypeScript loader (tsx) over dozens of sources. Plain JS on purpose: the CLI's bin
// script uses it before any TypeScript loader exists.
//
// A bundle can never be stale: next to it sits a manifest listing every file esbuild read (the
// entry's whole import graph, node_modules included) and a sha256 over their contents plus the
// bundler configuration. A bundle is used only when that hash, recomputed from the files as they
// are now, matches. Any edit that changes the import graph has to edit a file already in the list,
// so the list itself stays sufficient. Prebuilt bundles (`nx build wasi-host` → dist/libs/wasi-host)
// are checked the same way; otherwise the bundle is built on demand into the cache
// ($PYWASI_CACHE_DIR/host or ~/.cache/pywasi/host), keyed by that hash.
//
// Hashing the graph on every start costs time on the start-up path, so the manifest also records
// each input's size and mtime, taken when the hash was known to match: while none of them changed
// (the test make relies on), the contents are not read again.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BUNDLE_URL = ['import', 'meta', 'url'].join('.');

/** Bump when the build options below change meaning. */
const CONFIG = 'pywasi-bundle-v2;esm;node20';

const here = path.dirname(fileURLToPath(import.meta.url));
export const workspaceRoot = path.resolve(here, '../../..');
/** Where `nx build wasi-host` writes prebuilt bundles. */
export const prebuiltDir = path.join(workspaceRoot, 'dist', 'libs', 'wasi-host');

/** The guest worker's entry: the bundle this library itself runs. */
export const GUEST_WORKER_ENTRY = path.join(here, 'guest-worker.ts');

export function cacheDir(env = process.env) {
  const base = env.PYWASI_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'pywasi');
  return path.join(base, 'host');
}

function hashInputs(inputs) {
  const h = createHash('sha256');
  h.update(CONFIG);
  for (const file of inputs) {
    h.update('\0' + file + '\0');
    h.update(readFileSync(file));
  }
  return h.digest('hex');
}

/** [size, mtimeMs] of each input (throws when one is gone). */
function statInputs(inputs) {
  return inputs.map((file) => {
    const st = statSync(file);
    return [st.size, st.mtimeMs];
  });
}

function sameStats(a, b) {
  return Array.isArray(a) && a.length === b.length && a.every((s, i) => Array.isArray(s) && s[0] === b[i][0] && s[1] === b[i][1]);
}

/** Stats of `inputs` confirmed by hashing them afterwards (esbuild read the contents earlier), or
 * undefined if they changed meanwhile. */
function confirmedStats(inputs, hash) {
  const stats = statInputs(inputs);
  return hashInputs(inputs) === hash ? stats : undefined;
}

function writeManifest(dir, name, manifest) {
  const tmp = path.join(dir, `${name}.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(manifest, null, 1));
  renameSync(tmp, path.join(dir, `${name}.json`));
}

/** The bundle described by `dir/<name>.json` if it matches the sources as they are now. */
export function freshBundle(dir, name) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8'));
  } catch {
    return undefined;
  }
  if (!manifest || !Array.isArray(manifest.inputs) || typeof manifest.hash !== 'string') return undefined;
  const file = path.join(dir, `${name}-${manifest.hash.slice(0, 16)}.mjs`);
  let stats;
  try {
    stats = statInputs(manifest.inputs);
  } catch {
    return undefined; // an input vanished: the graph changed
  }
  if (sameStats(manifest.stats, stats)) return existsSync(file) ? file : undefined;
  let hash;
  try {
    hash = hashInputs(manifest.inputs);
  } catch {
    return undefined;
  }
  if (hash !== manifest.hash || !existsSync(file)) return undefined;
  // Same contents, new timestamps (a checkout, a restore): remember them for the next start. The
  // stats were taken before the contents were hashed, so a later edit still shows as a changed stat.
  try {
    writeManifest(dir, name, { ...manifest, stats });
  } catch {
    // a read-only place: hashing again next time is correct, only slower
  }
  return file;
}

/** Loads every file esbuild reads itself, so the manifest hashes exactly the bytes that were
 * bundled; rewrites `import.meta.url` in workspace TypeScript to the source file's own URL, so
 * relative file lookups (package.json, guest-bootstrap.mjs, guest-site...) behave as unbundled. */
function loaderPlugin(loaded) {
  return {
    name: 'pywasi-load',
    setup(build) {
      build.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
        const bytes = readFileSync(args.path);
        loaded.set(args.path, bytes);
        const ext = path.extname(args.path);
        const ts = ext === '.ts' || ext === '.mts' || ext === '.cts';
        let text = bytes.toString('utf8');
        if (!args.path.includes(`${path.sep}node_modules${path.sep}`)) {
          text = text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
        }
        return { contents: text, loader: ts ? 'ts' : ext === '.json' ? 'json' : 'js' };
      });
    },
  };
}

/** Builds the bundle `name` of `entry` (a TypeScript file) into `dir`, atomically; returns its path. */
export async function buildBundle(name, dir, entry) {
  // Resolved from here, not from wherever this code was bundled to.
  const esbuild = createRequire(import.meta.url)('esbuild');
  const loaded = new Map();
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: workspaceRoot,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    // CommonJS dependencies (commander) call require() for Node built-ins.
    // (The bundle's own URL is meant here: the source-URL rewrite must not touch this text.)
    banner: { js: `import { createRequire as __pywasiRequire } from 'node:module'; const require = __pywasiRequire(${BUNDLE_URL});` },
    external: ['esbuild', 'tsx', 'tsx/*'],
    plugins: [loaderPlugin(loaded)],
  });
  const inputs = [...loaded.keys()].sort();
  const h = createHash('sha256');
  h.update(CONFIG);
  for (const file of inputs) {
    h.update('\0' + file + '\0');
    h.update(loaded.get(file));
  }
  const hash = h.digest('hex');
  const code = result.outputFiles[0].contents;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${hash.slice(0, 16)}.mjs`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  writeManifest(dir, name, { entry, hash, inputs, stats: confirmedStats(inputs, hash) });
  return file;
}

/**
 * A file URL of an up-to-date plain-JS bundle `name` of `entry`: the prebuilt one when fresh, else
 * the cached one when fresh, else a new build in the cache. Returns undefined when no bundle can be
 * had (esbuild missing, unwritable cache...): the caller then loads the TypeScript sources.
 * Other programs (the pywasi CLI) bundle themselves through this too.
 */
export async function ensureBundle(name, entry, env = process.env) {
  if (env.PYWASI_NO_BUNDLE) return undefined;
  const fresh = freshBundle(prebuiltDir, name) ?? freshBundle(cacheDir(env), name);
  if (fresh) return pathToFileURL(fresh).href;
  for (const dir of [cacheDir(env), path.join(tmpdir(), `pywasi-${process.getuid?.() ?? 'u'}`, 'host')]) {
    try {
      return pathToFileURL(await buildBundle(name, dir, entry)).href;
    } catch {
      // try the next place, then give up
    }
  }
  return undefined;
}
