/* The C++ exception entry points for extensions written in C++ (numpy's pocketfft, highway),
 * linked into python.wasm when one is: LLVM's libc++abi for wasm32-wasi is built without
 * exceptions, and WASI hosts have no unwinder, so a `throw` cannot be caught; code compiled
 * without -fwasm-exceptions still calls these to throw. A throw ends the run with a message that
 * says what happened, instead of a link error for the whole build. (numpy throws only on its
 * own internal errors or when memory runs out.) */
#include <stdio.h>
#include <stdlib.h>

void *__cxa_allocate_exception(size_t size) {
    void *exception = malloc(size);
    if (exception == NULL) {
        fputs("python.wasm: out of memory while throwing a C++ exception\n", stderr);
        abort();
    }
    return exception;
}

void __cxa_free_exception(void *exception) {
    free(exception);
}

_Noreturn void __cxa_throw(void *exception, void *type, void (*destructor)(void *)) {
    (void)exception;
    (void)type;
    (void)destructor;
    fputs("python.wasm: a C++ extension threw an exception; this build has no C++ exception "
          "support (wasm32-wasi), so it ends here\n", stderr);
    abort();
}
