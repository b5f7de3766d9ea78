// CPython's own regression tests in the threads build (dist/python-threads, `--build threads`;
// Lib/test of its source variant, build/cpython-source/src-threads), against
// expected-failures-threads.json: the thread, pool, server and socket modules, which the default
// build's manifest lists as "needs threads". The runner, its environment variables and its
// reports are regrtest-suite.ts's.
import { fileURLToPath } from 'node:url';
import { describeRegrtest } from './regrtest-suite.ts';

describeRegrtest({
  build: 'threads',
  // Together 213 s here (2 cores, load 3-7), 5.4 min at load 10.
  modules: [
    'test_thread', 'test_threading', 'test_concurrent_futures', 'test_asyncio.test_streams',
    'test_socket', 'test_select', 'test_selectors', 'test_socketserver',
    'test_httpservers', 'test_urllib2_localnet', 'test_xmlrpc',
  ],
  // A minute or more each here: `npm run test:threads-regrtest` (part of `npm run test:full`).
  slowModules: ['test_queue', 'test_ssl'],
  // test_socketserver skips whole without 'network'; its servers are all on localhost.
  resources: { test_socketserver: ['network'] },
  manifestFile: fileURLToPath(new URL('./expected-failures-threads.json', import.meta.url)),
  // The longest took 85 s here; a hang then costs 5 min, not 10, and regrtest prints where it is.
  moduleTimeoutSeconds: 300,
});
