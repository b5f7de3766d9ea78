// libbz2 in wasm32-wasi: compress and decompress a buffer, in one call and as a stream.
#include <bzlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 200000

static int fail(const char *what, int code) {
  printf("FAIL %s: %d\n", what, code);
  return 1;
}

int main(void) {
  char *data = malloc(N), *packed = malloc(N + N / 100 + 600), *back = malloc(N);
  if (!data || !packed || !back) return fail("malloc", 0);
  unsigned seed = 12345;
  for (int i = 0; i < N; i++) {
    seed = seed * 1103515245u + 12345u;
    data[i] = "pywasi bzip2 "[(seed >> 16) % 13];  // compressible, not trivial
  }
  unsigned packedLen = N + N / 100 + 600, backLen = N;
  int rc = BZ2_bzBuffToBuffCompress(packed, &packedLen, data, N, 9, 0, 0);
  if (rc != BZ_OK) return fail("compress", rc);
  rc = BZ2_bzBuffToBuffDecompress(back, &backLen, packed, packedLen, 0, 0);
  if (rc != BZ_OK) return fail("decompress", rc);
  if (backLen != N || memcmp(data, back, N) != 0) return fail("roundtrip differs", (int)backLen);

  // The streaming interface, fed in small pieces.
  bz_stream s;
  memset(&s, 0, sizeof s);
  if ((rc = BZ2_bzDecompressInit(&s, 0, 0)) != BZ_OK) return fail("stream init", rc);
  unsigned done = 0;
  for (unsigned off = 0; off < packedLen && rc != BZ_STREAM_END; off += 1000) {
    s.next_in = packed + off;
    s.avail_in = packedLen - off < 1000 ? packedLen - off : 1000;
    while (s.avail_in > 0 && rc != BZ_STREAM_END) {
      s.next_out = back + done;
      s.avail_out = N - done;
      rc = BZ2_bzDecompress(&s);
      if (rc != BZ_OK && rc != BZ_STREAM_END) return fail("stream", rc);
      done = N - s.avail_out;
    }
  }
  BZ2_bzDecompressEnd(&s);
  if (rc != BZ_STREAM_END || done != N || memcmp(data, back, N) != 0) return fail("stream roundtrip", (int)done);
  printf("bzip2 %s: %d -> %u bytes\nPASS bzip2\n", BZ2_bzlibVersion(), N, packedLen);
  return 0;
}
