import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { findInstalledTool, installedToolProbe, toolIdentity, writeToolWrapper } from './installed-tool.ts';

/** A fake tool that prints `version` for --version and echoes its arguments otherwise. */
function fakeTool(dir: string, name: string, version: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nif [ "$1" = --version ]; then echo ${version}; else echo "ran $*"; fi\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('a host tool taken from the machine at the pinned version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'installed-tool-'));
  const older = fakeTool(dir, 'tool-old', '3.11.1');
  const pinned = fakeTool(dir, 'tool-pinned', '3.11.2');

  test('the first candidate printing exactly the pinned version wins; the others are named', async () => {
    const found = await findInstalledTool({ candidates: [join(dir, 'absent'), older, pinned], versionArgs: ['--version'], version: '3.11.2', file: 'tool' });
    expect(found.path).toBe(pinned);
    expect(found.seen).toEqual([`${join(dir, 'absent')}: not installed`, `${older}: 3.11.1`]);
  });

  test('a near version is not the pinned one', async () => {
    const found = await findInstalledTool({ candidates: [older], versionArgs: ['--version'], version: '3.11', file: 'tool' });
    expect(found.path).toBeUndefined();
  });

  test('the wrapper runs the tool with its arguments and replaces whatever the directory held', async () => {
    const build = join(dir, 'build');
    writeToolWrapper(build, 'stale', older, 'x');
    const wrapper = writeToolWrapper(build, 'tool', pinned, await toolIdentity(pinned, { versionArgs: ['--version'], version: '3.11.2' }));
    expect(readdirSync(build)).toEqual(['tool']);
    expect((await execa(wrapper, ['a b', 'c'])).stdout).toBe('ran a b c');
  });

  test("the hash probe: each candidate up to the one at the pinned version; another version is another hash", async () => {
    const probe = (candidates: string[]) => execa('sh', ['-c', installedToolProbe({ candidates, versionArgs: ['--version'], version: '3.11.2' })]);
    const absent = join(dir, 'absent');
    const before = (await probe([absent, older, pinned, older])).stdout.split('\n');
    expect(before).toEqual([`${absent} missing`, expect.stringMatching(`^${older} 3.11.1 \\d+ \\d+$`), expect.stringMatching(`^${pinned} 3.11.2 \\d+ \\d+$`)]);
    fakeTool(dir, 'tool-pinned', '3.11.3');
    const after = (await probe([absent, older, pinned, older])).stdout.split('\n');
    expect(after).toHaveLength(4); // no candidate matches: all are probed
    expect(after[2]).toContain(`${pinned} 3.11.3 `);
  });
});
