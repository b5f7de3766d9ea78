// What os.walk asks of the host per directory, timed call by call inside a wasm32-wasi program:
// lstat, opendir+closedir (wasi-libc's opendir reads the first entries at once), a whole
// listing, and open+close of a file. Used by bench/fs-calls.ts with two hosts (pywasi and plain
// node:wasi), so only the host's side of each call differs.
//
//   dir-calls.wasm ROOT ROUNDS     ROOT holds d0..d9/s0..s9, each with files; prints one JSON line
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DIRS 100

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void dir_path(char *out, size_t size, const char *root, int i, const char *leaf) {
  snprintf(out, size, "%s/d%d/s%d%s", root, i / 10, i % 10, leaf);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: dir-calls ROOT ROUNDS\n");
    return 2;
  }
  const char *root = argv[1];
  int rounds = atoi(argv[2]);
  double best[4] = {1e18, 1e18, 1e18, 1e18};
  long entries = 0;
  char p[512];
  struct stat st;
  for (int r = 0; r < rounds; r++) {
    double t[5];
    t[0] = now_us();
    for (int i = 0; i < DIRS; i++) {
      dir_path(p, sizeof p, root, i, "");
      if (lstat(p, &st) != 0) return perror(p), 1;
    }
    t[1] = now_us();
    for (int i = 0; i < DIRS; i++) {
      dir_path(p, sizeof p, root, i, "");
      DIR *d = opendir(p);
      if (!d) return perror(p), 1;
      closedir(d);
    }
    t[2] = now_us();
    entries = 0;
    for (int i = 0; i < DIRS; i++) {
      dir_path(p, sizeof p, root, i, "");
      DIR *d = opendir(p);
      if (!d) return perror(p), 1;
      while (readdir(d)) entries++;
      closedir(d);
    }
    t[3] = now_us();
    for (int i = 0; i < DIRS; i++) {
      dir_path(p, sizeof p, root, i, "/f0");
      int fd = open(p, O_RDONLY);
      if (fd < 0) return perror(p), 1;
      close(fd);
    }
    t[4] = now_us();
    for (int k = 0; k < 4; k++)
      if (t[k + 1] - t[k] < best[k]) best[k] = t[k + 1] - t[k];
  }
  printf("{\"lstat\": %.3f, \"opendir_closedir\": %.3f, \"listing\": %.3f, \"open_close\": %.3f, \"entries_per_dir\": %ld}\n",
         best[0] / DIRS, best[1] / DIRS, best[2] / DIRS, best[3] / DIRS, entries / DIRS);
  return 0;
}
