import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshStartReason, usableSnapshot } from './python-preinit.ts';

const HOME = '/usr/local';

describe('freshStartReason', () => {
  it('lets the snapshot serve scripts, -c, -m, the REPL and the flags it applies', () => {
    for (const args of [[], ['script.py', '-I'], ['-c', 'pass'], ['-cpass'], ['-m', 'http.server'], ['-u', '-c', 'pass'], ['-uq'], ['-i', 'x.py'], ['-', 'a'], ['--', '-x.py']]) {
      expect(freshStartReason(args, { PYTHONHOME: HOME, PYTHONPATH: '/a:/b' }, HOME)).toBeUndefined();
    }
  });

  it('names the python option that needs a fresh start', () => {
    expect(freshStartReason(['-I', '-c', 'pass'], {}, HOME)).toBe('python option -I');
    expect(freshStartReason(['-X', 'importtime', '-c', 'pass'], {}, HOME)).toBe('python option -X');
    expect(freshStartReason(['-OO', 'x.py'], {}, HOME)).toBe('python option -OO');
  });

  it('names the start-up variable that needs a fresh start', () => {
    expect(freshStartReason(['-c', 'pass'], { PYTHONHASHSEED: '0' }, HOME)).toBe('PYTHONHASHSEED is set');
    expect(freshStartReason(['-c', 'pass'], { PYTHONTRACEMALLOC: '1' }, HOME)).toBe('PYTHONTRACEMALLOC is set');
    expect(freshStartReason(['-c', 'pass'], { PYTHONHOME: '/opt' }, HOME)).toBe('PYTHONHOME is set');
    expect(freshStartReason(['-c', 'pass'], { HOME: '/root', MY_PYTHON: '1' }, HOME)).toBeUndefined();
  });
});

describe('usableSnapshot', () => {
  it('takes a snapshot only when it exists and is not older than python.wasm', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pywasi-preinit-'));
    const wasm = join(dir, 'python.wasm');
    const snapshot = join(dir, 'python-preinit.wasm');
    writeFileSync(wasm, '');
    expect(usableSnapshot(snapshot, wasm)).toBe(false);
    writeFileSync(snapshot, '');
    utimesSync(wasm, 1000, 1000);
    utimesSync(snapshot, 2000, 2000);
    expect(usableSnapshot(snapshot, wasm)).toBe(true);
    utimesSync(wasm, 3000, 3000);
    expect(usableSnapshot(snapshot, wasm)).toBe(false);
  });
});
