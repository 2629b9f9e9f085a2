/* checked.c - see checked.h */
#include "checked.h"

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

static void (*volatile cleanup_hook)(void);

void checked_set_cleanup(void (*hook)(void)) { cleanup_hook = hook; }

void checked_run_cleanup(void)
{
    void (*hook)(void) = cleanup_hook;
    if (hook)
        hook();
}

void die_call(const char *call, int err, const char *file, int line)
{
    fprintf(stderr, "%s: %s failed at %s:%d: %s\n", program_invocation_short_name, call, file, line,
            strerror(err));
    checked_run_cleanup();   /* children already started must not outlive us */
    exit(1);
}

void Pipe(int fds[2])
{
    if (pipe(fds) != 0)
        die_call("pipe", errno, __FILE__, __LINE__);
}

ssize_t read_full(int fd, void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return done == 0 ? 0 : -1;
        done += (size_t)n;
    }
    return (ssize_t)len;
}

int write_full(int fd, const void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, (const char *)buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
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
