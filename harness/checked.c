/* checked.c - see checked.h */
#include "checked.h"

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

void die_call(const char *call, int err, const char *file, int line)
{
    fprintf(stderr, "%s: %s failed at %s:%d: %s\n", program_invocation_short_name, call, file, line,
            strerror(err));
    harness_kill_children();   /* children already started must not outlive us */
    exit(1);
}

static void *check_alloc(void *p, const char *what)
{
    if (p == NULL) {
        fprintf(stderr, "gilbench: %s: out of memory\n", what);
        exit(1);
    }
    return p;
}

void *Malloc(size_t size) { return check_alloc(malloc(size ? size : 1), "malloc"); }

void *Calloc(size_t n, size_t size)
{
    return check_alloc(calloc(n ? n : 1, size ? size : 1), "calloc");
}

void *Realloc(void *p, size_t size)
{
    return check_alloc(realloc(p, size ? size : 1), "realloc");
}
