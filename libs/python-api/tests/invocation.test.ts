// What python's own arguments ask for: the script among them, and whether the REPL starts.
import { describe, expect, it } from '@jest/globals';
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
  const request = { cwd: null, dirs: [], env: {}, net: 'loopback' as const, preinit: false };

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
});
