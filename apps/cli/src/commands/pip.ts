import { Command, Option } from 'commander';
import { CliError } from '../cli-error.ts';

export interface PipInstallOptions {
  target: string;
  findLinks: string[];
  indexUrl?: string;
  extraIndexUrl: string[];
  index: boolean;
  upgrade: boolean;
}

/**
 * The host pip installs for the guest: only pure-Python wheels (py3-none-any) fit python.wasm,
 * so pip is told the target platform instead of using the host's.
 */
export function pipInstallArguments(options: PipInstallOptions, packages: string[]): string[] {
  return [
    '-m', 'pip', 'install',
    '--target', options.target,
    '--only-binary', ':all:',
    '--implementation', 'py',
    '--abi', 'none',
    '--platform', 'any',
    '--python-version', '3.11',
    '--disable-pip-version-check',
    ...(options.upgrade ? ['--upgrade'] : []),
    ...(options.index ? [] : ['--no-index']),
    ...(options.indexUrl ? ['--index-url', options.indexUrl] : []),
    ...options.extraIndexUrl.flatMap((url) => ['--extra-index-url', url]),
    ...options.findLinks.flatMap((link) => ['--find-links', link]),
    ...packages,
  ];
}

/** The host Python that runs pip: $PYWASI_HOST_PYTHON, else python3 on PATH. */
export function hostPython(env: NodeJS.ProcessEnv = process.env): string {
  return env['PYWASI_HOST_PYTHON'] || 'python3';
}

export async function pipInstall(options: PipInstallOptions, packages: string[]): Promise<number> {
  const python = hostPython();
  const { execa } = await import('execa'); // loaded when a command needs it: a `python` run never does (its start-up ~30 ms and ~6 MiB less)
  const probe = await execa(python, ['-m', 'pip', '--version'], { reject: false });
  if (probe.failed) {
    throw new CliError(
      `host pip is missing: \`${python} -m pip\` failed (${probe.code ?? `exit ${probe.exitCode}`}). ` +
        `Install it (Debian: apt-get install python3-pip) or point PYWASI_HOST_PYTHON at a Python 3 with pip.`,
    );
  }
  const result = await execa(python, pipInstallArguments(options, packages), { stdio: 'inherit', reject: false });
  return result.exitCode ?? 1;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerPip(program: Command): void {
  const pip = program.command('pip').description('manage pure-Python packages for python.wasm with the host pip');
  pip
    .command('install')
    .description('install pure-Python wheels (py3-none-any) into ./deps, which `pywasi python` puts on PYTHONPATH')
    .argument('<packages...>', 'requirement specifiers or wheel files, as for pip')
    .option('-t, --target <dir>', 'directory to install into', 'deps')
    .option('-f, --find-links <url|dir>', 'also look for wheels here (repeatable)', collect, [])
    .option('-i, --index-url <url>', 'package index to use instead of the default')
    .option('--extra-index-url <url>', 'another package index (repeatable)', collect, [])
    .addOption(new Option('--no-index', 'use no package index, only --find-links'))
    .option('-U, --upgrade', 'replace packages already in the target directory', false)
    .addHelpText('after', '\nExamples:\n  pywasi pip install attrs\n  pywasi pip install --no-index --find-links ./wheels mypkg\n')
    .action(async (packages: string[], options: PipInstallOptions) => {
      process.exitCode = await pipInstall(options, packages);
    });
}
