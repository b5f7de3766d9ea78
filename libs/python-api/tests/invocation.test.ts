// What python's own arguments ask for: the script among them, and whether the REPL starts.
import { describe, expect, it } from '@jest/globals';
import { asksForRepl, scriptIndex } from '../src/invocation.ts';

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
