// sys.executable's file: python.wasm, held in pywasi's cache as python3, and remade when it changes.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { executableDir } from '../src/executable.ts';
import { pythonInvocation } from '../src/invocation.ts';

describe('executableDir', () => {
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  let wasm: string;
  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-executable-'));
    env = { PYWASI_CACHE_DIR: path.join(scratch, 'cache') };
    wasm = path.join(scratch, 'python.wasm');
    writeFileSync(wasm, 'first build');
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('holds the module as python3 in the cache, the same file when it can be', () => {
    const dir = executableDir(wasm, 'python3', env)!;
    expect(path.dirname(path.dirname(dir))).toBe(path.join(scratch, 'cache'));
    expect(readFileSync(path.join(dir, 'python3'), 'utf8')).toBe('first build');
    expect(statSync(path.join(dir, 'python3')).ino).toBe(statSync(wasm).ino); // one file system here
    expect(executableDir(wasm, 'python3', env)).toBe(dir);
  });

  it('is remade when the build replaces the module', () => {
    const dir = executableDir(wasm, 'python3', env)!;
    rmSync(wasm);
    writeFileSync(wasm, 'second build, longer');
    utimesSync(wasm, new Date(2030, 0, 1), new Date(2030, 0, 1));
    expect(executableDir(wasm, 'python3', env)).toBe(dir);
    expect(readFileSync(path.join(dir, 'python3'), 'utf8')).toBe('second build, longer');
  });

  it('is undefined when the module is missing', () => {
    expect(executableDir(path.join(scratch, 'none.wasm'), 'python3', env)).toBeUndefined();
  });
});

describe('pythonInvocation', () => {
  it('shows python.wasm read-only at argv[0], the guest\'s sys.executable', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-executable-'));
    const saved = process.env['PYWASI_CACHE_DIR'];
    process.env['PYWASI_CACHE_DIR'] = path.join(scratch, 'cache');
    try {
      const wasm = path.join(scratch, 'python.wasm');
      writeFileSync(wasm, 'module');
      const layout = { wasm, resumableWasm: path.join(scratch, 'python-resumable.wasm'), libDir: scratch };
      const inv = pythonInvocation({ pythonArgs: ['-c', 'pass'], cwd: null, dirs: [], env: {}, net: 'none', preinit: false }, layout);
      const bin = inv.dirs.find((d) => d.guest === path.dirname(inv.argv[0]!));
      expect(bin?.readOnly).toBe(true);
      expect(readFileSync(path.join(bin!.host, path.basename(inv.argv[0]!)), 'utf8')).toBe('module');
    } finally {
      if (saved === undefined) delete process.env['PYWASI_CACHE_DIR'];
      else process.env['PYWASI_CACHE_DIR'] = saved;
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
