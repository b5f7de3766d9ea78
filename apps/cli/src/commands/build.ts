import { Command } from 'commander';
import { CliError } from '../cli-error.ts';
import { workspaceRoot } from '../workspace.ts';

export interface BuildOptions {
  debug: boolean;
  opt: boolean;
}

/** `pywasi build` is a thin front for the Nx graph: the same targets, caching and logs. */
export function nxBuildArguments(options: BuildOptions): string[] {
  const configuration = options.debug ? 'debug' : options.opt ? undefined : 'noopt';
  return ['nx', 'build', 'python', ...(configuration ? [`--configuration=${configuration}`] : [])];
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('build python.wasm and python311.zip with Nx (cached: only what changed is rebuilt)')
    .option('--debug', 'build CPython --with-pydebug (implies --no-opt); output in dist/python-debug', false)
    .option('--no-opt', 'skip wasm-opt (faster build, larger and slower python.wasm)')
    .addHelpText('after', '\nExamples:\n  pywasi build\n  pywasi build --debug\n')
    .action(async (options: BuildOptions) => {
      const root = workspaceRoot();
      if (!root) {
        throw new CliError(
          'pywasi build builds python.wasm from the sources, in a clone of the pywasi repository (where this CLI runs Nx); ' +
            'this pywasi is an installed package, which runs the python.wasm that @pywasi/python ships (`pywasi python` needs no build)',
          1,
        );
      }
      const { execa } = await import('execa'); // see pip.ts
      const result = await execa('npx', nxBuildArguments(options), { cwd: root, stdio: 'inherit', reject: false });
      process.exitCode = result.exitCode ?? 1;
    });
}
