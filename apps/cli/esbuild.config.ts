// esbuild options of the CLI's bundles (the build and build-package targets).
import { lazyBuiltins } from '../../tools/src/esbuild/lazy-builtins.ts';

export default {
  legalComments: 'none',
  // Node's built-ins and the CommonJS dependencies (commander) are loaded through this require.
  banner: { js: "import { createRequire as __pywasiRequire } from 'node:module'; const require = __pywasiRequire(import.meta.url);" },
  // What only some commands need loads when used (dynamic imports): execa for pip and build,
  // the socket host and the worker thread's mode for runs that use them.
  splitting: true,
  plugins: [lazyBuiltins({ commander: ['node:child_process'] })],
};
