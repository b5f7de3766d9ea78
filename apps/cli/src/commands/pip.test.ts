import { execa } from 'execa';
import { pipInstallArguments } from './pip.ts';
import { nxBuildArguments } from './build.ts';

const cli = new URL('../../bin/pywasi.js', import.meta.url).pathname;

describe('pywasi pip install', () => {
  it('asks the host pip for pure-Python wheels for CPython 3.11, with pass-through sources', () => {
    const args = pipInstallArguments(
      { target: 'deps', findLinks: ['./wheels'], indexUrl: 'http://index.invalid/simple', extraIndexUrl: [], index: true, upgrade: false },
      ['attrs==23.1.0'],
    );
    expect(args).toEqual([
      '-m', 'pip', 'install', '--target', 'deps', '--only-binary', ':all:', '--implementation', 'py', '--abi', 'none',
      '--platform', 'any', '--python-version', '3.11', '--disable-pip-version-check',
      '--index-url', 'http://index.invalid/simple', '--find-links', './wheels', 'attrs==23.1.0',
    ]);
  });

  it('passes --no-index', () => {
    const args = pipInstallArguments({ target: 'd', findLinks: [], extraIndexUrl: [], index: false, upgrade: true }, ['x']);
    expect(args).toContain('--no-index');
    expect(args).toContain('--upgrade');
  });

  it('says clearly when the host pip is missing', async () => {
    const result = await execa(process.execPath, [cli, 'pip', 'install', 'attrs'], {
      env: { PYWASI_HOST_PYTHON: '/nonexistent/python3' },
      reject: false,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'pywasi: host pip is missing: `/nonexistent/python3 -m pip` failed (ENOENT). Install it (Debian: apt-get install python3-pip) or point PYWASI_HOST_PYTHON at a Python 3 with pip.',
    );
  });
});

describe('pywasi build', () => {
  it('maps flags to Nx configurations', () => {
    expect(nxBuildArguments({ debug: false, opt: true })).toEqual(['nx', 'build', 'python']);
    expect(nxBuildArguments({ debug: false, opt: false })).toEqual(['nx', 'build', 'python', '--configuration=noopt']);
    expect(nxBuildArguments({ debug: true, opt: true })).toEqual(['nx', 'build', 'python', '--configuration=debug']);
  });
});

describe('pywasi', () => {
  it('answers a bad command with one line and exit code 2', async () => {
    const result = await execa(process.execPath, [cli, 'biuld'], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^pywasi: unknown command 'biuld'\n\(Did you mean build\?\)$/);
  });

  it('prints its version', async () => {
    const result = await execa(process.execPath, [cli, '--version']);
    expect(result.stdout).toBe('0.1.0');
  });
});
