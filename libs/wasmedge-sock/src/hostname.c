#define _GNU_SOURCE 1 /* strnlen, strdup, SSIZE_MAX under -std=c11 */
/* gethostname: the host's name as handed to the guest in the HOSTNAME environment variable
 * (the Node host passes it; WasmEdge users can pass --env HOSTNAME=...), else "localhost". */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int gethostname(char *name, size_t len) {
    if (name == NULL) return wse_fail(EFAULT);
    const char *h = getenv("HOSTNAME");
    if (h == NULL || *h == 0 || strlen(h) > 255) h = "localhost";
    size_t n = strlen(h);
    if (n + 1 > len) return wse_fail(ENAMETOOLONG);
    memcpy(name, h, n + 1);
    return 0;
}
