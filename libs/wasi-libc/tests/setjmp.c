/* setjmp/longjmp over wasm exception handling (libsetjmp): a jump out of deep recursion, a jump
 * back into a function that is still running from a nested one, longjmp(env, 0) returning 1, and
 * locals kept by volatile. Prints one line per check; exits 0 when all hold. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf outer;
static int depth;

static void dive(int n) {
    depth++;
    if (n == 0) longjmp(outer, 42);
    dive(n - 1);
}

static int nested(jmp_buf *target) {
    jmp_buf inner;
    if (setjmp(inner) == 0) {
        /* A jump to a buffer of this invocation is caught here, not by the caller. */
        longjmp(inner, 7);
    }
    longjmp(*target, 9);
}

int main(void) {
    volatile int count = 0;
    int value = setjmp(outer);
    count++;
    if (value == 0) dive(1000);
    printf("deep: setjmp returned %d after %d frames, count %d\n", value, depth, count);

    jmp_buf zero;
    volatile int zero_value = setjmp(zero);
    if (zero_value == 0) longjmp(zero, 0);
    printf("zero: longjmp(env, 0) made setjmp return %d\n", zero_value);

    jmp_buf back;
    int from_nested = setjmp(back);
    if (from_nested == 0) nested(&back);
    printf("nested: returned %d\n", from_nested);

    return value == 42 && depth == 1001 && count == 2 && zero_value == 1 && from_nested == 9 ? 0 : 1;
}
