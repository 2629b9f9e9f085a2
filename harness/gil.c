/*
 * gil.c - a simulated Global Interpreter Lock.
 *
 * Design note (read beside CPython's Python/ceval_gil.c; the names match)
 * -----------------------------------------------------------------------
 * New policy (CPython 3.2 and later, `--gil=new`, the default)
 *
 *  - The GIL is a boolean, `locked`, whose writes are protected by `mutex`
 *    and whose release is signalled on `cond`.  `mutex` is held only for a
 *    few instructions, so it is nearly always uncontended.
 *
 *  - The holder runs until it reaches a poll point (gil_poll(): CPython
 *    checks `eval_breaker` at loop back-edges and calls) and finds its drop
 *    request bit set in `eval_breaker`.  Then it drops the GIL and takes it
 *    again (gil_poll_slow()).
 *
 *  - A thread that wants the GIL (take_gil, here gil_take) waits on `cond`
 *    for at most the switch `interval` (sys.setswitchinterval, default 5 ms).
 *    If that wait timed out, the GIL is still locked, and `switch_number`
 *    did not move meanwhile (nobody else got it), the waiter sets the drop
 *    request on the holder (`last_holder`) and waits again.  So a CPU-bound
 *    holder keeps the GIL for about one interval once somebody asks.
 *
 *  - Forced switching (FORCE_SWITCHING): a thread that drops the GIL because
 *    of a drop request waits on `switch_cond` until `last_holder` is some
 *    other thread.  Without this, on a multi-core machine the dropper would
 *    re-take the GIL long before the woken waiter is scheduled.
 *
 *  - Blocking calls: GIL_BEGIN_ALLOW_THREADS drops the GIL (drop_gil, which,
 *    as in CPython, also honours a pending drop request) and
 *    GIL_END_ALLOW_THREADS runs a full take_gil with its timed waits.  That
 *    second take is where an I/O thread beside a CPU-bound thread loses up
 *    to one interval per blocking call: the convoy effect (bpo-7946).
 *
 *  - There is no queue and no fairness: pthread_cond_signal wakes one
 *    waiter, whichever the system picks.
 *
 * Old policy (CPython 2.x, `--gil=old`)
 *
 *  - The GIL is a plain binary semaphore (PyThread locks on Linux are
 *    sem_t).  Every `check_interval` ticks (sys.setcheckinterval, default
 *    100) the holder posts it and at once waits on it again.  No timeout,
 *    no drop request, no forced switching.  On a multi-core machine the
 *    holder usually wins the re-take; the woken thread on the other core
 *    finds the lock gone and sleeps again, and these wake-ups and cache-line
 *    transfers are what make two CPU-bound threads slower than one.
 *
 * The convoy (an I/O thread beside a spinner; cases/convoy.c)
 *
 *  - New policy.  Each blocking call is a plain drop_gil (signal `cond`)
 *    and a take_gil.  The sleeping spinner must be woken and scheduled
 *    before it can set `locked`; if the call returns first, take_gil finds
 *    the GIL free and the I/O thread goes on (`uncontended_takes`; there is
 *    no queue).  If the spinner got there first, nobody will drop: the I/O
 *    thread's timed wait runs the whole `interval`, times out with
 *    `switch_number` unchanged, sets the drop request; the spinner drops at
 *    its next poll (ns later) and sleeps on `switch_cond` until the I/O
 *    thread has it.  A round trip so costs 0, 1 or 2 intervals, decided by
 *    a race: the spinner's wake-up (futex, often a vCPU leaving idle)
 *    against the call plus the I/O thread's work under the GIL.  A spinner
 *    kept off the CPU loses that race round after round and the I/O thread
 *    runs free, in CPython as here.
 *  - Old policy.  The re-take after a call is a sem_wait.  The spinner's
 *    sem_post every check_interval ticks wakes the I/O thread, which gets
 *    the token whenever it runs inside the spinner's window (the futex_wake
 *    system call between its sem_post and its sem_wait): no interval to
 *    wait.  The spinner, asleep whenever the I/O thread holds the GIL, needs
 *    the same luck to get it back, and the busy spinner keeps a core awake,
 *    so wake-ups cost less than alone.
 *  - How ours compares with CPython 3.11 and 2.7, run beside them:
 *    docs/gil-measurements.md.
 *
 * Ticks: one poll point is one tick, and a counting loop polls every
 * GIL_POLL_ITERATIONS iterations (gil.h).  A CPython 2.7 tick is longer,
 * but its release and re-take also cost more (the interpreter's shared
 * state moves to the other core with the lock), so the tick is not matched
 * in nanoseconds: it is calibrated so that two threads counting under the
 * old policy lose to one as CPython 2.7's do (docs/gil-measurements.md,
 * Ticks).  The loop is the same in every mode, so the comparison stays
 * fair.  The new policy does not depend on the tick size: it is driven by
 * the switch interval.
 *
 * Differences from CPython
 *  - One GIL per process and no interpreter: a task's loop stands in for
 *    bytecode, and a poll point for the eval_breaker check.  Signals,
 *    pending calls and the other eval_breaker bits do not exist here.
 *  - The drop request lives in the holder's own eval_breaker, as in 3.13
 *    (3.2-3.12 kept one interpreter-wide gil_drop_request).
 *  - The forced-switch wait is a loop on its predicate (CPython waits once
 *    and tolerates spurious wake-ups); the behaviour is the same.
 *  - Statistics and the optional trace are ours; CPython has neither.
 *    With the old policy a thread keeps its own ticker (2.x kept one global
 *    _Py_Ticker); only the holder counts, so the effect is the same.
 *  - Trace intervals of one thread closer than TRACE_MERGE_S are merged so
 *    that the old policy's release/re-take pairs stay a readable picture.
 */
