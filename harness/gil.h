/*
 * gil.h - a simulated Global Interpreter Lock, after CPython's ceval_gil.c.
 * The design note is at the top of gil.c.
 */
#ifndef GILBENCH_GIL_H
#define GILBENCH_GIL_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gil_policy {
    GIL_NEW,   /* CPython 3.2+: switch interval, drop requests, forced switching */
    GIL_OLD    /* CPython 2.x: release and re-take every check interval ticks */
};

#define GIL_DEFAULT_INTERVAL_US 5000   /* sys.getswitchinterval() == 0.005 */
#define GIL_DEFAULT_CHECK_INTERVAL 100 /* sys.getcheckinterval() == 100 */

/*
 * One poll point (one "tick") every GIL_POLL_ITERATIONS iterations of a
 * counting loop, about 7 ns of work here.  Calibrated, not guessed: see
 * "Ticks" in the design note of gil.c (the runs: docs/gil-measurements.md).
 * Override it for an experiment with make CFLAGS='-O2 -DGIL_POLL_ITERATIONS=64'.
 */
#ifndef GIL_POLL_ITERATIONS
#define GIL_POLL_ITERATIONS 16
#endif

struct gil_config {
    enum gil_policy policy;
    long interval_us;          /* new policy: > 0 */
    long check_interval;       /* old policy: ticks between releases, > 0 */
    const char *trace_path;    /* CSV of hold intervals, or NULL */
};

struct gil_stats {
    uint64_t acquisitions;     /* successful take_gil calls */
    uint64_t switches;         /* the GIL passed to a different thread */
    uint64_t drop_requests;    /* waits that timed out and asked the holder to drop */
    uint64_t forced_drops;     /* drops made because of a drop request */
    uint64_t uncontended_takes; /* take_gil found the GIL free: no wait */
    uint64_t timed_out_waits;  /* waits on cond that ended by the interval's
                                  timeout (a request, or a switch meanwhile) */
    double wait_s;             /* total time threads spent waiting in take_gil */
    double max_wait_s;         /* longest single wait */
    uint64_t trace_dropped;    /* hold intervals that did not fit the trace buffer */
};

struct gil_trace_entry {
    int thread;
    double start, end;         /* seconds since gil_init */
};

struct gil_thread;

struct gil {
    struct gil_config cfg;

    /* --- new policy, named as in CPython's struct _gil_runtime_state --- */
    pthread_mutex_t mutex;     /* protects locked (writes), last_holder,
                                  switch_number and the statistics */
    pthread_cond_t cond;       /* signalled when the GIL is dropped */
    pthread_mutex_t switch_mutex; /* FORCE_SWITCHING: with switch_cond, lets a
                                  forced dropper wait until another thread took it */
    pthread_cond_t switch_cond;
    atomic_int locked;         /* 1 while held; read without the mutex */
    struct gil_thread *_Atomic last_holder; /* holder, or the last one to hold it */
    unsigned long switch_number; /* bumped when a *different* thread takes it */

    /* --- old policy: one binary semaphore, as PyThread locks on Linux --- */
    sem_t old_lock;

    /* --- statistics and trace, protected by mutex (old policy: by the GIL) --- */
    struct gil_stats stats;
    double epoch;              /* now_s() at gil_init, origin of the trace */
    struct gil_trace_entry *trace;
    size_t trace_len, trace_cap;
};

/* Per-thread state, the analogue of PyThreadState. */
struct gil_thread {
    atomic_int eval_breaker;   /* the drop request bit, set by a waiting thread */
    long ticker;               /* poll points until the next old-policy release */
    long ticker_reset;         /* what the ticker restarts from */
    struct gil *gil;           /* NULL: this thread runs without a GIL */
    int id;                    /* task index, for statistics and the trace */
    double hold_start;         /* when this thread last took the GIL */
};

/* Initialise with a configuration; aborts with a message on failure. */
void gil_init(struct gil *gil, const struct gil_config *cfg);
void gil_destroy(struct gil *gil);

/* Bind a thread state to gil (or to no GIL when gil == NULL). */
void gil_thread_init(struct gil_thread *ts, struct gil *gil, int id);

/* take_gil / drop_gil.  gil_take blocks until this thread holds the GIL.
 * gil_drop releases it; unless final, it honours a pending drop request by
 * waiting until another thread has taken the GIL (forced switching). */
void gil_take(struct gil_thread *ts);
void gil_drop(struct gil_thread *ts, bool final);

/* Slow path of gil_poll; do not call directly. */
void gil_poll_slow(struct gil_thread *ts);

/*
 * A poll point, as at a loop back-edge of CPython's eval loop: one relaxed
 * atomic load of the drop request plus one decrement of the tick counter.
 * Identical in every mode; only under a GIL can it ever take the slow path
 * for a reason other than the (rare) ticker reset.
 */
static inline void gil_poll(struct gil_thread *ts)
{
    if (__builtin_expect(
            (--ts->ticker <= 0) |
                atomic_load_explicit(&ts->eval_breaker, memory_order_relaxed),
            0))
        gil_poll_slow(ts);
}

/* Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS around a blocking call.
 * Without a GIL they do nothing. */
#define GIL_BEGIN_ALLOW_THREADS(ts)                                            \
    do {                                                                       \
        struct gil_thread *gil_saved_ts_ = (ts);                               \
        if (gil_saved_ts_->gil)                                                \
            gil_drop(gil_saved_ts_, false);
#define GIL_END_ALLOW_THREADS                                                  \
    if (gil_saved_ts_->gil)                                                    \
        gil_take(gil_saved_ts_);                                               \
    }                                                                          \
    while (0)

/* Write the trace as CSV (thread,start_s,end_s,seconds). 0 on success. */
int gil_write_trace(const struct gil *gil, const char *path);
/* The same for n GILs in one file (interp mode: a GIL per task), each
 * GIL's rows after the previous one's, times counted from gils[0]'s
 * gil_init.  0 on success; -1 with errno set (0: a write error). */
int gil_write_traces(const struct gil *gils, size_t n, const char *path);

/*
 * The ownership check of a test: unless ts holds its GIL (`locked` set and
 * `last_holder` == ts), print "gilbench: fatal GIL error: gil_assert_held:
 * ..." on stderr and abort(); a ts bound to no GIL (threads, seq) passes.
 * Always on: `make`, `make asan` and `make tsan` build the same check,
 * with or without -DGIL_DEBUG (no macro or make target switches it).  It
 * costs two relaxed loads; tests/unit_gil.c calls it, the cases do not.
 */
void gil_assert_held(const struct gil_thread *ts);

#endif
