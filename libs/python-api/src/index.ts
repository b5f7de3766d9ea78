// @pywasi/python: CPython 3.11 for wasm32-wasi as a Node library (runPython), and the guest layout
// the `pywasi python` command shares with it.
export { runPython, loadPython, Python, type RunPythonOptions, type PythonResult, type PythonOutput, type PythonRun } from './run-python.ts';
export { WasiInterruptedError, WasiLimitError, WasiTrapError } from '@pywasi/host';
export { asksForRepl, moduleOf, pythonInvocation, scriptIndex, PYTHON_PROGRAM, PythonRequestError, type PythonInvocation, type PythonRequest } from './invocation.ts';
export { pythonLayout, defaultPythonDir, defaultBuild, runsThreads, THREADS_BUILD, NO_THREADS_BUILD, OLD_NO_THREADS_NAME, buildHint, pythonBuildDir, installedBuilds, buildPackageName, builtInPackages, GUEST_PREFIX, type PythonLayout, type BuiltInPackage } from './layout.ts';
export { spawnsThreads } from './build-threads.ts';
export { ensureSnapshot, snapshotPlan, freshStartReason, cacheDir, type SnapshotPlan } from './snapshot.ts';
export { stdlibFiles, StdlibError, STDLIB_ZIP, STDLIB_SOURCES_ZIP, type StdlibLayout } from './stdlib-files.ts';