#include "gil.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checked.h"
#include "clock.h"

#define TRACE_CAPACITY (1u << 20)
#define TRACE_MERGE_S 5e-6

static void gil_die(const char *what)
{
    fprintf(stderr, "gilbench: fatal GIL error: %s\n", what);
    abort();
}

void gil_init(struct gil *gil, const struct gil_config *cfg)
{
    memset(gil, 0, sizeof *gil);
    gil->cfg = *cfg;
    if (gil->cfg.interval_us <= 0 || gil->cfg.check_interval <= 0)
        gil_die("interval and check interval must be positive");

    pthread_condattr_t attr;
    CHECK_PTHREAD(pthread_condattr_init(&attr));
    CHECK_PTHREAD(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC));
    Pthread_mutex_init(&gil->mutex, NULL);
    Pthread_cond_init(&gil->cond, &attr);
    Pthread_mutex_init(&gil->switch_mutex, NULL);
    Pthread_cond_init(&gil->switch_cond, &attr);
    CHECK_PTHREAD(pthread_condattr_destroy(&attr));
    atomic_init(&gil->locked, 0);
    atomic_init(&gil->last_holder, NULL);
    if (sem_init(&gil->old_lock, 0, 1) != 0)
        die_call("sem_init", errno, __FILE__, __LINE__);

    gil->epoch = now_s();
    if (cfg->trace_path) {
        gil->trace_cap = TRACE_CAPACITY;
        gil->trace = Malloc(gil->trace_cap * sizeof *gil->trace);
    }
}

void gil_destroy(struct gil *gil)
{
    Pthread_mutex_destroy(&gil->mutex);
    Pthread_cond_destroy(&gil->cond);
    Pthread_mutex_destroy(&gil->switch_mutex);
    Pthread_cond_destroy(&gil->switch_cond);
    sem_destroy(&gil->old_lock);
    free(gil->trace);
    gil->trace = NULL;
}

void gil_thread_init(struct gil_thread *ts, struct gil *gil, int id)
{
    atomic_init(&ts->eval_breaker, 0);
    ts->gil = gil;
    ts->id = id;
    ts->hold_start = 0;
    /* Only the old policy counts ticks down to a release; otherwise the
     * ticker runs from LONG_MAX and in practice never reaches zero. */
    ts->ticker_reset =
        gil && gil->cfg.policy == GIL_OLD ? gil->cfg.check_interval : LONG_MAX;
    ts->ticker = ts->ticker_reset;
}

/* Record that ts held the GIL from ts->hold_start until now.  Called by the
 * holder while it still holds the GIL (and, new policy, the mutex). */
