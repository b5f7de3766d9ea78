// The generic pieces of a Python package's build for a static interpreter: the index as a source,
// the target's SDK layout, the compiler wrappers that archive a shared-object link, the sorting of
// the wheel into built-in modules, and the packages a build imports as the target has them.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { findIndexFile, indexUrl, normalizedName } from '../package-index.ts';
import { obtainTarball } from '../pinned-source.ts';
import { writeBuildMachineTools, type BuildMachineTools } from './build-machine-tools.ts';
import { initSymbol, sortWheel, type PackageManifest } from './built-in-modules.ts';
import { buildBackend, crossPythonEnv, targetPythonOf } from './cross-python.ts';
import { installedVersion, layOutTargetImports } from './target-imports.ts';

const LLVM = '/usr/lib/llvm-19/bin';
const haveLlvm = existsSync(`${LLVM}/clang`) && existsSync(`${LLVM}/llvm-ar`);
if (!haveLlvm) console.log(`SKIP the compiler wrapper tests: LLVM 19 is not installed (${LLVM}/clang)`);
const withLlvm = haveLlvm ? test : test.skip;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'python-package-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the package index as a source', () => {
  let server: Server;
  let base: string;
  const tarball = Buffer.from('not really a tarball, but pinned');
  const sha256 = createHash('sha256').update(tarball).digest('hex');
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/simple/demo-pkg/' && /application\/vnd\.pypi\.simple\.v1\+json/.test(req.headers.accept ?? '')) {
        const files = [
          { filename: 'demo_pkg-1.0.tar.gz', url: '../../files/demo_pkg-1.0.tar.gz', hashes: { sha256 } },
          { filename: 'demo_pkg-0.9.tar.gz', url: '../../files/old.tar.gz', hashes: { sha256: '0'.repeat(64) } },
        ];
        res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(JSON.stringify({ files }));
      } else if (req.url === '/files/demo_pkg-1.0.tar.gz') res.writeHead(200).end(tarball);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('the index is the one pip is configured with, else pip default', () => {
    expect(indexUrl({ PIP_INDEX_URL: 'http://mirror.invalid/simple/' })).toBe('http://mirror.invalid/simple');
    expect(indexUrl({})).toBe('https://pypi.org/simple');
    expect(normalizedName('Markup_Safe.x')).toBe('markup-safe-x');
  });

  test('a pinned sdist is found by its sha256 and downloaded', async () => {
    const saved = process.env['PIP_INDEX_URL'];
    process.env['PIP_INDEX_URL'] = `${base}/simple/`;
    try {
      expect(await findIndexFile('Demo_Pkg', sha256)).toEqual({ url: `${base}/files/demo_pkg-1.0.tar.gz`, filename: 'demo_pkg-1.0.tar.gz' });
      await expect(findIndexFile('demo-pkg', 'f'.repeat(64))).rejects.toThrow(/lists no file with sha256 f{64}/);
      const downloadsDir = join(root, 'downloads');
      mkdirSync(downloadsDir);
      const got = await obtainTarball({ name: 'demo', version: '1.0', sha256, pypi: 'demo-pkg' }, { downloadsDir, log: () => {} });
      expect(readFileSync(got)).toEqual(tarball);
    } finally {
      if (saved === undefined) delete process.env['PIP_INDEX_URL'];
      else process.env['PIP_INDEX_URL'] = saved;
    }
  });
});

