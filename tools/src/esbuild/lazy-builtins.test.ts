// The stand-in a package's require of a built-in gets: the built-in loads at first use, not when
// the package loads. Checked in a fresh Node (jest's own process has every built-in loaded).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { build, type Plugin } from 'esbuild';
import { execa } from 'execa';
import { lazyBuiltins } from './lazy-builtins.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pywasi-lazy-builtins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loaded = (name: string) => `process.moduleLoadList.includes('NativeModule ${name}')`;
mkdirSync(path.join(dir, 'node_modules', 'dep'), { recursive: true });
writeFileSync(
  path.join(dir, 'node_modules', 'dep', 'index.js'),
  `const cp = require('node:child_process');
const os = require('node:os');
exports.state = () => ${loaded('child_process')};
exports.run = () => cp.execFileSync(process.execPath, ['-e', 'process.stdout.write("ran")']).toString();
exports.hasSpawn = () => 'spawn' in cp && Object.keys(cp).includes('spawn');
exports.eol = os.EOL;
`,
);
writeFileSync(
  path.join(dir, 'main.mjs'),
  `import { state, run, hasSpawn, eol } from 'dep';
const before = state();
console.log(JSON.stringify({ before, ran: run(), after: state(), hasSpawn: hasSpawn(), eol }));
`,
);

async function bundleAndRun(plugins: Plugin[]): Promise<{ before: boolean; ran: string; after: boolean; hasSpawn: boolean; eol: string }> {
  const outfile = path.join(dir, `out-${plugins.length}.mjs`);
  await build({
    entryPoints: [path.join(dir, 'main.mjs')],
    absWorkingDir: dir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'silent',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    plugins,
  });
  const { stdout } = await execa(process.execPath, [outfile]);
  return JSON.parse(stdout);
}

describe('lazyBuiltins', () => {
  test("a package's require of a named built-in loads it at first use, and it works as the module", async () => {
    const r = await bundleAndRun([lazyBuiltins({ dep: ['node:child_process'] })]);
    expect(r).toEqual({ before: false, ran: 'ran', after: true, hasSpawn: true, eol: '\n' });
  }, 30_000);

  test('without the plugin (or for another package) the built-in loads with the package', async () => {
    expect((await bundleAndRun([])).before).toBe(true);
    expect((await bundleAndRun([lazyBuiltins({ other: ['node:child_process'] })])).before).toBe(true);
  }, 30_000);
});
