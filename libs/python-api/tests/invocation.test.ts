// What python's own arguments ask for: the script among them, and whether the REPL starts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { strToU8, zipSync } from 'fflate';
import { asksForRepl, moduleOf, pythonInvocation, PythonRequestError, scriptIndex } from '../src/invocation.ts';

describe('scriptIndex', () => {
  it('finds the script after options and their values, and none for -c, -m or stdin', () => {
    expect(scriptIndex(['-u', '-W', 'ignore', 'x.py', '-c'])).toBe(3);
    expect(scriptIndex(['--', '-x.py'])).toBe(1);
    expect(scriptIndex(['-c', 'pass', 'x.py'])).toBeUndefined();
    expect(scriptIndex(['-m', 'http.server'])).toBeUndefined();
    expect(scriptIndex(['-', 'x.py'])).toBeUndefined();
  });
});

describe('asksForRepl', () => {
  it('is true with nothing to run, or -i alone or in a cluster before it', () => {
    for (const args of [[], ['-q'], ['-u', '-B'], ['--'], ['-i', 'x.py'], ['-Bi', '-c', 'pass'], ['-W', 'i', '-i', '-m', 'json.tool'], ['-X', 'dev']]) {
      expect([args, asksForRepl(args)]).toEqual([args, true]);
    }
  });

  it('is false for a script, -c, -m, a script on stdin, --version, and an -i that is a value', () => {
    for (const args of [['x.py', '-i'], ['-c', 'pass', '-i'], ['-ci'], ['-m', 'http.server'], ['-mi'], ['-'], ['--version'], ['-W', 'i', 'x.py'], ['-Wi', 'x.py'], ['--', 'x.py']]) {
      expect([args, asksForRepl(args)]).toEqual([args, false]);
    }
  });
});

describe('moduleOf', () => {
  it('finds the module of -m, also in a cluster, and none for -c, a script or after --', () => {
    expect(moduleOf(['-m', 'pip', 'install'])).toBe('pip');
    expect(moduleOf(['-u', '-mvenv', 'x'])).toBe('venv');
    expect(moduleOf(['-W', 'ignore', '-m', 'json.tool'])).toBe('json.tool');
    expect(moduleOf(['-c', 'pass', '-m', 'pip'])).toBeUndefined();
    expect(moduleOf(['x.py', '-m', 'pip'])).toBeUndefined();
    expect(moduleOf(['--', '-m'])).toBeUndefined();
  });
});

describe('pythonInvocation', () => {
  const layout = { wasm: '/nowhere/python.wasm', resumableWasm: '/nowhere/python-resumable.wasm', libDir: '/nowhere/lib' };
  const request = { cwd: null, dirs: [], env: {}, net: 'loopback' as const, preinit: false, stdlib: 'zip' as const };

  it('refuses -m pip, venv and ensurepip in one line naming pywasi pip', () => {
    for (const module of ['pip', 'venv', 'ensurepip']) {
      expect(() => pythonInvocation({ ...request, pythonArgs: ['-m', module] }, layout)).toThrow(PythonRequestError);
      expect(() => pythonInvocation({ ...request, pythonArgs: ['-m', module] }, layout)).toThrow(/pywasi pip install/);
    }
  });

  it('names python3 in argv[0] and gives the guest a user and the time zones', () => {
    const inv = pythonInvocation({ ...request, pythonArgs: ['-c', 'pass', '-h'] }, layout);
    expect(inv.argv).toEqual(['/usr/local/bin/python3', '-c', 'pass', '-h']);
    expect(inv.user).toEqual({});
    expect(inv.zoneinfo).toBe(true);
  });

  describe('the standard library', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-invocation-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));
    const libDir = path.join(scratch, 'usr', 'local', 'lib');
    mkdirSync(libDir, { recursive: true });
    writeFileSync(path.join(libDir, 'python311.zip'), zipSync({ 'os.pyc': strToU8('pyc') }));
    const built = { ...layout, libDir };
    const libMount = (dirs: { guest: string; host: string; readOnly?: boolean }[]) => dirs.find((d) => d.guest === '/usr/local/lib');
    const withCache = <T>(cache: string, f: () => T): T => {
      const saved = process.env['PYWASI_CACHE_DIR'];
      process.env['PYWASI_CACHE_DIR'] = cache;
      try {
        return f();
      } finally {
        if (saved === undefined) delete process.env['PYWASI_CACHE_DIR'];
        else process.env['PYWASI_CACHE_DIR'] = saved;
      }
    };

    it('is files by default, unpacked into the cache and mounted read-only; the zip when asked', () => {
      const cache = path.join(scratch, 'cache');
      const inv = withCache(cache, () => pythonInvocation({ ...request, stdlib: undefined, pythonArgs: ['-c', 'pass'] }, built));
      expect(libMount(inv.dirs)).toEqual({ guest: '/usr/local/lib', host: expect.stringMatching(new RegExp(`^${path.join(cache, 'stdlib')}/python-[0-9a-f]{8}-[0-9a-f]{8}$`)), readOnly: true });
      expect(libMount(pythonInvocation({ ...request, pythonArgs: ['-c', 'pass'] }, built).dirs)).toEqual({ guest: '/usr/local/lib', host: libDir, readOnly: true });
    });

    it('stays in the zip, saying why, when the cache cannot be written', () => {
      const blocked = path.join(scratch, 'a-file');
      writeFileSync(blocked, '');
      const lines: string[] = [];
      const inv = withCache(blocked, () => pythonInvocation({ ...request, stdlib: 'files', warn: (line) => lines.push(line), pythonArgs: ['-c', 'pass'] }, built));
      expect(libMount(inv.dirs)?.host).toBe(libDir);
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^could not unpack the standard library of ${libDir} into ${blocked}/stdlib: .*; the standard library stays in its zip for this run$`))]);
    });
  });
});
