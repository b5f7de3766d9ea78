/* localtime, mktime and strftime's %Z/%z under TZ: first with the TZ the environment gives, then
 * with each argument in turn (set with setenv: libc reads TZ again when it changes). One block per
 * TZ: the line "TZ=<value>", then the same fixed checks around Paris's 2026 transitions. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *utc(time_t t, char buf[32]) {
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm)) return "?";
    return buf;
}

static void show_localtime(time_t t) {
    struct tm tm;
    char when[32], local[64];
    if (!localtime_r(&t, &tm)) {
        printf("localtime %s failed\n", utc(t, when));
        return;
    }
    strftime(local, sizeof local, "%Y-%m-%d %H:%M:%S %Z %z", &tm);
    printf("localtime %s = %s isdst=%d\n", utc(t, when), local, tm.tm_isdst);
}

static void show_mktime(int year, int month, int day, int hour, int minute, int isdst) {
    struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day, .tm_hour = hour, .tm_min = minute, .tm_isdst = isdst };
    char when[32], zone[16];
    time_t t = mktime(&tm);
    strftime(zone, sizeof zone, "%Z", &tm);
    printf("mktime %04d-%02d-%02d %02d:%02d isdst=%d = %s %s isdst=%d\n", year, month, day, hour, minute, isdst,
           t == (time_t)-1 ? "-1" : utc(t, when), zone, tm.tm_isdst);
}

static void report(void) {
    const char *tz = getenv("TZ");
    printf("TZ=%s\n", tz ? tz : "(unset)");
    show_localtime(1768478400); /* 2026-01-15T12:00:00Z */
    show_localtime(1774745999); /* 2026-03-29T00:59:59Z, a second before summer time */
    show_localtime(1774746000); /* 2026-03-29T01:00:00Z */
    show_localtime(1774747800); /* 2026-03-29T01:30:00Z */
    show_localtime(1792888200); /* 2026-10-25T00:30:00Z, the last half hour of summer time */
    show_localtime(1792891800); /* 2026-10-25T01:30:00Z */
    show_localtime(1814443200); /* 2027-07-01T12:00:00Z */
    show_mktime(2026, 1, 15, 12, 0, -1);
    show_mktime(2026, 3, 29, 3, 30, -1);
    show_mktime(2026, 7, 1, 12, 0, -1);
    show_mktime(2026, 10, 25, 2, 30, 1); /* 02:30 happens twice that night */
    show_mktime(2026, 10, 25, 2, 30, 0);
}

int main(int argc, char **argv) {
    report();
    for (int i = 1; i < argc; i++) {
        if (setenv("TZ", argv[i], 1) != 0) {
            perror("setenv");
            return 1;
        }
        report();
    }
    return 0;
}
