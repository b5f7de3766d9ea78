// Runs a Python script in Pyodide as `python script args...` would, from a host directory mounted
// at the same path. Plain JavaScript: started directly by the peer's Node, no loader.
//   node pyodide-run.mjs <path of pyodide.mjs> <cwd> <script> [args...]
import { pathToFileURL } from 'node:url';

const [pyodideModule, cwd, script, ...args] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(pyodideModule).href);
const py = await loadPyodide({ stdout: (line) => console.log(line), stderr: (line) => console.error(line) });
py.FS.mkdirTree(cwd);
py.FS.mount(py.FS.filesystems.NODEFS, { root: cwd }, cwd);
py.globals.set('_argv', py.toPy([script, ...args]));
py.globals.set('_cwd', cwd);
py.runPython(`
import os, runpy, sys
os.chdir(_cwd)
sys.argv = list(_argv)
sys.path.insert(0, _cwd)
runpy.run_path(sys.argv[0], run_name="__main__")
`);
