/*
 * checked.h - checked wrappers, OSTEP style: the libc name with a capital
 * letter; on failure they print the call, file:line and the reason, run the
 * cleanup hook, then end the process with exit status 1.  Always on (never
 * inside assert).  The bottom layer of harness/: it calls nothing above it;
 * what must happen before an abnormal end (proc.c: kill and reap every
 * child) is registered here by the layer that owns it.
 */
#ifndef GILBENCH_CHECKED_H
#define GILBENCH_CHECKED_H

#include <pthread.h>
#include <stddef.h>

void die_call(const char *call, int err, const char *file, int line)
    __attribute__((noreturn));

/* pthread_* return the error number instead of setting errno. */
#define CHECK_NAMED(name, call)                                                \
    do {                                                                       \
        int check_rc_ = (call);                                                \
        if (check_rc_ != 0)                                                    \
            die_call(name, check_rc_, __FILE__, __LINE__);                     \
    } while (0)
#define CHECK_PTHREAD(call) CHECK_NAMED(#call, call)

#define Pthread_create(t, a, f, arg) CHECK_NAMED("pthread_create", pthread_create(t, a, f, arg))
#define Pthread_join(t, r) CHECK_NAMED("pthread_join", pthread_join(t, r))
#define Pthread_mutex_init(m, a) CHECK_NAMED("pthread_mutex_init", pthread_mutex_init(m, a))
#define Pthread_mutex_destroy(m) CHECK_NAMED("pthread_mutex_destroy", pthread_mutex_destroy(m))
#define Pthread_mutex_lock(m) CHECK_NAMED("pthread_mutex_lock", pthread_mutex_lock(m))
#define Pthread_mutex_unlock(m) CHECK_NAMED("pthread_mutex_unlock", pthread_mutex_unlock(m))
#define Pthread_cond_init(c, a) CHECK_NAMED("pthread_cond_init", pthread_cond_init(c, a))
#define Pthread_cond_destroy(c) CHECK_NAMED("pthread_cond_destroy", pthread_cond_destroy(c))
#define Pthread_cond_signal(c) CHECK_NAMED("pthread_cond_signal", pthread_cond_signal(c))
#define Pthread_cond_broadcast(c) CHECK_NAMED("pthread_cond_broadcast", pthread_cond_broadcast(c))
#define Pthread_cond_wait(c, m) CHECK_NAMED("pthread_cond_wait", pthread_cond_wait(c, m))

/* The cleanup hook: die_call() and report_reader_gone() run it before the
 * process ends.  One hook; a later call replaces it (NULL: none).  It must
 * be async-signal-safe, as it may run from a signal handler. */
void checked_set_cleanup(void (*hook)(void));
void checked_run_cleanup(void);

/* pipe() that never fails. */
void Pipe(int fds[2]);

/* Read exactly len bytes, retrying on EINTR; returns len, 0 at EOF before
 * the first byte, or -1 on an error or EOF within the data. */
#include <sys/types.h>
ssize_t read_full(int fd, void *buf, size_t len);
/* Write all len bytes, retrying on EINTR; 0, or -1 with errno set. */
int write_full(int fd, const void *buf, size_t len);

/* malloc/calloc/realloc that never return NULL. */
void *Malloc(size_t size);
void *Calloc(size_t n, size_t size);
void *Realloc(void *p, size_t size);

#endif
