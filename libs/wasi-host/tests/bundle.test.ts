// Bundles must never be stale: a changed input is noticed, an unchanged one is trusted by its stats.
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, freshBundle } from '../src/bundle.mjs';

describe('bundle freshness', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pywasi-bundle-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serves a bundle while its inputs are unchanged and drops it when one changes', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(join(dir, 'dep.ts'), 'export const answer: number = 41;\n');
    writeFileSync(entry, "import { answer } from './dep.ts';\nexport const value = answer + 1;\n");
    const built = await buildBundle('t', join(dir, 'cache'), entry);
    expect(freshBundle(join(dir, 'cache'), 't')).toBe(built);
    const manifest = JSON.parse(readFileSync(join(dir, 'cache', 't.json'), 'utf8')) as { inputs: string[]; stats: unknown[] };
    expect(manifest.inputs).toEqual([join(dir, 'dep.ts'), entry]);
    expect(manifest.stats).toHaveLength(2);

    writeFileSync(join(dir, 'dep.ts'), 'export const answer: number = 99;\n');
    expect(freshBundle(join(dir, 'cache'), 't')).toBeUndefined();
  });

  it('accepts the same contents with new timestamps and records them', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, 'export const value = 1;\n');
    const built = await buildBundle('t', join(dir, 'cache'), entry);
    utimesSync(entry, new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
    expect(freshBundle(join(dir, 'cache'), 't')).toBe(built);
    const { stats } = JSON.parse(readFileSync(join(dir, 'cache', 't.json'), 'utf8')) as { stats: [number, number][] };
    expect(stats[0]![1]).toBeGreaterThan(Date.now());
  });
});
