// CPython's own regression tests in the default build (dist/python), against
// expected-failures.json; the runner, its environment variables and its reports are
// regrtest-suite.ts's.
import { fileURLToPath } from 'node:url';
import { describeRegrtest } from './regrtest-suite.ts';

describeRegrtest({
  build: 'default',
  // All of them took 1–19 s here (test_decimal runs its quick subset: no -u cpu).
  modules: [
    'test_json', 'test_re', 'test_unicode', 'test_int', 'test_long', 'test_float', 'test_dict', 'test_list',
    'test_set', 'test_string', 'test_bytes', 'test_datetime', 'test_decimal', 'test_zlib', 'test_uuid',
    'test_socket', 'test_select', 'test_selectors', 'test_httpservers', 'test_urllib2_localnet',
    // The host's own file system (libs/wasi-host/src/fs): all eight together 13-45 s here (2 cores).
    'test_os', 'test_shutil', 'test_tempfile', 'test_pathlib', 'test_glob', 'test_fileio', 'test_posixpath', 'test_stat',
    // The batteries: libs/sqlite, libs/bzip2, libs/xz, libs/openssl (tarfile reads and writes through
    // bz2/lzma/zlib).
    'test_sqlite3', 'test_bz2', 'test_lzma', 'test_ssl', 'test_hashlib', 'test_hmac', 'test_tarfile',
  ],
  manifestFile: fileURLToPath(new URL('./expected-failures.json', import.meta.url)),
});
