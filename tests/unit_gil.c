/*
 * unit_gil.c - the simulated GIL behaves like CPython's.
 *
 *  - mutual exclusion: plain (non-atomic) increments by several threads,
 *    protected only by the GIL, come out exact, for both policies;
 *  - forced switching: a thread that never lets go voluntarily loses the GIL
 *    after about one switch interval, through a drop request;
 *  - Py_BEGIN/END_ALLOW_THREADS: another thread runs while one blocks;
 *  - the re-take after a blocking call, beside a spinning holder: new
 *    policy, the returning thread waits one interval, asks once, the holder
 *    drops (forced) and waits until the returning thread has it; old policy,
 *    no request at all, the holder's periodic releases let it in;
 *  - old policy: a release and re-take every check interval ticks, with no
 *    drop requests and no forced drops;
 *  - the trace records hold intervals.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checked.h"
#include "gil.h"
#include "harness.h"
#include "unit.h"

static struct gil_config config(enum gil_policy policy, long interval_us, long ci)
{
    return (struct gil_config){.policy = policy, .interval_us = interval_us,
                               .check_interval = ci, .trace_path = NULL};
}

/* wait_for(): until another thread sets *flag. */
static void wait_for(atomic_int *flag)
{
    while (!atomic_load(flag))
        usleep(100);
}

/* start_and_wait(): fn(arg) in a new thread *t, once it has set *ready. */
static void start_and_wait(pthread_t *t, void *(*fn)(void *), void *arg, atomic_int *ready)
{
    Pthread_create(t, NULL, fn, arg);
    wait_for(ready);
}

/* ------------------------------------------------- mutual exclusion */

#define EXCL_THREADS 4
#define EXCL_ROUNDS 200000

struct excl {
    struct gil gil;
    long counter;             /* plain: only the GIL protects it */
    atomic_int inside;        /* threads between two poll points right now */
    atomic_int violations;
};

struct excl_arg {
    struct excl *x;
    int id;
};

static void *excl_thread(void *p)
{
    struct excl_arg *a = p;
    struct gil_thread ts;
    gil_thread_init(&ts, &a->x->gil, a->id);
    gil_take(&ts);
    for (int i = 0; i < EXCL_ROUNDS; i++) {
        if (atomic_fetch_add(&a->x->inside, 1) != 0)
            atomic_fetch_add(&a->x->violations, 1);
        long v = a->x->counter;   /* a deliberate read-modify-write */
        a->x->counter = v + 1;
        atomic_fetch_sub(&a->x->inside, 1);
        gil_poll(&ts);           /* the only place the GIL can change hands */
    }
    gil_drop(&ts, true);
    return NULL;
}

static struct gil_stats run_exclusion(enum gil_policy policy, long *counter,
                                      int *violations)
{
    struct excl x = {.counter = 0};
    struct gil_config cfg = config(policy, 200, 10);
    gil_init(&x.gil, &cfg);
    atomic_init(&x.inside, 0);
    atomic_init(&x.violations, 0);
    pthread_t t[EXCL_THREADS];
    struct excl_arg args[EXCL_THREADS];
    for (int i = 0; i < EXCL_THREADS; i++) {
        args[i] = (struct excl_arg){&x, i};
        Pthread_create(&t[i], NULL, excl_thread, &args[i]);
    }
    for (int i = 0; i < EXCL_THREADS; i++)
        Pthread_join(t[i], NULL);
    *counter = x.counter;
    *violations = atomic_load(&x.violations);
    struct gil_stats s = x.gil.stats;
    gil_destroy(&x.gil);
    return s;
}

static void test_mutual_exclusion(void)
{
    long counter;
    int violations;
    struct gil_stats s = run_exclusion(GIL_NEW, &counter, &violations);
    CHECK(counter == (long)EXCL_THREADS * EXCL_ROUNDS, "new GIL: plain increments exact");
    CHECK(violations == 0, "new GIL: never two holders at once");
    CHECK(s.switches >= EXCL_THREADS, "new GIL: every thread got the GIL");

    s = run_exclusion(GIL_OLD, &counter, &violations);
    CHECK(counter == (long)EXCL_THREADS * EXCL_ROUNDS, "old GIL: plain increments exact");
    CHECK(violations == 0, "old GIL: never two holders at once");
    CHECK(s.drop_requests == 0 && s.forced_drops == 0,
          "old GIL: no drop requests, no forced drops");
}