describe('the target interpreter', () => {
  test("its SDK layout gives the headers, the sysconfig module and sysconfig's platform", () => {
    const sdk = join(root, 'sdk');
    mkdirSync(join(sdk, 'include', 'python3.11'), { recursive: true });
    mkdirSync(join(sdk, 'lib', 'python3.11'), { recursive: true });
    writeFileSync(join(sdk, 'lib', 'python3.11', '_sysconfigdata__wasi_wasm32-wasi.py'), 'build_time_vars = {}\n');
    expect(targetPythonOf(sdk)).toEqual({
      includeDir: join(sdk, 'include', 'python3.11'),
      sysconfigDir: join(sdk, 'lib', 'python3.11'),
      sysconfigName: '_sysconfigdata__wasi_wasm32-wasi',
      hostPlatform: 'wasi-wasm32',
    });
    expect(() => targetPythonOf(join(root, 'nowhere'))).toThrow(/should hold one pythonX\.Y directory \(the headers\), found none/);
  });

  test("the build backend is pyproject.toml's, else setuptools' legacy one", () => {
    const tree = join(root, 'tree');
    mkdirSync(tree);
    expect(buildBackend(tree)).toBe('setuptools.build_meta:__legacy__');
    writeFileSync(join(tree, 'pyproject.toml'), '[build-system]\nrequires = ["meson-python"]\nbuild-backend = "mesonpy"\n');
    expect(buildBackend(tree)).toBe('mesonpy');
  });

  test("C++ compiles get the C flags (the package's build.cflags among them) and the target's headers first", () => {
    const target = { includeDir: '/sdk/include/python3.11', sysconfigDir: '/sdk/lib/python3.11', sysconfigName: '_sysconfigdata__wasi_wasm32-wasi', hostPlatform: 'wasi-wasm32' };
    const tools = { binDir: '/b/bin', cc: '/b/bin/cc', cxx: '/b/bin/c++', crossFile: '/b/meson-cross.ini' };
    const env = crossPythonEnv(target, { CFLAGS: '-O2 -DNDEBUG -msimd128' }, { ar: 'ar', tools });
    expect(env['CFLAGS']).toBe('-I/sdk/include/python3.11 -O2 -DNDEBUG -msimd128');
    expect(env['CXXFLAGS']).toBe(env['CFLAGS']);
    expect(crossPythonEnv(target, { CFLAGS: '-O2', CXXFLAGS: '-fno-rtti' }, { ar: 'ar', tools })['CXXFLAGS']).toBe('-I/sdk/include/python3.11 -O2 -fno-rtti');
  });

  test('init functions are renamed after the full dotted name; a top-level one keeps its own', () => {
    expect(initSymbol('markupsafe._speedups')).toBe('PyInit_markupsafe___speedups');
    expect(initSymbol('numpy._core._multiarray_umath')).toBe('PyInit_numpy___core___multiarray_umath');
    expect(initSymbol('_cffi_backend')).toBe('PyInit__cffi_backend');
  });
});

describe('the compiler wrappers', () => {
  withLlvm('compile for wasm32, archive a -shared link with its -l flags, and the wheel sorts into built-in modules', async () => {
    const dir = join(root, 'wrappers');
    const ar = `${LLVM}/llvm-ar`;
    const tools = writeBuildMachineTools(dir, { cc: [`${LLVM}/clang`, '--target=wasm32-wasi', '-nostdlib'], cxx: `${LLVM}/clang++`, cxxIncludeDir: '/nonexistent', cxxLibDir: '/nonexistent', ar, strip: `${LLVM}/llvm-strip` }, '/usr/bin/python3');
    writeFileSync(join(dir, 'ext.c'), 'int PyInit_fast(void) { return 42; }\n');
    const env = { PYWASI_AR: ar };
    await execa(tools.cc, ['-c', join(dir, 'ext.c'), '-o', join(dir, 'ext.o')], { env });
    const wheel = join(dir, 'wheel');
    mkdirSync(join(wheel, 'pkg'), { recursive: true });
    writeFileSync(join(wheel, 'pkg', '__init__.py'), '');
    writeFileSync(join(wheel, 'pkg', 'fast.c'), '/* the source, shipped by some wheels */\n');
    const so = join(wheel, 'pkg', 'fast.cpython-311-wasm32-wasi.so');
    await execa(tools.cc, ['-shared', join(dir, 'ext.o'), '-L/somewhere', '-lm', '-o', so], { env });
    expect((await execa(ar, ['t', so])).stdout.split('\n')).toEqual(['ext.o', 'pywasi-link.txt']);
    expect(readFileSync(tools.crossFile, 'utf8')).toMatch(/^c = '.*\/bin\/cc'$/m);

    const sorted = await sortWheel(wheel, ['.cpython-311-wasm32-wasi.so', '.abi3.so', '.so'], ar);
    expect(sorted.modules).toEqual([{ name: 'pkg.fast', definedInit: 'PyInit_fast', init: 'PyInit_pkg__fast', file: 'pkg/fast.cpython-311-wasm32-wasi.so', links: ['-lm'] }]);
    expect(sorted.files).toEqual(['pkg/__init__.py']);
    expect(sorted.buildFiles).toEqual(['pkg/fast.c']);
    // The flags member is taken out: what remains links.
    expect((await execa(ar, ['t', so])).stdout.split('\n')).toEqual(['ext.o']);
  }, 60_000); // it compiles and archives: room past jest's 5 s on a loaded machine

  test("`meson` on the wrappers' PATH is the build tools' meson, run by the build python as itself (argv[0])", async () => {
    const dir = join(root, 'meson-wrapper');
    const tools = writeBuildMachineTools(dir, { cc: ['clang'], cxx: 'clang++', cxxIncludeDir: '/nonexistent', cxxLibDir: '/nonexistent', ar: 'ar', strip: 'strip' }, '/usr/bin/python3');
    // A stand-in for the build tools' mesonbuild package.
    const site = join(dir, 'site');
    mkdirSync(join(site, 'mesonbuild'), { recursive: true });
    writeFileSync(join(site, 'mesonbuild', '__init__.py'), '');
    writeFileSync(join(site, 'mesonbuild', 'mesonmain.py'), 'import sys\ndef main():\n    print(sys.argv[0], *sys.argv[1:])\n    return 3\n');
    const run = await execa('meson', ['setup', 'x'], { env: { PATH: `${tools.binDir}:/usr/bin:/bin`, PYTHONPATH: site }, reject: false });
    expect({ exitCode: run.exitCode, stdout: run.stdout }).toEqual({ exitCode: 3, stdout: `${join(tools.binDir, 'meson')} setup x` });
  });

  withLlvm('a shared object the build linked itself is refused with the reason', async () => {
    const wheel = join(root, 'linked-wheel');
    mkdirSync(wheel);
    writeFileSync(join(wheel, 'mod.so'), '\0asm not an archive');
    await expect(sortWheel(wheel, ['.so'], `${LLVM}/llvm-ar`)).rejects.toThrow(/mod\.so is not an archive .*did it ignore CC\/LDSHARED or the cross file/);
  });
});

