// Compiled packages in the threads build (issue 35): `pywasi build --with markupsafe,pyyaml
// --threads` builds LibYAML, PyYAML and MarkupSafe for the threads variant (the threads toolchain,
// sysroot and SDK) and links them into the threads CPython; `pywasi python --build
// with-markupsafe-pyyaml-threads` runs that build with threads, because its module has them. In
// it, PyYAML's C loader and dumper (LibYAML) and MarkupSafe's C escape run in four threads of a
// pool at once, shown by a barrier all four pass, never by timings.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { spawnsThreads } from '@pywasi/python';

const here = path.dirname(fileURLToPath(import.meta.url));
const workspaceRoot = path.resolve(here, '..', '..', '..');
const cli = path.join(workspaceRoot, 'apps', 'cli', 'bin', 'pywasi.js');
const BUILD = 'with-markupsafe-pyyaml-threads';
const wasm = path.join(workspaceRoot, 'dist', `python-${BUILD}`, 'python.wasm');
const BUILD_TIMEOUT_MS = 60 * 60 * 1000;
const RUN_TIMEOUT_MS = 180_000;

const pywasi = (args: string[]) => execa(process.execPath, [cli, ...args], { cwd: workspaceRoot, reject: false, all: true, env: { PYWASI_PYTHON_DIR: '' }, timeout: RUN_TIMEOUT_MS });

beforeAll(async () => {
  if (process.env['PYWASI_TESTS_NO_BUILD'] === '1') {
    if (!existsSync(wasm)) throw new Error(`${wasm} is missing and PYWASI_TESTS_NO_BUILD=1: run \`npx pywasi build --with markupsafe,pyyaml --threads\``);
    return;
  }
  const started = Date.now();
  // As a user would: the CLI writes the composed project (builds/python-with-markupsafe-pyyaml)
  // and runs `nx build` on it in its threads configuration.
  const build = await execa(process.execPath, [cli, 'build', '--with', 'markupsafe,pyyaml', '--threads'], { cwd: workspaceRoot, reject: false, all: true, env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' } });
  if (build.exitCode !== 0) throw new Error(`pywasi build --with markupsafe,pyyaml --threads failed:\n${(build.all ?? '').slice(-6000)}`);
  process.stdout.write(`pywasi build --with markupsafe,pyyaml --threads: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}, BUILD_TIMEOUT_MS);

describe('compiled packages in the threads build', () => {
  test('the build links the packages into the threads CPython: its module spawns threads', () => {
    expect(spawnsThreads(wasm)).toBe(true);
  });

  test("PyYAML's C loader and dumper and MarkupSafe's C escape run in four threads at once, with the right results", async () => {
    const code = String.raw`
import json, threading, yaml, markupsafe
from concurrent.futures import ThreadPoolExecutor
WORKERS = 4
# Every task waits here until four are in: the pool's four threads run them at once.
barrier = threading.Barrier(WORKERS)
def doc(i):
    return "n: %d\nitems: [%s]\nname: 'task %d'\nnested: {a: [x, y], b: ~}\n" % (i, ", ".join(str(j) for j in range(i)), i)
def task(i):
    barrier.wait(timeout=120)
    loaded = dumped = escaped = None
    for _ in range(50):
        loaded = yaml.load(doc(i), Loader=yaml.CLoader)
        dumped = yaml.load(yaml.dump(loaded, Dumper=yaml.CDumper), Loader=yaml.CLoader)
        escaped = str(markupsafe.escape("<a href='%d'>&\"</a>" % i))
    return {"thread": threading.get_ident(), "loaded": loaded, "roundTrip": dumped == loaded, "escaped": escaped}
with ThreadPoolExecutor(WORKERS) as pool:
    results = list(pool.map(task, range(2 * WORKERS)))
print(json.dumps({
    "threads": len({r["thread"] for r in results}),
    "mainThread": any(r["thread"] == threading.get_ident() for r in results),
    "results": [{k: v for k, v in r.items() if k != "thread"} for r in results],
    "builtIn": [m.__spec__.origin for m in (yaml._yaml, markupsafe._speedups)],
    "cLoader": yaml.CLoader.__mro__[1].__module__,
}))
`;
    const run = await pywasi(['python', '--build', BUILD, '-c', code]);
    expect({ exit: run.exitCode, out: run.exitCode === 0 ? '' : run.all }).toEqual({ exit: 0, out: '' });
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result).toEqual({
      threads: 4,
      mainThread: false,
      results: Array.from({ length: 8 }, (_, i) => ({
        loaded: { n: i, items: Array.from({ length: i }, (_, j) => j), name: `task ${i}`, nested: { a: ['x', 'y'], b: null } },
        roundTrip: true,
        escaped: `&lt;a href=&#39;${i}&#39;&gt;&amp;&#34;&lt;/a&gt;`,
      })),
      // The extensions are built into python.wasm, and CLoader is LibYAML's parser.
      builtIn: ['built-in', 'built-in'],
      cLoader: 'yaml._yaml',
    });
  }, RUN_TIMEOUT_MS);
});