/* ------------------------------------------------- forced switching */

#define INTERVAL_US 5000

struct forced {
    struct gil gil;
    atomic_int holder_ready;
    atomic_int stop;
    double waited;            /* how long the second thread waited */
};

static void *spinning_holder(void *p)
{
    struct forced *f = p;
    struct gil_thread ts;
    gil_thread_init(&ts, &f->gil, 0);
    gil_take(&ts);
    atomic_store(&f->holder_ready, 1);
    while (!atomic_load_explicit(&f->stop, memory_order_relaxed))
        gil_poll(&ts);        /* CPU-bound: never drops on its own */
    gil_drop(&ts, true);
    return NULL;
}

static void test_forced_switch(void)
{
    struct forced f;
    struct gil_config cfg = config(GIL_NEW, INTERVAL_US, 100);
    gil_init(&f.gil, &cfg);
    atomic_init(&f.holder_ready, 0);
    atomic_init(&f.stop, 0);
    pthread_t t;
    start_and_wait(&t, spinning_holder, &f, &f.holder_ready);

    struct gil_thread ts;
    gil_thread_init(&ts, &f.gil, 1);
    double start = now_s();
    gil_take(&ts);
    f.waited = now_s() - start;
    gil_assert_held(&ts);
    atomic_store(&f.stop, 1);
    gil_drop(&ts, true);
    Pthread_join(t, NULL);

    double interval = INTERVAL_US * 1e-6;
    printf("# forced switch after %.2f ms (interval %.1f ms)\n", f.waited * 1e3,
           interval * 1e3);
    CHECK(f.waited >= 0.9 * interval, "forced switch: waiter first waits one interval");
    CHECK(f.waited < 10 * interval, "forced switch: happens within a few intervals");
    CHECK(f.gil.stats.drop_requests >= 1, "forced switch: made by a drop request");
    CHECK(f.gil.stats.forced_drops >= 1, "forced switch: counted as a forced drop");
    gil_destroy(&f.gil);
}

/* ------------------------------------------------- blocking calls */

struct blocking {
    struct gil gil;
    atomic_int sleeping;
    double sleep_end;         /* when the blocked thread woke up */
    double other_got_gil;     /* when the other thread got the GIL */
};

static void *blocking_thread(void *p)
{
    struct blocking *b = p;
    struct gil_thread ts;
    gil_thread_init(&ts, &b->gil, 0);
    gil_take(&ts);
    GIL_BEGIN_ALLOW_THREADS(&ts);
    atomic_store(&b->sleeping, 1);
    usleep(100000);           /* a blocking call: 100 ms */
    b->sleep_end = now_s();
    GIL_END_ALLOW_THREADS;
    gil_assert_held(&ts);     /* re-taken after the call */
    gil_drop(&ts, true);
    return NULL;
}

static void test_allow_threads(void)
{
    struct blocking b = {.sleep_end = 0, .other_got_gil = 0};
    struct gil_config cfg = config(GIL_NEW, INTERVAL_US, 100);
    gil_init(&b.gil, &cfg);
    atomic_init(&b.sleeping, 0);
    pthread_t t;
    start_and_wait(&t, blocking_thread, &b, &b.sleeping);

    struct gil_thread ts;
    gil_thread_init(&ts, &b.gil, 1);
    gil_take(&ts);
    b.other_got_gil = now_s();
    gil_drop(&ts, true);
    Pthread_join(t, NULL);

    CHECK(b.other_got_gil < b.sleep_end, "allow threads: another thread runs during the call");
    CHECK(b.gil.stats.drop_requests == 0, "allow threads: no drop request was needed");
    CHECK(b.gil.stats.acquisitions == 3, "allow threads: take, re-take, other's take");
    gil_destroy(&b.gil);
}

/* ------------------------------------------------- re-take after a call */

/* The convoy's one step: the I/O thread (id 0) drops the GIL for a blocking
 * call, a spinner (id 1) takes it, and the call returns while the spinner
 * holds it.  The "call" returns exactly when the spinner holds the GIL, so
 * the interleaving is fixed; only the re-take is left to the GIL. */