describe('a package the build imports as the target has it (numpy for pandas)', () => {
  // The published package: its Python files, and its target header among the build files.
  const publish = (dir: string, version: string) => {
    mkdirSync(join(dir, 'site-packages', 'pkg'), { recursive: true });
    mkdirSync(join(dir, 'build-files', 'pkg', 'include'), { recursive: true });
    writeFileSync(join(dir, 'site-packages', 'pkg', '__init__.py'), 'import os\nfrom . import _native\ndef get_include():\n    return os.path.join(os.path.dirname(__file__), "include")\n');
    writeFileSync(join(dir, 'build-files', 'pkg', 'include', 'config.h'), '#define SIZEOF_LONG 4\n');
    const manifest: PackageManifest = { name: 'pkg', version, modules: [], libs: [], libDirs: [], site: 'site-packages', buildFiles: 'build-files' };
    writeFileSync(join(dir, 'python-package.json'), JSON.stringify(manifest));
  };
  // The build tools: the build machine's wheel, its extension module stood in for by a .py file.
  const buildTools = () => {
    const dir = join(root, 'build-tools');
    mkdirSync(join(dir, 'pkg', 'include'), { recursive: true });
    mkdirSync(join(dir, 'pkg-1.0.dist-info'), { recursive: true });
    writeFileSync(join(dir, 'pkg', '__init__.py'), 'raise ImportError("the build machine\'s files were imported")\n');
    writeFileSync(join(dir, 'pkg', '_native.py'), 'WHERE = __file__\n');
    writeFileSync(join(dir, 'pkg', 'include', 'config.h'), '#define SIZEOF_LONG 8\n');
    return dir;
  };

  test("the build python gets the target's files and the build tools' extension modules", async () => {
    const published = join(root, 'published-pkg');
    publish(published, '1.0');
    const tools = buildTools();
    expect(installedVersion(tools, 'PKG')).toBe('1.0');
    const imports = layOutTargetImports([published], tools, join(root, 'imports'), 'consumer');
    expect(imports.packages).toEqual([{ name: 'pkg', version: '1.0' }]);
    const target = { includeDir: join(root, 'include'), sysconfigDir: join(root, 'sysconfig'), sysconfigName: '_sysconfigdata__wasi_wasm32-wasi', hostPlatform: 'wasi-wasm32' };
    const wrappers: BuildMachineTools = { binDir: join(root, 'bin'), cc: 'cc', cxx: 'c++', crossFile: 'cross.ini' };
    const env = crossPythonEnv(target, {}, { buildTools: tools, targetImports: imports.dir, ar: 'ar', tools: wrappers });
    const probe = 'import json, pkg, pkg._native; print(json.dumps([pkg.get_include(), pkg._native.WHERE]))';
    const { _PYTHON_SYSCONFIGDATA_NAME: _name, ...runnable } = env; // the stand-in target has no sysconfig data
    const result = await execa('python3', ['-c', probe], { env: runnable, extendEnv: false });
    expect(JSON.parse(result.stdout)).toEqual([join(imports.dir, 'pkg', 'include'), join(tools, 'pkg', '_native.py')]);
    expect(readFileSync(join(imports.dir, 'pkg', 'include', 'config.h'), 'utf8')).toContain('SIZEOF_LONG 4');
  }, 60_000); // it starts python3: room past jest's 5 s on a loaded machine

  test("the build machine's wheel of another version, or none, is refused with the fix", () => {
    const published = join(root, 'published-pkg-2');
    publish(published, '2.0');
    expect(() => layOutTargetImports([published], buildTools(), join(root, 'imports-2'), 'consumer')).toThrow(/consumer links the Python package pkg 2\.0: .* and they hold 1\.0: pin pkg==2\.0 in the build tools' requirements/);
    expect(() => layOutTargetImports([published], undefined, join(root, 'imports-3'), 'consumer')).toThrow(/they hold none/);
    expect(() => layOutTargetImports([join(root, 'nowhere')], undefined, join(root, 'imports-4'), 'consumer')).toThrow(/holds no python-package\.json: build that package first/);
  });
});
