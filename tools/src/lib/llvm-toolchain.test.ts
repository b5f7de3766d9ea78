import { ensureLlvmToolchain, type MachineProbe } from './llvm-toolchain.ts';

/** A machine where only `present` paths exist; records what it was asked to run. */
function fakeMachine(opts: { root: boolean; apt: boolean; present: (path: string) => boolean }) {
  const ran: string[][] = [];
  let installed = false;
  const machine: MachineProbe = {
    exists: (path) => installed || opts.present(path),
    isRoot: () => opts.root,
    hasApt: () => opts.apt,
    run: async (command, args) => (command.endsWith('clang') ? 'Debian clang version 16.0.6' : args.join(' ')),
    runVisible: async (command, args) => {
      ran.push([command, ...args]);
      if (args[0] === 'install') installed = true;
    },
  };
  return { machine, ran };
}

describe('ensureLlvmToolchain', () => {
  it('names the missing tool and gives the exact install command when it may not install', async () => {
    const { machine, ran } = fakeMachine({ root: false, apt: true, present: (p) => !p.endsWith('/wasm-ld') });
    await expect(ensureLlvmToolchain(16, { machine })).rejects.toThrow(
      /missing: \/usr\/lib\/llvm-16\/bin\/wasm-ld\)\.\nInstall it with: sudo apt-get update && sudo apt-get install -y clang-16 lld-16 llvm-16 libclang-rt-16-dev-wasm32/,
    );
    expect(ran).toEqual([]);
  });

  it('installs the pinned packages with apt-get when root on Debian', async () => {
    const { machine, ran } = fakeMachine({ root: true, apt: true, present: () => false });
    const lines: string[] = [];
    const toolchain = await ensureLlvmToolchain(16, { machine, log: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/LLVM 16 wasm toolchain incomplete \(missing \/usr\/lib\/llvm-16\/bin\/clang, .*installing it with apt-get/);
    expect(ran).toEqual([
      ['apt-get', 'update'],
      ['apt-get', 'install', '-y', '--no-install-recommends', 'clang-16', 'lld-16', 'llvm-16', 'libclang-rt-16-dev-wasm32', 'libc++-16-dev-wasm32', 'libc++abi-16-dev-wasm32'],
    ]);
    expect(toolchain.tools.clang).toBe('/usr/lib/llvm-16/bin/clang');
    expect(toolchain.versionId).toMatch(/^Debian clang version 16\.0\.6\n/);
  });

  it('does not install when told not to, even as root', async () => {
    const { machine, ran } = fakeMachine({ root: true, apt: true, present: () => false });
    await expect(ensureLlvmToolchain(16, { machine, install: false })).rejects.toThrow(/Install it with: apt-get update/);
    expect(ran).toEqual([]);
  });

  it('finds a complete toolchain without installing anything', async () => {
    const { machine, ran } = fakeMachine({ root: true, apt: true, present: () => true });
    const toolchain = await ensureLlvmToolchain(19, { machine });
    expect(ran).toEqual([]);
    expect(toolchain.builtins).toBe('/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a');
  });
});
