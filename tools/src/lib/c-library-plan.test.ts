import { planCLibrary } from './c-library-plan.ts';
import { planWasmOpt, wasmOptScript } from './wasm-opt.ts';

describe('planCLibrary', () => {
  it('compiles every source against the sysroot and archives the objects in order', () => {
    const plan = planCLibrary({
      projectDir: '/ws/libs/sock',
      sources: ['/ws/libs/sock/src/socket.c', '/ws/libs/sock/src/net/socket.c'],
      includeDirs: ['include', 'src'],
      cflags: ['-O2', '-Wall'],
      sysroot: '/ws/dist/sysroot',
      target: 'wasm32-wasi',
      objDir: '/ws/build/sock/obj',
      archive: '/ws/build/sock/lib/libsock.a',
      cc: '/llvm/clang',
      ar: '/llvm/llvm-ar',
    });
    expect(plan.compiles.map((c) => [c.command, ...c.args])).toEqual([
      ['/llvm/clang', '--target=wasm32-wasi', '--sysroot=/ws/dist/sysroot', '-I/ws/libs/sock/include', '-I/ws/libs/sock/src', '-O2', '-Wall', '-c', '/ws/libs/sock/src/socket.c', '-o', '/ws/build/sock/obj/000-socket.o'],
      ['/llvm/clang', '--target=wasm32-wasi', '--sysroot=/ws/dist/sysroot', '-I/ws/libs/sock/include', '-I/ws/libs/sock/src', '-O2', '-Wall', '-c', '/ws/libs/sock/src/net/socket.c', '-o', '/ws/build/sock/obj/001-socket.o'],
    ]);
    expect([plan.archive.command, ...plan.archive.args]).toEqual([
      '/llvm/llvm-ar', 'rcs', '/ws/build/sock/lib/libsock.a', '/ws/build/sock/obj/000-socket.o', '/ws/build/sock/obj/001-socket.o',
    ]);
  });
});

describe('planWasmOpt', () => {
  it("runs binaryen's wasm-opt from npm with the flags before input and output", () => {
    const step = planWasmOpt('/in.wasm', '/out.wasm', ['-O2', '--strip-debug'], '/ws');
    expect(step.command).toBe(process.execPath);
    expect(step.args).toEqual([wasmOptScript(), '-O2', '--strip-debug', '/in.wasm', '-o', '/out.wasm']);
    expect(wasmOptScript()).toMatch(/node_modules\/binaryen\/bin\/wasm-opt$/);
  });
});
