// `nx affected` is only as good as the graph: for one file of each kind, the exact set of projects
// a change to it affects. A library's build reads other projects' outputs (declared edges), a
// test project reads code (import edges); a target lists the executor files it runs, so an
// executor edit affects the projects built by that executor and nothing built by another.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { workspaceRoot } from '../../testing/nx.ts';

/** The clone's own builds (`pywasi build --with`: builds/python-NAME/project.json, named after
 * their directory) are not the repository's graph: left out, whichever this clone has made. */
const composedBuilds = new Set(existsSync(join(workspaceRoot, 'builds')) ? readdirSync(join(workspaceRoot, 'builds')) : []);

async function affectedBy(file: string): Promise<string[]> {
  const { stdout } = await execa('npx', ['nx', 'show', 'projects', '--affected', `--files=${file}`], {
    cwd: workspaceRoot,
    env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NO_COLOR: '1' },
  });
  return stdout.split('\n').map((l) => l.trim()).filter((p) => p && !composedBuilds.has(p)).sort();
}

// What runs the CLI: the C libraries' tests (their wasm programs run on `pywasi run`).
const cliUsers = ['pywasi', 'bzip2-tests', 'libjpeg-turbo-tests', 'libpng-tests', 'libxml2-tests', 'libxslt-tests', 'libyaml-tests', 'lua-tests', 'openssl-tests', 'sqlite-tests', 'wasmedge-sock-tests', 'xz-tests', 'python-packages-tests'];
// What python.wasm is part of: its tests, the host's tests and runPython's (which run it), and the
// packages that ship it (@pywasi/python, python-no-threads), with the CLI package and the install
// test on top.
const pythonConsumers = ['cpython-tests', 'python', 'python-full', 'python-no-threads', 'python-api-tests', 'wasi-host-tests', '@pywasi/python', 'packages-e2e', ...cliUsers];
// What is compiled against CPython's SDK: the SDK itself and the packages built into python.wasm.
const builtAgainstCpython = ['cpython-sdk', 'frozenlist', 'lxml', 'markupsafe', 'msgpack', 'multidict', 'numpy', 'pandas', 'pillow', 'propcache', 'pyyaml', 'regex', 'yarl'];

const cases: [file: string, affected: string[]][] = [
  // OpenSSL's socket BIOs sit on the socket library, so it is rebuilt too; so is the other
  // language built on it, Lua with LuaSocket.
  ['libs/wasmedge-sock/src/hostname.c', ['cpython', 'lua', 'openssl', 'stdlib-zip', 'wasmedge-sock', ...pythonConsumers, ...builtAgainstCpython]],
  // LuaSocket's tree is read by the Lua build alone.
  ['libs/luasocket/patches/0001-select-wasi-fd-set-is-a-list.patch', ['lua', 'lua-tests', 'luasocket']],
  ['libs/lua/src/luasocket-preload.c', ['lua', 'lua-tests']],
  // The zip is part of the distribution, not of the interpreter: cpython itself is untouched.
  ['libs/stdlib-zip/make_stdlib_zip.py', ['stdlib-zip', ...pythonConsumers]],
  // No C library, no native target: only the host, what runs it, and the tests that run it.
  // wasi-libc's tests run the threads sysroot's program on the host; no C library is affected.
  ['libs/wasi-host/src/sockets/ring.ts', ['@pywasi/host', '@pywasi/python', 'cpython-tests', 'packages-e2e', 'python-api-tests', 'wasi-host-tests', 'wasi-libc-tests', ...cliUsers]],
  // runPython's package: it, the CLI built on it, and the tests that run the CLI; not the host.
  ['libs/python-api/src/layout.ts', ['@pywasi/python', 'cpython-tests', 'packages-e2e', 'python-api-tests', 'wasi-host-tests', ...cliUsers]],
  // The c-library executor builds wasmedge-sock only; zlib, libuuid, wasi-libc are built by others.
  // (bzip2-tests, openssl-tests, sqlite-tests, xz-tests and the libyaml, libxml2, libxslt,
  // libjpeg-turbo and libpng tests: their helper in tools/testing compiles C; openssl links
  // wasmedge-sock.)
  ['tools/src/executors/c-library/executor.ts', ['@pywasi/native-build', 'cpython', 'lua', 'openssl', 'stdlib-zip', 'wasi-libc-tests', 'wasmedge-sock', ...pythonConsumers, ...builtAgainstCpython]],
  // The cmake executor builds libjpeg-turbo and libpng only; Pillow links libjpeg-turbo, so it
  // and the full build follow. No other C library, no interpreter of the default build. (The
  // test projects importing tools/testing are affected as for any edit of tools.)
  ['tools/src/executors/cmake/executor.ts', ['@pywasi/native-build', 'libjpeg-turbo', 'libpng', 'pillow', 'python-full', 'cpython-tests', 'packages-e2e', 'wasi-host-tests', 'wasi-libc-tests', ...cliUsers]],
  // A patch changes the one shared source tree, so both pythons (and the build tools the build
  // python installs).
  ['libs/cpython/source/patches/0001-config-site-keep-af-unix.patch', ['cpython', 'cpython-build-python', 'cpython-source', 'stdlib-zip', 'python-build-tools', ...pythonConsumers, ...builtAgainstCpython]],
  // A package's build: it, the full build it is linked into, and what tests them (packages-e2e installs the full build's package).
  ['libs/python-packages/msgpack/native.json', ['msgpack', 'packages-e2e', 'python-full', 'python-packages-tests']],
  // pandas is in no build of the repository's (a build of its own, `pywasi build --with pandas`,
  // made by `npm run test:pandas`): nothing npm test builds or tests depends on it.
  ['libs/python-packages/pandas/native.json', ['pandas']],
  // numpy is in the full build, and pandas is built on it.
  ['libs/python-packages/numpy/native.json', ['numpy', 'pandas', 'packages-e2e', 'python-full', 'python-packages-tests']],
  ['README.md', []],
];

describe('nx affected', () => {
  test.each(cases)('a change to %s affects exactly %j', async (file, expected) => {
    expect(await affectedBy(file)).toEqual([...expected].sort());
  }, 60_000);
});
