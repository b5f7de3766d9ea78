// When a run of python.wasm can start from the snapshot, and when it must start afresh.
import { describe, expect, it } from '@jest/globals';
import { freshStartReason } from '../src/snapshot.ts';

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
