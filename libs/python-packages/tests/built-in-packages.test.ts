// The full build from the command line: `pywasi python --build full` runs python.wasm with the
// compiled packages built in, their C parts are built-in modules (no file), their Python parts
// import from the stdlib zip, and the build lists them for the host side.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { obtainWasmEdge } from '../../../tools/testing/wasmedge.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const workspaceRoot = path.resolve(here, '..', '..', '..');
const cli = path.join(workspaceRoot, 'apps', 'cli', 'bin', 'pywasi.js');
const pythonDir = path.join(workspaceRoot, 'dist', 'python-full');

const pywasi = (args: string[], cwd = workspaceRoot) => execa(process.execPath, [cli, ...args], { cwd, reject: false, all: true, env: { PYWASI_PYTHON_DIR: '' }, timeout: 120_000 });

// What the packages import that is pure Python (yarl's idna) is not built in: a user pywasi pip
// installs it; here the host pip puts it in ./deps of the directory python runs in.
let withDeps = '';
beforeAll(async () => {
  withDeps = mkdtempSync(path.join(tmpdir(), 'pywasi-built-in-'));
  const install = await execa('python3', ['-m', 'pip', 'install', '--quiet', '--no-deps', '--only-binary', ':all:', '--require-hashes', '--target', path.join(withDeps, 'deps'), '-r', path.join(here, 'requirements-runtime.txt')], { reject: false, all: true });
  if (install.exitCode !== 0) throw new Error(`installing the packages' pure-Python imports failed:\n${install.all}`);
}, 300_000);
afterAll(() => {
  if (withDeps) rmSync(withDeps, { recursive: true, force: true });
});

describe('pywasi python --build full', () => {
  test('imports every built-in package; their extensions are built-in modules', async () => {
    const listed = JSON.parse(readFileSync(path.join(pythonDir, 'usr', 'local', 'lib', 'built-in-packages.json'), 'utf8')) as { name: string; modules: string[] }[];
    expect(listed.map((p) => p.name).sort()).toEqual(['frozenlist', 'lxml', 'markupsafe', 'msgpack', 'multidict', 'numpy', 'pillow', 'propcache', 'pyyaml', 'regex', 'yarl']);
    const modules = listed.flatMap((p) => p.modules);
    const code = [
      'import importlib, json, pickle, sys',
      'import numpy, yaml, markupsafe, msgpack, lxml.etree, multidict, frozenlist, propcache, yarl, regex',
      `mods = ${JSON.stringify(modules)}`,
      'origins = {m: importlib.import_module(m).__spec__.origin for m in mods}',
      'misnamed = [m for m in mods if sys.modules[m].__name__ != m]',
      'url = yarl.URL("http://example.com/a b").with_query(q="x y")',
      'a = numpy.arange(12.0).reshape(3, 4)',
      'print(json.dumps({"origins": sorted(set(origins.values())), "sum": float(a.sum()), "matmul": (a @ a.T).tolist()[0],',
      '  "yaml": yaml.load("x: [1, 2]", Loader=yaml.CLoader), "escape": str(markupsafe.escape("<&>")),',
      '  "msgpack": msgpack.unpackb(msgpack.packb({"k": [1, 2.5]})), "numpy": numpy.__version__,',
      '  "xpath": lxml.etree.fromstring("<r><a>1</a><a>2</a></r>").xpath("sum(//a)"), "misnamed": misnamed,',
      '  "multidict": multidict.CIMultiDict([("a", 1), ("A", 2)]).getall("a"), "frozenlist": frozenlist.FrozenList([1]).frozen,',
      '  "yarl": [str(url), url.query["q"], type(url.query).__module__], "propcache": propcache.api.under_cached_property.__module__,',
      '  "regex": [regex.sub(r"(?<w>\\w+)", r"<\\g<w>>", "hi there"), pickle.loads(pickle.dumps(regex.compile(r"\\p{Greek}+"))).findall("a αβ")],',
      '  "codeFile": [yaml.load.__code__.co_filename, yaml.__file__]}))',
    ].join('\n');
    const run = await pywasi(['python', '--build', 'full', '-c', code], withDeps);
    expect({ exit: run.exitCode, out: run.all }).toMatchObject({ exit: 0 });
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({
      origins: ['built-in'],
      sum: 66,
      matmul: [14, 38, 62],
      yaml: { x: [1, 2] },
      escape: '&lt;&amp;&gt;',
      msgpack: { k: [1, 2.5] },
      numpy: '2.1.3',
      xpath: 3,
      // Each module is named by its dotted name, as when loaded from its shared object; numpy's
      // pocketfft extension names itself _multiarray_umath (its m_name), natively too.
      misnamed: ['numpy.fft._pocketfft_umath'],
      multidict: [1, 2],
      frozenlist: false,
      yarl: ['http://example.com/a%20b?q=x+y', 'x y', 'multidict._multidict'],
      propcache: 'propcache._helpers_c',
      regex: ['<hi> <there>', ['αβ']],
      // A package's code names its file, as its __file__ does (pandas' warnings rely on it): its
      // source in the standard library the run sees as files.
      codeFile: ['/usr/local/lib/python3.11/yaml/__init__.py', '/usr/local/lib/python3.11/yaml/__init__.py'],
    });
  }, 120_000);

  test('Pillow writes and reads back JPEG and PNG through io.BytesIO; libjpeg\'s errors are OSErrors', async () => {
    const code = [
      'import io, json',
      'from PIL import Image, features',
      'image = Image.new("RGB", (64, 48))',
      'image.putdata([(x * 4, y * 5, 128) for y in range(48) for x in range(64)])',
      'out = {"features": {f: features.check(f) for f in ("jpg", "zlib", "freetype2", "webp")}}',
      'for fmt in ("JPEG", "PNG"):',
      '    buf = io.BytesIO()',
      '    image.save(buf, fmt, quality=95) if fmt == "JPEG" else image.save(buf, fmt)',
      '    back = Image.open(io.BytesIO(buf.getvalue()))',
      '    back.load()',
      '    diff = max(abs(a - b) for p, q in zip(image.getdata(), back.getdata()) for a, b in zip(p, q))',
      '    out[fmt] = {"format": back.format, "size": list(back.size), "mode": back.mode, "maxdiff": diff}',
      // A Huffman table with more than 256 codes: libjpeg's error_exit, which longjmps back into
      // Pillow's decoder (setjmp over wasm exception handling), which raises.
      'buf = io.BytesIO()',
      'image.save(buf, "JPEG")',
      'broken = bytearray(buf.getvalue())',
      'at = broken.index(b"\\xff\\xc4") + 5',
      'broken[at:at + 16] = b"\\xff" * 16',
      'try:',
      '    Image.open(io.BytesIO(broken)).load()',
      '    out["broken"] = "loaded"',
      'except OSError as e:',
      '    out["broken"] = str(e)',
      'print(json.dumps(out))',
    ].join('\n');
    const run = await pywasi(['python', '--build', 'full', '-c', code]);
    expect({ exit: run.exitCode, out: run.all }).toMatchObject({ exit: 0 });
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, { maxdiff: number }>;
    expect(result).toMatchObject({
      features: { jpg: true, zlib: true, freetype2: false, webp: false },
      JPEG: { format: 'JPEG', size: [64, 48], mode: 'RGB' },
      PNG: { format: 'PNG', size: [64, 48], mode: 'RGB', maxdiff: 0 },
      broken: 'broken data stream when reading image file',
    });
    expect(result['JPEG']!.maxdiff).toBeLessThanOrEqual(8);
  }, 120_000);

  test('an unknown build is named, with how to get it: its package, or its build in a clone', async () => {
    const run = await pywasi(['python', '--build', 'nosuch', '-c', 'pass']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr.trim()).toMatch(/^pywasi: the nosuch build is not installed \(no python\.wasm at \/.*\/python-nosuch\/python\.wasm\): `npm install @pywasi\/python-nosuch`, or in a clone of pywasi `npx nx build python-nosuch`$/);
  }, 60_000);
});

