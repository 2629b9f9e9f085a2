/*
 * unit_gil.c - the simulated GIL behaves like CPython's.
 *
 *  - mutual exclusion: plain (non-atomic) increments by several threads,
 *    protected only by the GIL, come out exact, for both policies;
 *  - forced switching: a thread that never lets go voluntarily loses the GIL
 *    after about one switch interval, through a drop request;
 *  - Py_BEGIN/END_ALLOW_THREADS: another thread runs while one blocks;
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
    Pthread_create(&t, NULL, spinning_holder, &f);
    while (!atomic_load(&f.holder_ready))
        usleep(100);

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
    Pthread_create(&t, NULL, blocking_thread, &b);
    while (!atomic_load(&b.sleeping))
        usleep(100);

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

/* ------------------------------------------------- old policy ticks */

static void test_old_ticks(void)
{
    struct gil gil;
    struct gil_config cfg = config(GIL_OLD, INTERVAL_US, 100);
    gil_init(&gil, &cfg);
    struct gil_thread ts;
    gil_thread_init(&ts, &gil, 0);
    gil_take(&ts);
    for (int i = 0; i < 1000; i++)
        gil_poll(&ts);
    gil_drop(&ts, true);
    CHECK(gil.stats.acquisitions == 11, "old GIL: release and re-take every 100 ticks");
    CHECK(gil.stats.switches == 1, "old GIL: alone, the GIL never changes hands");
    gil_destroy(&gil);

    cfg = config(GIL_NEW, INTERVAL_US, 100);
    gil_init(&gil, &cfg);
    gil_thread_init(&ts, &gil, 0);
    gil_take(&ts);
    for (int i = 0; i < 1000; i++)
        gil_poll(&ts);
    gil_drop(&ts, true);
    CHECK(gil.stats.acquisitions == 1, "new GIL: alone, polls never release");
    gil_destroy(&gil);
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

int main(void)
{
    test_mutual_exclusion();
    test_forced_switch();
    test_allow_threads();
    test_old_ticks();
    test_trace();
    UNIT_EXIT();
}