struct retake {
    struct gil gil;
    struct gil_thread io;
    atomic_int in_call;       /* the I/O thread has dropped the GIL */
    atomic_int spinning;      /* the spinner holds the GIL and polls */
    atomic_int stop;
    atomic_int io_holds;      /* 1 while the I/O thread holds the GIL again */
    atomic_int overlap;       /* the spinner polled while io_holds: a bug */
    struct gil_stats at_retake; /* the statistics just after the re-take */
};

static void *retake_spinner(void *p)
{
    struct retake *r = p;
    struct gil_thread ts;
    gil_thread_init(&ts, &r->gil, 1);
    wait_for(&r->in_call);
    gil_take(&ts);            /* free: the I/O thread is in its call */
    atomic_store(&r->spinning, 1);
    while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
        gil_poll(&ts);        /* CPU-bound: drops only when asked */
        if (atomic_load_explicit(&r->io_holds, memory_order_relaxed))
            atomic_fetch_add(&r->overlap, 1);
    }
    gil_drop(&ts, true);
    return NULL;
}

static void run_retake(struct retake *r, enum gil_policy policy, double *waited)
{
    struct gil_config cfg = config(policy, INTERVAL_US, 100);
    gil_init(&r->gil, &cfg);
    atomic_init(&r->in_call, 0);
    atomic_init(&r->spinning, 0);
    atomic_init(&r->stop, 0);
    atomic_init(&r->io_holds, 0);
    atomic_init(&r->overlap, 0);
    gil_thread_init(&r->io, &r->gil, 0);
    gil_take(&r->io);
    pthread_t t;
    Pthread_create(&t, NULL, retake_spinner, r);
    double start = 0;
    GIL_BEGIN_ALLOW_THREADS(&r->io);
    atomic_store(&r->in_call, 1);
    wait_for(&r->spinning);   /* the blocking call */
    start = now_s();
    GIL_END_ALLOW_THREADS;
    *waited = now_s() - start;
    gil_assert_held(&r->io);
    Pthread_mutex_lock(&r->gil.mutex);   /* new policy: mutex guards them */
    r->at_retake = r->gil.stats;
    Pthread_mutex_unlock(&r->gil.mutex);
    atomic_store(&r->io_holds, 1);
    usleep(INTERVAL_US / 5);  /* hold it a while: the spinner must stay out */
    atomic_store(&r->io_holds, 0);
    atomic_store(&r->stop, 1);
    gil_drop(&r->io, true);
    Pthread_join(t, NULL);
}

static void test_retake_after_call(void)
{
    struct retake r;
    double waited, interval = INTERVAL_US * 1e-6;

    run_retake(&r, GIL_NEW, &waited);
    struct gil_stats s = r.at_retake;
    printf("# new GIL: re-take after the call waited %.2f ms (interval %.1f ms)\n",
           waited * 1e3, interval * 1e3);
    /* A loaded machine may keep the spinner off the CPU past one more
     * interval: then the I/O thread asks again.  Never before one interval,
     * never a request without a timed-out wait, one forced drop. */
    CHECK(waited >= 0.9 * interval, "re-take: the returning thread waits one interval");
    CHECK(s.drop_requests >= 1 && s.drop_requests == s.timed_out_waits,
          "re-take: then asks the holder, once per timed-out wait");
    CHECK(s.forced_drops == 1, "re-take: the holder drops once, because it was asked");
    CHECK(s.switches == 3, "re-take: I/O thread, spinner, I/O thread again");
    CHECK(s.uncontended_takes == 2, "re-take: only the first take and the spinner's were free");
    CHECK(atomic_load(&r.overlap) == 0,
          "re-take: the spinner stays out until the I/O thread drops (forced switching)");
    gil_destroy(&r.gil);

    run_retake(&r, GIL_OLD, &waited);
    s = r.at_retake;
    printf("# old GIL: re-take after the call waited %.3f ms\n", waited * 1e3);
    CHECK(s.drop_requests == 0 && s.forced_drops == 0,
          "old re-take: no drop request, no forced drop");
    CHECK(s.switches == 3, "old re-take: the spinner's periodic release let the I/O thread in");
    CHECK(atomic_load(&r.overlap) == 0, "old re-take: never two holders");
    gil_destroy(&r.gil);
}

/* ------------------------------------------------- old policy ticks */

/* polls_alone(): one thread alone takes the GIL, polls it 1000 times (a
 * check interval of 100 ticks) and drops it; the GIL's statistics. */