static void trace_hold(struct gil *gil, struct gil_thread *ts)
{
    if (gil->trace == NULL)
        return;
    double end = now_s() - gil->epoch;
    struct gil_trace_entry *last =
        gil->trace_len ? &gil->trace[gil->trace_len - 1] : NULL;
    if (last && last->thread == ts->id && ts->hold_start - last->end < TRACE_MERGE_S) {
        last->end = end;
        return;
    }
    if (gil->trace_len == gil->trace_cap) {
        gil->stats.trace_dropped++;
        return;
    }
    gil->trace[gil->trace_len++] =
        (struct gil_trace_entry){ts->id, ts->hold_start, end};
}

static void note_wait(struct gil *gil, double waited)
{
    gil->stats.wait_s += waited;
    if (waited > gil->stats.max_wait_s)
        gil->stats.max_wait_s = waited;
}

/* Wait on cond for at most us microseconds; true when the wait timed out. */
static bool cond_timed_wait(pthread_cond_t *cond, pthread_mutex_t *mutex, long us)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    long long ns = deadline.tv_nsec + (long long)(us % 1000000) * 1000;
    deadline.tv_sec += us / 1000000 + ns / 1000000000;
    deadline.tv_nsec = ns % 1000000000;
    int rc = pthread_cond_timedwait(cond, mutex, &deadline);
    if (rc == ETIMEDOUT)
        return true;
    if (rc != 0)
        die_call("pthread_cond_timedwait", rc, __FILE__, __LINE__);
    return false;
}

/* ------------------------------------------------------------ new policy */

static void take_gil(struct gil_thread *ts)
{
    struct gil *gil = ts->gil;
    double wait_start = 0;

    Pthread_mutex_lock(&gil->mutex);
    if (atomic_load_explicit(&gil->locked, memory_order_relaxed))
        wait_start = now_s();
    else
        gil->stats.uncontended_takes++;
    while (atomic_load_explicit(&gil->locked, memory_order_relaxed)) {
        unsigned long saved_switchnum = gil->switch_number;
        bool timed_out = cond_timed_wait(&gil->cond, &gil->mutex, gil->cfg.interval_us);
        gil->stats.timed_out_waits += timed_out;
        /* Timed out, still locked, and nobody else got it meanwhile: ask the
         * holder to drop it.  (A switch in between means the GIL is moving;
         * the new holder deserves its own interval.) */
        if (timed_out && atomic_load_explicit(&gil->locked, memory_order_relaxed) &&
            gil->switch_number == saved_switchnum) {
            struct gil_thread *holder =
                atomic_load_explicit(&gil->last_holder, memory_order_relaxed);
            atomic_store_explicit(&holder->eval_breaker, 1, memory_order_relaxed);
            gil->stats.drop_requests++;
        }
    }

    /* switch_mutex must be held while last_holder changes: see drop_gil(). */
    Pthread_mutex_lock(&gil->switch_mutex);
    atomic_store_explicit(&gil->locked, 1, memory_order_relaxed);
    if (atomic_load_explicit(&gil->last_holder, memory_order_relaxed) != ts) {
        atomic_store_explicit(&gil->last_holder, ts, memory_order_relaxed);
        ++gil->switch_number;
        gil->stats.switches++;
    }
    Pthread_cond_signal(&gil->switch_cond);
    Pthread_mutex_unlock(&gil->switch_mutex);

    /* A drop request addressed to us while we did not hold the GIL is stale. */
    atomic_store_explicit(&ts->eval_breaker, 0, memory_order_relaxed);
    gil->stats.acquisitions++;
    if (wait_start > 0)
        note_wait(gil, now_s() - wait_start);
    if (gil->trace)
        ts->hold_start = now_s() - gil->epoch;
    Pthread_mutex_unlock(&gil->mutex);
}

static void drop_gil(struct gil_thread *ts, bool final)
{
    struct gil *gil = ts->gil;
    bool forced = !final && atomic_load_explicit(&ts->eval_breaker, memory_order_relaxed);

    Pthread_mutex_lock(&gil->mutex);
    if (!atomic_load_explicit(&gil->locked, memory_order_relaxed))
        gil_die("drop_gil: GIL is not locked");
    if (atomic_load_explicit(&gil->last_holder, memory_order_relaxed) != ts)
        gil_die("drop_gil: this thread does not hold the GIL");
    trace_hold(gil, ts);
    if (forced)
        gil->stats.forced_drops++;
    atomic_store_explicit(&gil->locked, 0, memory_order_relaxed);
    Pthread_cond_signal(&gil->cond);
    Pthread_mutex_unlock(&gil->mutex);

    if (forced) {
        /* FORCE_SWITCHING: do not come back before somebody else had it. */
        Pthread_mutex_lock(&gil->switch_mutex);
        atomic_store_explicit(&ts->eval_breaker, 0, memory_order_relaxed);
        while (atomic_load_explicit(&gil->last_holder, memory_order_relaxed) == ts)
            Pthread_cond_wait(&gil->switch_cond, &gil->switch_mutex);
        Pthread_mutex_unlock(&gil->switch_mutex);
    }
}

