/* Interface names and indexes (<net/if.h>): the loopback only, as the header says. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>


#define LOOPBACK_NAME "lo"
#define LOOPBACK_INDEX 1u

unsigned int if_nametoindex(const char *name) {
    if (name != NULL && strcmp(name, LOOPBACK_NAME) == 0) return LOOPBACK_INDEX;
    errno = ENXIO;
    return 0;
}

char *if_indextoname(unsigned int index, char *name) {
    if (index != LOOPBACK_INDEX) {
        errno = ENXIO;
        return NULL;
    }
    if (name == NULL) {
        errno = EFAULT;
        return NULL;
    }
    memcpy(name, LOOPBACK_NAME, sizeof LOOPBACK_NAME);
    return name;
}

struct if_nameindex *if_nameindex(void) {
    /* One entry and the terminator; the name lives in the same allocation. */
    struct if_nameindex *list = malloc(2 * sizeof *list + sizeof LOOPBACK_NAME);
    if (list == NULL) return NULL; /* errno = ENOMEM */
    char *name = (char *)(list + 2);
    memcpy(name, LOOPBACK_NAME, sizeof LOOPBACK_NAME);
    list[0] = (struct if_nameindex){LOOPBACK_INDEX, name};
    list[1] = (struct if_nameindex){0, NULL};
    return list;
}

void if_freenameindex(struct if_nameindex *list) {
    free(list);
}
