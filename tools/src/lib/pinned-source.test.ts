import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { prepareSource, type SourcePin } from './pinned-source.ts';

const quiet = () => {};

/** A tiny upstream release: demo-1.0/hello.txt, as a .tar.gz, with its digest. */
async function makeRelease(root: string) {
  const tree = join(root, 'tree', 'demo-1.0');
  mkdirSync(tree, { recursive: true });
  writeFileSync(join(tree, 'hello.txt'), 'hello\n');
  const tarball = join(root, 'demo-1.0.tar.gz');
  await execa('tar', ['-czf', tarball, '-C', join(root, 'tree'), 'demo-1.0']);
  const bytes = readFileSync(tarball);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function patchFile(dir: string, name: string, from: string, to: string) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `reason\n\n--- a/hello.txt\n+++ b/hello.txt\n@@ -1 +1 @@\n-${from}\n+${to}\n`);
}

describe('pinned sources', () => {
  let root: string;
  let release: { bytes: Buffer; sha256: string };
  let server: Server;
  let base: string;
  const served = new Map<string, Buffer>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = served.get(req.url ?? '');
      res.writeHead(body ? 200 : 404).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'pywasi-source-test-'));
    release = await makeRelease(root);
    served.clear();
  });

  const pin = (): SourcePin => ({ name: 'demo', version: '1.0', sha256: release.sha256, fileName: 'demo-1.0.tar.gz' });

  it('rejects a tampered cached tarball, deletes it and extracts nothing', async () => {
    const downloads = join(root, 'downloads');
    mkdirSync(downloads);
    const cached = join(downloads, 'demo-1.0.tar.gz');
    writeFileSync(cached, Buffer.concat([release.bytes, Buffer.from('tampered')]));
    const destDir = join(root, 'src');

    const attempt = prepareSource(pin(), { downloadsDir: downloads, destDir, log: quiet });
    await expect(attempt).rejects.toThrow(new RegExp(`sha256 mismatch for ${cached}\\n  expected ${release.sha256}\\n  actual   [0-9a-f]{64}`));
    expect(existsSync(cached)).toBe(false);
    expect(existsSync(destDir)).toBe(false);
  });

  it('skips a download with the wrong digest and takes the next place, then extracts and patches in order', async () => {
    served.set('/upstream/demo-1.0.tar.gz', Buffer.from('not the pinned file'));
    served.set('/debian/demo-1.0.tar.gz', release.bytes);
    const patches = join(root, 'patches');
    patchFile(patches, '0002-second.patch', 'hello, patched', 'hello, patched twice');
    patchFile(patches, '0001-first.patch', 'hello', 'hello, patched');
    const destDir = join(root, 'src');
    const lines: string[] = [];

    await prepareSource(
      { ...pin(), upstreamUrl: `${base}/upstream/demo-1.0.tar.gz`, debian: { package: 'demo', version: '1.0-1', file: 'demo-1.0.tar.gz' } },
      { downloadsDir: join(root, 'downloads'), destDir, patchesDir: patches, debianLookup: async () => ({ urls: [`${base}/debian/demo-1.0.tar.gz`] }), log: (l) => lines.push(l) },
    );

    expect(readFileSync(join(destDir, 'hello.txt'), 'utf8')).toBe('hello, patched twice\n');
    expect(lines.join('\n')).toMatch(/upstream\/demo-1.0.tar.gz[\s\S]*sha256 mismatch[\s\S]*debian\/demo-1.0.tar.gz[\s\S]*sha256 ok/);
    expect(readdir(join(root, 'downloads'))).toEqual(['demo-1.0.tar.gz']);
  });

  it('names a patch that does not apply and keeps the previous tree', async () => {
    const downloads = join(root, 'downloads');
    mkdirSync(downloads);
    writeFileSync(join(downloads, 'demo-1.0.tar.gz'), release.bytes);
    const destDir = join(root, 'src');
    mkdirSync(destDir);
    writeFileSync(join(destDir, 'previous.txt'), 'good build\n');
    const patches = join(root, 'patches');
    patchFile(patches, '0001-broken.patch', 'goodbye', 'farewell');

    await expect(prepareSource(pin(), { downloadsDir: downloads, destDir, patchesDir: patches, log: quiet })).rejects.toThrow(
      /patch .*0001-broken\.patch does not apply to demo-1\.0\.tar\.gz/,
    );
    expect(readFileSync(join(destDir, 'previous.txt'), 'utf8')).toBe('good build\n');
    expect(existsSync(`${destDir}.staging`)).toBe(false);
  });

  it('keeps a tree with the same pin and patches untouched, re-extracts when a patch changes', async () => {
    const downloads = join(root, 'downloads');
    mkdirSync(downloads);
    writeFileSync(join(downloads, 'demo-1.0.tar.gz'), release.bytes);
    const patches = join(root, 'patches');
    patchFile(patches, '0001-first.patch', 'hello', 'hello, patched');
    const destDir = join(root, 'src');
    const prepare = () => prepareSource(pin(), { downloadsDir: downloads, destDir, patchesDir: patches, log: quiet });

    await prepare();
    writeFileSync(join(destDir, 'build-product.o'), 'kept\n');
    await prepare();
    expect(readFileSync(join(destDir, 'build-product.o'), 'utf8')).toBe('kept\n');

    patchFile(patches, '0001-first.patch', 'hello', 'hello, patched differently');
    await prepare();
    expect(existsSync(join(destDir, 'build-product.o'))).toBe(false);
    expect(readFileSync(join(destDir, 'hello.txt'), 'utf8')).toBe('hello, patched differently\n');
  });

  it('says in one line when the archive no longer serves the pinned version, and names the one it serves', async () => {
    const debian = { package: 'demo', version: '1.0-1', file: 'demo_1.0.orig.tar.gz' };
    await expect(
      prepareSource(
        { ...pin(), debian },
        {
          downloadsDir: join(root, 'downloads'),
          destDir: join(root, 'src'),
          debianLookup: async () => ({ urls: [`${base}/missing.tar.gz`], servedVersion: '1.1-1', servedOrigs: ['demo_1.1.orig.tar.gz'] }),
          log: quiet,
        },
      ),
    ).rejects.toThrow(/^Debian's archive no longer serves demo 1\.0-1 \(demo_1\.0\.orig\.tar\.gz\); it serves 1\.1-1 \(demo_1\.1\.orig\.tar\.gz\): update source\.debian/);
  });

  it('lists every place it tried when none works', async () => {
    await expect(
      prepareSource(
        { ...pin(), upstreamUrl: `${base}/missing.tar.gz` },
        { downloadsDir: join(root, 'downloads'), destDir: join(root, 'src'), log: quiet },
      ),
    ).rejects.toThrow(/could not obtain demo 1\.0[\s\S]*missing\.tar\.gz: download of .* failed: HTTP 404[\s\S]*Put a verified copy at/);
  });
});

function readdir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}