describe('the full build on real WasmEdge (the socket ABI\'s own host)', () => {
  test('numpy, PyYAML with LibYAML, and Pillow (whose JPEG errors longjmp) import and run', async () => {
    const edge = await obtainWasmEdge((line) => process.stdout.write(`${line}\n`));
    const code = [
      'import io, numpy, yaml',
      'from PIL import Image',
      'a = numpy.linspace(0, 1, 5)',
      'print(float(a.sum()), yaml.dump({"k": [1, 2]}, Dumper=yaml.CDumper).strip())',
      'buf = io.BytesIO()',
      'Image.new("RGB", (16, 16), (200, 30, 10)).save(buf, "JPEG")',
      'print(Image.open(io.BytesIO(buf.getvalue())).size)',
      'broken = bytearray(buf.getvalue())',
      'at = broken.index(b"\\xff\\xc4") + 5',
      'broken[at:at + 16] = b"\\xff" * 16',
      'try:',
      '    Image.open(io.BytesIO(broken)).load()',
      'except OSError as e:',
      '    print(e)',
    ].join('\n');
    // --enable-exception-handling: Pillow's JPEG codec recovers from libjpeg's errors with
    // setjmp/longjmp, which wasm32-wasi implements with wasm exception handling.
    const run = await execa(edge.command, [...edge.args, '--enable-exception-handling', '--dir', `/usr:${path.join(pythonDir, 'usr')}`, '--env', 'PYTHONHOME=/usr/local', path.join(pythonDir, 'python.wasm'), '-c', code], { reject: false, all: true, timeout: 300_000 });
    expect({ exit: run.exitCode, out: run.all }).toEqual({ exit: 0, out: '2.5 k:\n- 1\n- 2\n(16, 16)\nbroken data stream when reading image file' });
  }, 600_000);
});
