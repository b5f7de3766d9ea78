/* Prints, writes a file into the directory pre-opened as /out, and exits with argv[1]. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/un.h>

int main(int argc, char **argv) {
    if (argc < 2) return 100;
    printf("hello from wasm32-wasi, %s\n", argv[0]);
    FILE *file = fopen("/out/written.txt", "w");
    if (!file) { perror("fopen /out/written.txt"); return 101; }
    /* The patched sysroot gives AF_UNIX addresses a path. */
    fprintf(file, "sun_path holds %zu bytes\n", sizeof(((struct sockaddr_un *)0)->sun_path));
    if (fclose(file) != 0) return 102;
    return atoi(argv[1]);
}
