/* wasi-libc has no <grp.h> (WASI has no groups); util-linux's c.h includes it unconditionally
 * and libuuid uses nothing from it. */
