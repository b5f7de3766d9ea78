// Renamed objects are checked the way they will be used: linked by wasm-ld with a caller of the
// new name, and run.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { execa } from 'execa';
import { BuildError } from './build-error.ts';
import { localizeSymbols, renameSymbols } from './wasm-object-symbols.ts';

// Each test compiles and links with clang and wasm-ld, and some run the result: seconds each on a
// loaded machine, past jest's 5 s default.
jest.setTimeout(60_000);

const BIN = '/usr/lib/llvm-19/bin';
const tool = (name: string) => join(BIN, name);
const haveLlvm = ['clang', 'wasm-ld', 'llvm-ar'].every((name) => existsSync(tool(name)));
if (!haveLlvm) console.log(`wasm-object-symbols tests skipped: LLVM 19 (clang, wasm-ld, llvm-ar in ${BIN}) is not installed`);
const withLlvm = haveLlvm ? describe : describe.skip;

const SPEEDUPS = `
static int twice(int x) { return 2 * x; }
int PyInit__speedups(void) { return twice(21); }
int speedups_table[] = { 3, 5, 7 };
`;

let work = '';
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'wasm-object-symbols-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

let serial = 0;
async function compile(source: string, flags: string[] = ['-O1']): Promise<Uint8Array> {
  const file = join(work, `unit${serial++}`);
  writeFileSync(`${file}.c`, source);
  await execa(tool('clang'), ['--target=wasm32-wasi', '-c', ...flags, `${file}.c`, '-o', `${file}.o`]);
  return readFileSync(`${file}.o`);
}

/** Links objects (bytes) and archives (paths) into a module exporting `entry`. */
async function link(inputs: (Uint8Array | string)[], entry: string): Promise<Uint8Array> {
  const files = inputs.map((input) => {
    if (typeof input === 'string') return input;
    const file = join(work, `input${serial++}.o`);
    writeFileSync(file, input);
    return file;
  });
  const output = join(work, `linked${serial++}.wasm`);
  await execa(tool('wasm-ld'), ['--no-entry', `--export=${entry}`, ...files, '-o', output]);
  return readFileSync(output);
}

async function call(module: Uint8Array, entry: string): Promise<number> {
  const { instance } = await WebAssembly.instantiate(module as Uint8Array<ArrayBuffer>, {});
  return (instance.exports[entry] as () => number)();
}

const caller = (callee: string) => compile(`int ${callee}(void);\nint entry(void) { return ${callee}(); }\n`);

withLlvm('renameSymbols', () => {
  it('renames a defined function: a caller of the new name links and runs, one of the old name is left undefined', async () => {
    const { bytes, renamed } = renameSymbols(await compile(SPEEDUPS), new Map([['PyInit__speedups', 'PyInit_markupsafe___speedups']]));
    expect(renamed).toEqual(['PyInit__speedups']);
    expect(await call(await link([bytes, await caller('PyInit_markupsafe___speedups')], 'entry'), 'entry')).toBe(42);
    await expect(link([bytes, await caller('PyInit__speedups')], 'entry')).rejects.toThrow(/undefined symbol: PyInit__speedups/);
  });

  it('renames a data symbol', async () => {
    const { bytes } = renameSymbols(await compile(SPEEDUPS), new Map([['speedups_table', 'markupsafe_table']]));
    const reader = await compile('extern int markupsafe_table[];\nint entry(void) { return markupsafe_table[2]; }\n');
    expect(await call(await link([bytes, reader], 'entry'), 'entry')).toBe(7);
  });

  it('renames names that grow and shrink across the 127/128 byte boundary of their length', async () => {
    const [n127, n128] = ['a'.repeat(127), 'b'.repeat(128)];
    const object = await compile(`int ${n127}(void) { return 1; }\nint ${n128}(void) { return 2; }\n`);
    const { bytes, renamed } = renameSymbols(object, new Map([[n127, 'g'.repeat(128)], [n128, 's']]));
    expect(renamed).toEqual([n127, n128]);
    // (length byte(s) + name) of each, new minus old; the sizes around stay 5-byte LEBs.
    expect(bytes.length).toBe(object.length + (2 + 128) - (1 + 127) + (1 + 1) - (2 + 128));
    const callers = await compile(`int ${'g'.repeat(128)}(void);\nint s(void);\nint entry(void) { return 10 * ${'g'.repeat(128)}() + s(); }\n`);
    expect(await call(await link([bytes, callers], 'entry'), 'entry')).toBe(12);
  });

  it('renames in an object with debug information, whose relocated DWARF still links; the linked name section has the new name', async () => {
    const object = await compile(SPEEDUPS, ['-O0', '-g']);
    const { bytes } = renameSymbols(object, new Map([['PyInit__speedups', 'PyInit_markupsafe___speedups']]));
    const linked = await link([bytes, await caller('PyInit_markupsafe___speedups')], 'entry');
    expect(await call(linked, 'entry')).toBe(42);
    const module = new WebAssembly.Module(linked as Uint8Array<ArrayBuffer>);
    expect(WebAssembly.Module.customSections(module, '.debug_info').length).toBe(1);
    const names = Buffer.from(WebAssembly.Module.customSections(module, 'name')[0]!).toString('latin1');
    expect(names).toContain('PyInit_markupsafe___speedups');
    expect(names).not.toContain('PyInit__speedups');
  });

  it('returns the object itself when it defines none of the names', async () => {
    const object = await compile(SPEEDUPS);
    expect(renameSymbols(object, new Map([['PyInit_other', 'x']]))).toEqual({ bytes: object, renamed: [] });
  });

  it('refuses an object that refers to an old name without defining it', async () => {
    const object = await caller('PyInit__speedups');
    expect(() => renameSymbols(object, new Map([['PyInit__speedups', 'PyInit_x']]), 'caller.o')).toThrow(
      /caller\.o refers to PyInit__speedups without defining it/,
    );
  });

  it('refuses a new name the object already uses', async () => {
    const object = await compile(`${SPEEDUPS}\nint taken(void) { return 0; }\n`);
    expect(() => renameSymbols(object, new Map([['PyInit__speedups', 'taken']]))).toThrow(/already has a symbol of that name/);
  });

  it('refuses linked modules, other files, and linking metadata of another version', async () => {
    const linked = await link([await compile(SPEEDUPS)], 'PyInit__speedups');
    const renames = new Map([['PyInit__speedups', 'x']]);
    expect(() => renameSymbols(linked, renames, 'python.wasm')).toThrow(/python\.wasm is a wasm module, not a relocatable object/);
    expect(() => renameSymbols(new TextEncoder().encode('int x;'), renames, 'x.c')).toThrow(/x\.c is not a wasm object/);
    const object = await compile(SPEEDUPS);
    const version = Buffer.from(object).indexOf('linking') + 'linking'.length;
    expect(object[version]).toBe(2);
    const future = Uint8Array.from(object);
    future[version] = 3;
    expect(() => renameSymbols(future, renames, 'new.o')).toThrow(new BuildError('new.o: linking metadata version 3, only version 2 is understood (a newer LLVM?)'));
  });
});

