// libpng in wasm32-wasi: a 32x16 RGBA image written to a PNG in memory (zlib's deflate) and read
// back exactly, with the simplified API; a PNG cut short, read with the classic API, ends in
// png_error, which longjmps back to the reader's setjmp (wasm exception handling); data that is
// not a PNG is refused with a message.
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { W = 32, H = 16 };

static int failures = 0;
static void check(int ok, const char *what) {
  if (!ok) {
    printf("FAIL %s\n", what);
    failures++;
  }
}

struct memory {
  const unsigned char *data;
  size_t size, at;
};

static void read_memory(png_structp png, png_bytep out, size_t length) {
  struct memory *in = png_get_io_ptr(png);
  if (in->size - in->at < length) png_error(png, "the PNG ends early");
  memcpy(out, in->data + in->at, length);
  in->at += length;
}

static char reported[200];
static void on_error(png_structp png, png_const_charp message) {
  snprintf(reported, sizeof reported, "%s", message);
  png_longjmp(png, 1);
}

// Reads with the classic API; returns the rows read before it stopped, or -1 after an error.
static int read_classic(const unsigned char *data, size_t size) {
  struct memory in = {data, size, 0};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, NULL);
  png_infop info = png_create_info_struct(png);
  volatile int rows = 0;
  png_bytep row = NULL;
  if (setjmp(png_jmpbuf(png))) {
    free(row);
    png_destroy_read_struct(&png, &info, NULL);
    return -1;
  }
  png_set_read_fn(png, &in, read_memory);
  png_read_info(png, info);
  row = malloc(png_get_rowbytes(png, info));
  for (png_uint_32 y = 0; y < png_get_image_height(png, info); y++) {
    png_read_row(png, row, NULL);
    rows++;
  }
  png_read_end(png, NULL);
  free(row);
  png_destroy_read_struct(&png, &info, NULL);
  return rows;
}

int main(void) {
  static unsigned char pixels[H][W * 4];
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      unsigned char *p = &pixels[y][x * 4];
      p[0] = (unsigned char)(x * 8);
      p[1] = (unsigned char)(y * 16);
      p[2] = (unsigned char)((x * y) & 0xFF);
      p[3] = (unsigned char)(255 - x);
    }

  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = W;
  image.height = H;
  image.format = PNG_FORMAT_RGBA;
  png_alloc_size_t size = 0;
  check(png_image_write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL) && size > 0, "the PNG's size");
  unsigned char *png = malloc(size);
  check(png_image_write_to_memory(&image, png, &size, 0, pixels, 0, NULL), image.message);
  check(png_sig_cmp(png, 0, 8) == 0, "the PNG signature");

  png_image back;
  memset(&back, 0, sizeof back);
  back.version = PNG_IMAGE_VERSION;
  check(png_image_begin_read_from_memory(&back, png, size), back.message);
  back.format = PNG_FORMAT_RGBA;
  check(back.width == W && back.height == H, "read back 32x16");
  static unsigned char read[H][W * 4];
  check(png_image_finish_read(&back, NULL, read, 0, NULL), back.message);
  check(memcmp(read, pixels, sizeof pixels) == 0, "the pixels read back are the pixels written");

  check(read_classic(png, size) == H, "the classic API reads every row");
  check(read_classic(png, size / 2) == -1 && strcmp(reported, "the PNG ends early") == 0, "a PNG cut short longjmps out of png_error");

  static const unsigned char garbage[] = "GIF89a, not a PNG at all";
  png_image bad;
  memset(&bad, 0, sizeof bad);
  bad.version = PNG_IMAGE_VERSION;
  check(!png_image_begin_read_from_memory(&bad, garbage, sizeof garbage), "data that is not a PNG is refused");
  printf("not a PNG: %s\n", bad.message);
  png_image_free(&bad);
  free(png);

  if (failures) return 1;
  printf("libpng %s: %lu bytes for %dx%d RGBA\nPASS libpng\n", png_get_libpng_ver(NULL), (unsigned long)size, W, H);
  return 0;
}
