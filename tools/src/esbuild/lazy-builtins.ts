// An esbuild plugin: in the files of the named packages, `require()` of the named Node built-ins
// returns a stand-in that loads the built-in at its first use. For dependencies that load at
// start a module only a path the bundle never takes needs: commander requires
// node:child_process when it loads, for subcommands that are executables, which the pywasi CLI
// has none of; loading it (with dgram and the socket list) is ~0.7 MiB of every run's memory.
import type { Plugin } from 'esbuild';

const NAMESPACE = 'lazy-builtin';

/** `byPackage`: package name → the built-ins its files get lazily, e.g. { commander: ['node:child_process'] }. */
export function lazyBuiltins(byPackage: Record<string, readonly string[]>): Plugin {
  const packages = Object.entries(byPackage).map(([name, builtins]) => ({ dir: `/node_modules/${name}/`, builtins: new Set(builtins) }));
  return {
    name: 'lazy-builtins',
    setup(build) {
      build.onResolve({ filter: /^(node:)?[a-z0-9_/]+$/ }, (args) => {
        // The stand-in's own require is of the real module.
        if (args.namespace === NAMESPACE) return { path: args.path, external: true };
        if (args.kind !== 'require-call') return undefined;
        const importer = args.importer.replaceAll('\\', '/');
        const lazy = packages.some((p) => importer.includes(p.dir) && p.builtins.has(args.path));
        return lazy ? { path: args.path, namespace: NAMESPACE } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const d = Object.getOwnPropertyDescriptor(load(), key);
    return d && { ...d, configurable: true };
  },
});
`,
        loader: 'js',
      }));
    },
  };
}
