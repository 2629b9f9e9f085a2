/*
 * harness/tools/delayserver/timers.h - the delay server's suspended
 * requests and the one timer thread that resumes them when they are due
 * (see the design note and "Locks" at the top of delayserver.c).
 */
#ifndef GILBENCH_DELAYSERVER_TIMERS_H
#define GILBENCH_DELAYSERVER_TIMERS_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

enum request_state { REQ_NEW, REQ_SUSPENDED, REQ_RESUMED };

struct request {
    enum request_state state;  /* written by the MHD thread and, for
                                  SUSPENDED -> RESUMED, by the timer thread
                                  under timers.mutex before it resumes */
    struct MHD_Connection *conn;
    long long delay_ms;
    bool cancelled;            /* resumed by shutdown, not by its deadline */
};

struct timer {
    double due;                /* CLOCK_MONOTONIC seconds */
    struct request *req;
};

struct timers {
    pthread_mutex_t mutex;
    pthread_cond_t cond;       /* signalled on a new earliest deadline, or stop */
    struct timer *heap;        /* min-heap on due; protected by mutex */
    size_t len, cap;
    bool stopping;             /* protected by mutex */
};

extern struct timers timers;
extern atomic_int cancelled_pending;   /* resumed by shutdown, not yet answered */

/* Add a deadline; the caller holds timers.mutex. */
void heap_push(struct timer t);

/* The timer thread: resumes every due request (all of them once
 * timers.stopping is set), then returns when stopping and empty. */
void *timer_main(void *unused);

#endif
