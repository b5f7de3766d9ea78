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
    const wrapper = writeToolWrapper(build, 'tool', pinned, await toolIdentity(pinned, ['--version']));
    expect(readdirSync(build)).toEqual(['tool']);
    expect((await execa(wrapper, ['a b', 'c'])).stdout).toBe('ran a b c');
  });

  test("the hash probe changes with the tool's version and notes a missing one", async () => {
    const probe = (path: string) => execa('sh', ['-c', installedToolProbe({ candidates: [path, join(dir, 'absent')], versionArgs: ['--version'] })]);
    const before = (await probe(pinned)).stdout;
    expect(before).toContain(`${pinned} 3.11.2 `);
    expect(before).toContain(`${join(dir, 'absent')} missing`);
    fakeTool(dir, 'tool-pinned', '3.11.3');
    expect((await probe(pinned)).stdout).not.toBe(before);
  });
});