withLlvm('localizeSymbols', () => {
  it("two extensions' helpers of one name (and other signatures) stay each its own; only the init functions are seen", async () => {
    const ld = tool('wasm-ld');
    const extension = async (name: string, helper: string, init: string) => {
      const dir = join(work, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'a.o'), await compile(`${helper}\nint ${init}(void) { return (int)helper(2); }\n`));
      const merged = join(dir, 'merged.o');
      await execa(ld, ['-r', join(dir, 'a.o'), '-o', merged]);
      const { bytes, localized } = localizeSymbols(readFileSync(merged), new Set([init]), name);
      expect(localized).toBe(1);
      return bytes;
    };
    const one = await extension('one', 'int helper(int x) { return x * 10; }', 'PyInit_one');
    const two = await extension('two', 'long long helper(double x) { return (long long)(x * 1000); }', 'PyInit_two');
    const both = await compile('int PyInit_one(void);\nint PyInit_two(void);\nint entry(void) { return PyInit_one() + PyInit_two(); }\n');
    expect(await call(await link([both, one, two], 'entry'), 'entry')).toBe(2020);
    await expect(link([await caller('helper'), one], 'entry')).rejects.toThrow(/undefined symbol: helper/);
  });

  it("an extension's setjmp still catches the longjmp of the runtime: the C longjmp tag stays shared", async () => {
    const sjlj = ['-O1', '-mexception-handling', '-mllvm', '-wasm-enable-sjlj'];
    // As Pillow's JPEG decoder does with libjpeg's error_exit: a jump out of a helper.
    const source = [
      'int setjmp(void *env) __attribute__((returns_twice));',
      'void longjmp(void *env, int value) __attribute__((noreturn));',
      'static long env[8];',
      'static void fail(int value) { longjmp(env, value); }',
      'int PyInit_one(void) { int got = setjmp(env); if (got == 0) fail(41); return got + 1; }',
    ].join('\n');
    const merged = join(work, 'one.o');
    writeFileSync(join(work, 'a.o'), await compile(source, sjlj));
    await execa(tool('wasm-ld'), ['-r', join(work, 'a.o'), '-o', merged]);
    const { bytes } = localizeSymbols(readFileSync(merged), new Set(['PyInit_one']), 'one');
    // The runtime side, as LLVM's lowering calls it (libsetjmp's ABI): longjmp throws the tag.
    const runtime = await compile(
      [
        'struct buf { void *invocation; unsigned label; struct { void *env; int value; } arg; };',
        'void __wasm_setjmp(void *env, unsigned label, void *invocation) { struct buf *b = env; b->invocation = invocation; b->label = label; }',
        'unsigned __wasm_setjmp_test(void *env, void *invocation) { struct buf *b = env; return b->invocation == invocation ? b->label : 0; }',
        'void __wasm_longjmp(void *env, int value) { struct buf *b = env; b->arg.env = env; b->arg.value = value ? value : 1; __builtin_wasm_throw(1, &b->arg); }',
      ].join('\n'),
      sjlj,
    );
    expect(await call(await link([await caller('PyInit_one'), bytes, runtime], 'entry'), 'entry')).toBe(42);
  });
});
