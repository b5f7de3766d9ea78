// libjpeg-turbo in wasm32-wasi: a 64x48 RGB gradient compressed to a JPEG in memory and
// decompressed back close to the original; decompressed at half scale (what Pillow's draft mode
// asks for); a progressive JPEG; data that is not a JPEG reported through an error_exit that
// longjmps back (the way Pillow handles libjpeg's errors: setjmp over wasm exception handling).
// jpeglib.h uses FILE and size_t without including their headers: stdio.h first.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>

enum { W = 64, H = 48 };

static int failures = 0;
static void check(int ok, const char *what) {
  if (!ok) {
    printf("FAIL %s\n", what);
    failures++;
  }
}

struct error_manager {
  struct jpeg_error_mgr pub;
  jmp_buf back;
  char message[JMSG_LENGTH_MAX];
};

static void error_exit(j_common_ptr cinfo) {
  struct error_manager *err = (struct error_manager *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, err->message);
  longjmp(err->back, 1);
}

static unsigned char pixel(int x, int y, int c) {
  return (unsigned char)(c == 0 ? x * 4 : c == 1 ? y * 5 : 128);
}

// Compresses the gradient; returns the JPEG's size (its bytes in *out, malloc'd by libjpeg).
static unsigned long compress(unsigned char **out, int progressive) {
  static unsigned char image[H][W * 3];
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < 3; c++) image[y][x * 3 + c] = pixel(x, y, c);
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned long size = 0;
  *out = NULL;
  jpeg_mem_dest(&cinfo, out, &size);
  cinfo.image_width = W;
  cinfo.image_height = H;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 95, TRUE);
  if (progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < H) {
    JSAMPROW row = image[cinfo.next_scanline];
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return size;
}

// Decompresses at 1/denom scale; returns the largest difference from the gradient, or -1.
static int decompress(const unsigned char *jpeg, unsigned long size, unsigned denom, const char *what) {
  struct jpeg_decompress_struct cinfo;
  struct error_manager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = error_exit;
  unsigned char *rows = NULL;
  if (setjmp(err.back)) {
    printf("%s: %s\n", what, err.message);
    jpeg_destroy_decompress(&cinfo);
    free(rows);
    return -1;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, jpeg, size);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.scale_num = 1;
  cinfo.scale_denom = denom;
  jpeg_start_decompress(&cinfo);
  check(cinfo.output_width == W / denom && cinfo.output_height == H / denom && cinfo.output_components == 3, what);
  rows = malloc((size_t)cinfo.output_width * cinfo.output_height * 3);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = rows + (size_t)cinfo.output_scanline * cinfo.output_width * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  int worst = 0;
  // Away from the edges, where the scaled image's pixels average their neighbours.
  for (unsigned y = 1; y + 1 < cinfo.output_height; y++)
    for (unsigned x = 1; x + 1 < cinfo.output_width; x++)
      for (int c = 0; c < 3; c++) {
        int want = pixel((int)(x * denom + denom / 2), (int)(y * denom + denom / 2), c);
        int got = rows[(y * cinfo.output_width + x) * 3 + c];
        if (abs(got - want) > worst) worst = abs(got - want);
      }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  free(rows);
  return worst;
}

int main(void) {
  unsigned char *jpeg = NULL;
  unsigned long size = compress(&jpeg, 0);
  check(size > 100 && jpeg[0] == 0xFF && jpeg[1] == 0xD8 && jpeg[size - 2] == 0xFF && jpeg[size - 1] == 0xD9, "a JPEG from SOI to EOI");
  int full = decompress(jpeg, size, 1, "decompress");
  check(full >= 0 && full <= 8, "decompressed within 8 of the original (quality 95)");
  int half = decompress(jpeg, size, 2, "decompress at half scale");
  check(half >= 0 && half <= 12, "half scale within 12 of the original");
  free(jpeg);

  unsigned char *progressive = NULL;
  unsigned long progressiveSize = compress(&progressive, 1);
  int fromProgressive = decompress(progressive, progressiveSize, 1, "decompress progressive");
  check(fromProgressive >= 0 && fromProgressive <= 8, "a progressive JPEG decompressed within 8");
  free(progressive);

  static const unsigned char notJpeg[] = "GIF89a, not a JPEG at all";
  check(decompress(notJpeg, sizeof notJpeg, 1, "not a JPEG") == -1, "data that is not a JPEG longjmps out with an error");

  if (failures) return 1;
  printf("libjpeg-turbo %d: %lu bytes, worst difference %d (half scale %d, progressive %d)\nPASS libjpeg-turbo\n", LIBJPEG_TURBO_VERSION_NUMBER, size, full, half, fromProgressive);
  return 0;
}
