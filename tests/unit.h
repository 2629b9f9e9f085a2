/*
 * unit.h - a tiny always-on test helper (Redis style).  Each CHECK prints
 * "ok - name" or "not ok - name (file:line)"; tests/run.sh counts them.
 * Unlike assert(), it never vanishes under NDEBUG.
 */
#ifndef GILBENCH_UNIT_H
#define GILBENCH_UNIT_H

#include <stdio.h>

static int unit_failed;

#define CHECK(cond, name)                                                      \
    do {                                                                       \
        if (cond) {                                                            \
            printf("ok - %s\n", name);                                         \
        } else {                                                               \
            printf("not ok - %s (%s:%d: %s)\n", name, __FILE__, __LINE__,      \
                   #cond);                                                     \
            unit_failed++;                                                     \
        }                                                                      \
        fflush(stdout);                                                        \
    } while (0)

#define UNIT_EXIT() return unit_failed ? 1 : 0

#endif
