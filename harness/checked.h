/*
 * checked.h - checked wrappers, OSTEP style: the libc name with a capital
 * letter; on failure they print the call, file:line and the reason, then
 * abort the process with exit status 1.  Always on (never inside assert).
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

/* Kill and reap every child the harness tracks (modes_proc.c). */
void harness_kill_children(void);

/* malloc/calloc/realloc that never return NULL. */
void *Malloc(size_t size);
void *Calloc(size_t n, size_t size);
void *Realloc(void *p, size_t size);

#endif
