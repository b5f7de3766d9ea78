// A Python package index as a source of pinned tarballs: an sdist is found by its sha256 in the
// project's file list (the JSON form of the simple API, PEP 691: what pip itself reads), at the
// index pip is configured with on this machine, so a mirror set up there is used without its
// name appearing in our code.
import { BuildError } from './build-error.ts';

/** What pip uses when nothing else is configured. */
export const DEFAULT_INDEX_URL = 'https://pypi.org/simple';

/** The index URL of this machine's pip configuration: PIP_INDEX_URL, else pip's default. */
export function indexUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env['PIP_INDEX_URL'] || DEFAULT_INDEX_URL).replace(/\/+$/, '');
}

/** PEP 503 normalized project name: the path segment of the simple API. */
export function normalizedName(project: string): string {
  return project.toLowerCase().replace(/[-_.]+/g, '-');
}

interface SimpleFile {
  filename: string;
  url: string;
  hashes?: Record<string, string>;
}

/** The download URL of the file of `project` whose sha256 is `sha256`, resolved against the index. */
export async function findIndexFile(project: string, sha256: string, fetchJson: (url: string) => Promise<unknown> = fetchSimpleJson): Promise<{ url: string; filename: string }> {
  const page = `${indexUrl()}/${normalizedName(project)}/`;
  const listing = (await fetchJson(page)) as { files?: SimpleFile[] };
  const file = listing.files?.find((f) => f.hashes?.['sha256'] === sha256);
  if (!file) throw new BuildError(`${page} lists no file with sha256 ${sha256} (a typo in the pin, or the release was deleted)`);
  return { url: new URL(file.url, page).toString(), filename: file.filename };
}

async function fetchSimpleJson(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
  if (!response.ok) throw new BuildError(`${url} answered ${response.status} ${response.statusText}`);
  if (!(response.headers.get('content-type') ?? '').includes('json')) throw new BuildError(`${url} does not serve the JSON simple API (PEP 691)`);
  return response.json();
}
