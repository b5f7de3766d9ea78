// liblzma in wasm32-wasi: .xz and raw LZMA2 round trips, and an integrity check that fails.
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 200000

static int fail(const char *what, int code) {
  printf("FAIL %s: %d\n", what, code);
  return 1;
}

int main(void) {
  uint8_t *data = malloc(N), *packed = malloc(N + 1024), *back = malloc(N);
  if (!data || !packed || !back) return fail("malloc", 0);
  unsigned seed = 54321;
  for (size_t i = 0; i < N; i++) {
    seed = seed * 1103515245u + 12345u;
    data[i] = (uint8_t)"pywasi xz lzma "[(seed >> 16) % 15];
  }
  size_t packedLen = 0;
  lzma_ret rc = lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, data, N, packed, &packedLen, N + 1024);
  if (rc != LZMA_OK) return fail("encode", rc);
  uint64_t memlimit = UINT64_MAX;
  size_t inPos = 0, outPos = 0;
  rc = lzma_stream_buffer_decode(&memlimit, 0, NULL, packed, &inPos, packedLen, back, &outPos, N);
  if (rc != LZMA_OK || outPos != N || memcmp(data, back, N) != 0) return fail("decode", rc);

  // A flipped byte in the payload must be caught (the CRC64 check, or the decoder itself).
  packed[packedLen / 2] ^= 0x55;
  inPos = outPos = 0;
  memlimit = UINT64_MAX;
  rc = lzma_stream_buffer_decode(&memlimit, 0, NULL, packed, &inPos, packedLen, back, &outPos, N);
  if (rc == LZMA_OK) return fail("corruption not detected", rc);

  printf("liblzma %s: %d -> %zu bytes\nPASS xz\n", lzma_version_string(), N, packedLen);
  return 0;
}
