import type { SourceRequest } from '../../lib/pinned-source.ts';

export interface PythonPackageExecutorOptions {
  /** Workspace-relative source tree of the package (an sdist), prepared from `source`. */
  sourceDir: string;
  source?: SourceRequest;
  /** Workspace-relative scratch directory: a copy of the tree, the wheel, its contents. */
  buildDir: string;
  /** Where the archives, python-package.json, site-packages/ and build-files/ are published. */
  outputPath: string;
  /** Workspace-relative path of the build machine's python that runs the package's build. */
  buildPython: string;
  /** Workspace-relative directory of build tools (setuptools, Cython...) put on PYTHONPATH. */
  buildTools?: string;
  /** Workspace-relative SDK of the target interpreter: include/pythonX.Y, lib/pythonX.Y/_sysconfigdata_*.py. */
  sdk: string;
  /** The compiler environment (CC, CFLAGS, CPPFLAGS, LDFLAGS, PKG_CONFIG_*), placeholders allowed. */
  env: Record<string, string>;
  /** Workspace-relative lib directories of the C libraries the package links, for the final link. */
  libDirs: string[];
  /** Workspace-relative outputs of the Python packages (python-package projects) the package
   * links: their target files are what its build imports (see target-imports.ts). */
  packages?: string[];
  /** PEP 517 config settings passed to the package's build backend (a list: the key repeated). */
  configSettings?: Record<string, string | string[]>;
  /** Properties of the meson cross file (a meson-python build), beside needs_exe_wrapper. */
  mesonProperties?: Record<string, string | boolean>;
  /** Accept a wheel without extension modules (else an error: the build fell back to pure Python). */
  pureOk?: boolean;
  /** The toolchain manifest, when not the default one. */
  toolchainManifest?: string;
}