static struct gil_stats polls_alone(enum gil_policy policy)
{
    struct gil gil;
    struct gil_config cfg = config(policy, INTERVAL_US, 100);
    gil_init(&gil, &cfg);
    struct gil_thread ts;
    gil_thread_init(&ts, &gil, 0);
    gil_take(&ts);
    for (int i = 0; i < 1000; i++)
        gil_poll(&ts);
    gil_drop(&ts, true);
    struct gil_stats s = gil.stats;
    gil_destroy(&gil);
    return s;
}

static void test_old_ticks(void)
{
    struct gil_stats s = polls_alone(GIL_OLD);
    CHECK(s.acquisitions == 11, "old GIL: release and re-take every 100 ticks");
    CHECK(s.switches == 1, "old GIL: alone, the GIL never changes hands");
    s = polls_alone(GIL_NEW);
    CHECK(s.acquisitions == 1, "new GIL: alone, polls never release");
}

/* ------------------------------------------------- trace */

static void test_trace(void)
{
    char path[] = "/tmp/gilbench-trace-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "trace: temporary file");
    close(fd);
    struct gil gil;
    struct gil_config cfg = config(GIL_NEW, INTERVAL_US, 100);
    cfg.trace_path = path;
    gil_init(&gil, &cfg);
    struct gil_thread ts;
    gil_thread_init(&ts, &gil, 7);
    gil_take(&ts);
    usleep(2000);
    gil_drop(&ts, false);
    CHECK(gil.trace_len == 1, "trace: one hold interval recorded");
    CHECK(gil.trace_len == 1 && gil.trace[0].thread == 7 &&
              gil.trace[0].end - gil.trace[0].start >= 0.0019,
          "trace: interval has the thread and its length");
    CHECK(gil_write_trace(&gil, path) == 0, "trace: written");
    FILE *f = fopen(path, "r");
    char line[128] = "";
    CHECK(f && fgets(line, sizeof line, f) &&
              strcmp(line, "thread,start_s,end_s,seconds\n") == 0,
          "trace: CSV header");
    CHECK(f && fgets(line, sizeof line, f) && strncmp(line, "7,", 2) == 0,
          "trace: CSV row");
    if (f)
        fclose(f);
    unlink(path);
    gil_destroy(&gil);
}

/* interp mode: one GIL per task, their traces in one file. */
static void test_traces_merged(void)
{
    char path[] = "/tmp/gilbench-traces-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "traces: temporary file");
    close(fd);
    struct gil gils[2];
    struct gil_thread ts[2];
    struct gil_config cfg = config(GIL_NEW, INTERVAL_US, 100);
    cfg.trace_path = path;
    for (int i = 0; i < 2; i++) {
        gil_init(&gils[i], &cfg);
        gil_thread_init(&ts[i], &gils[i], i);
    }
    /* Both held at once: separate GILs never exclude each other. */
    gil_take(&ts[0]);
    gil_take(&ts[1]);
    usleep(1000);
    gil_drop(&ts[1], false);
    gil_drop(&ts[0], false);
    CHECK(gils[0].stats.wait_s == 0 && gils[1].stats.wait_s == 0 &&
              gils[0].stats.uncontended_takes == 1 && gils[1].stats.uncontended_takes == 1,
          "traces: two GILs held at once, neither take waited");
    CHECK(gil_write_traces(gils, 2, path) == 0, "traces: written");
    FILE *f = fopen(path, "r");
    char line[128] = "";
    int rows[2] = {0, 0};
    double start[2] = {-1, -1};
    if (f && fgets(line, sizeof line, f))
        while (fgets(line, sizeof line, f)) {
            char *end;
            long t = strtol(line, &end, 10);
            if (*end == ',' && t >= 0 && t < 2) {
                rows[t]++;
                start[t] = strtod(end + 1, NULL);
            }
        }
    if (f)
        fclose(f);
    CHECK(rows[0] == 1 && rows[1] == 1, "traces: one row per GIL's thread");
    /* task 1 took its GIL after task 0 took its own, on gils[0]'s clock */
    CHECK(start[0] >= 0 && start[1] >= start[0], "traces: times on one clock");
    unlink(path);
    for (int i = 0; i < 2; i++)
        gil_destroy(&gils[i]);
}

int main(void)
{
    test_mutual_exclusion();
    test_forced_switch();
    test_allow_threads();
    test_retake_after_call();
    test_old_ticks();
    test_trace();
    test_traces_merged();
    UNIT_EXIT();
}