/* ------------------------------------------------------------ old policy */

static void take_old(struct gil_thread *ts)
{
    struct gil *gil = ts->gil;
    double wait_start = 0;
    bool at_once = sem_trywait(&gil->old_lock) == 0;
    if (!at_once) {
        wait_start = now_s();
        while (sem_wait(&gil->old_lock) != 0)
            if (errno != EINTR)
                die_call("sem_wait", errno, __FILE__, __LINE__);
    }
    /* We hold the GIL: it protects the statistics from here on. */
    atomic_store_explicit(&gil->locked, 1, memory_order_relaxed);
    gil->stats.acquisitions++;
    gil->stats.uncontended_takes += at_once;
    if (atomic_load_explicit(&gil->last_holder, memory_order_relaxed) != ts) {
        atomic_store_explicit(&gil->last_holder, ts, memory_order_relaxed);
        ++gil->switch_number;
        gil->stats.switches++;
    }
    if (wait_start > 0)
        note_wait(gil, now_s() - wait_start);
    if (gil->trace)
        ts->hold_start = now_s() - gil->epoch;
}

static void drop_old(struct gil_thread *ts)
{
    struct gil *gil = ts->gil;
    if (atomic_load_explicit(&gil->last_holder, memory_order_relaxed) != ts ||
        !atomic_load_explicit(&gil->locked, memory_order_relaxed))
        gil_die("release: this thread does not hold the GIL");
    trace_hold(gil, ts);
    atomic_store_explicit(&gil->locked, 0, memory_order_relaxed);
    if (sem_post(&gil->old_lock) != 0)
        die_call("sem_post", errno, __FILE__, __LINE__);
}

/* ------------------------------------------------------------ interface */

void gil_take(struct gil_thread *ts)
{
    if (ts->gil->cfg.policy == GIL_OLD)
        take_old(ts);
    else
        take_gil(ts);
}

void gil_drop(struct gil_thread *ts, bool final)
{
    if (ts->gil->cfg.policy == GIL_OLD)
        drop_old(ts);
    else
        drop_gil(ts, final);
}

void gil_poll_slow(struct gil_thread *ts)
{
    bool ticks_done = ts->ticker <= 0;
    ts->ticker = ts->ticker_reset;
    if (ts->gil == NULL)
        return;
    if (ts->gil->cfg.policy == GIL_OLD) {
        if (ticks_done) {
            /* "Give another thread a chance" (ceval.c, 2.x). */
            drop_old(ts);
            take_old(ts);
        }
    } else if (atomic_load_explicit(&ts->eval_breaker, memory_order_relaxed)) {
        drop_gil(ts, false);
        take_gil(ts);
    }
}

void gil_assert_held(const struct gil_thread *ts)
{
    if (ts->gil == NULL)
        return;
    if (!atomic_load_explicit(&ts->gil->locked, memory_order_relaxed) ||
        atomic_load_explicit(&ts->gil->last_holder, memory_order_relaxed) != ts)
        gil_die("gil_assert_held: this thread does not hold the GIL");
}

int gil_write_trace(const struct gil *gil, const char *path)
{
    return gil_write_traces(gil, 1, path);
}

int gil_write_traces(const struct gil *gils, size_t n, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "thread,start_s,end_s,seconds\n");
    for (size_t g = 0; g < n; g++) {
        double shift = gils[g].epoch - gils[0].epoch;
        for (size_t k = 0; k < gils[g].trace_len; k++) {
            const struct gil_trace_entry *e = &gils[g].trace[k];
            fprintf(f, "%d,%.9f,%.9f,%.9f\n", e->thread, e->start + shift,
                    e->end + shift, e->end - e->start);
        }
    }
    return fclose(f) == 0 ? 0 : -1;
}
