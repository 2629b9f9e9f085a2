/*
 * refcount - tasks take and drop references to one shared object, as
 * Py_INCREF and Py_DECREF do: why the GIL exists.
 *
 * What it shows
 *   A reference count that two threads update without a lock loses updates.
 *   At the end it is wrong (the object leaks, or is freed too early), and on
 *   the way it reaches zero while references are still held: the object
 *   would be deallocated under a live reference.  The GIL, an atomic add or
 *   a mutex each keep the count exact; they differ in what one operation
 *   costs, and processes do not share the object at all.
 *
 * Mirrors
 *   Seed 000, "Need of GIL": sys.getrefcount() going 2, 3, 2 as names bind
 *   and go, and "without the GIL, multiple threads could corrupt the
 *   reference count ..., leading to memory leaks or premature deallocation".
 *   --sync=atomic is what free-threaded CPython (PEP 703) pays on a shared
 *   object; --sync=biased is PEP 703's biased reference counting.
 *
 * Expect on 2 cores (2 tasks, --ops=2e7 each)
 *   exact: seq, gil (new and old), fork, pool with every --sync; threads and
 *     threadpool with --sync=atomic, mutex or biased.
 *   wrong: threads --sync=none (and threadpool with 2+ workers): hundreds to
 *     thousands of updates lost, and most runs see the count reach zero
 *     while references are held; exit 0 with ok: false, as that is the
 *     lesson.  (With 5e6 ops the threads overlap for only ~10 ms and about
 *     one run in six comes out exact: hence the default.)
 *   cost of one operation, per task (ns_per_op), seq --sync=none = 1:
 *     seq atomic ~7, seq mutex ~7 (uncontended: one locked instruction
 *     each); threads atomic ~35, threads mutex ~140 (the count's cache line
 *     moves between the cores at every operation, and the mutex sleeps);
 *     gil ~1.6 per task but ~1 for the whole run (run_ns_per_op: the threads
 *     take turns, as in seq); gil --gil=old ~2.5 for the whole run (the lock
 *     changes hands every 100 ticks); threads none ~1.2 for the whole run:
 *     no faster than seq, and wrong.  biased: seq ~2 (every task runs on
 *     the owner's thread: no atomic, only an ownership check); threads:
 *     the owner ~7, the others ~14, against ~35 for all-atomic (the owner's
 *     plain writes still share a cache line with the others' atomics).
 *
 * Why
 *   A plain `ob_refcnt += 1` is a load, an add and a store.  Two cores can
 *   both load 5 and both store 6: one update is lost.  Lost increments make
 *   the count too low, so a later Py_DECREF sees zero while references
 *   remain (premature deallocation); lost decrements make it too high (a
 *   leak).  Under the simulated GIL only the holder runs between poll points,
 *   so the same plain updates never overlap.  An atomic add (lock xadd) or a
 *   mutex makes each update indivisible, at a price.  Biased counting (PEP
 *   703) gives the object an owner thread (here task 0's) that updates its
 *   own half of the count with plain instructions, while the others add to
 *   a shared half atomically; the halves are summed only when one reaches
 *   zero.  Most objects are used by one thread, so most updates are cheap.
 *   In fork and pool mode every child updates its own copy of the object:
 *   the parent's count never moves, and a child's peak shows only its own
 *   references.
 *
 *   Subinterpreters with a GIL each (PEP 684/734, the harness's interp
 *   mode) share no object either: every interpreter has its own objects
 *   and its own counts, so each task's count is its own, nothing is lost
 *   and nothing is contended; plain updates are safe without a lock shared
 *   between the tasks, and what crosses between interpreters is copied.
 *   That is fork's lesson in one process, so this case refuses --mode=interp
 *   rather than fake it: a count per task would need a pointer in place of
 *   the one shared object in the loop, and the loop every other mode runs
 *   would change.  (CPython makes the objects that interpreters do share,
 *   such as None and small ints, immortal: their counts are never written.)
 *
 * Checks
 *   result = the count at the end (the parent's, in process modes), expected
 *   = its start, 1 (the creator's reference, held all along).  ok needs
 *   that, no premature deallocation, and in process modes every child's copy
 *   back at 1.  A wrong count exits 1, except in the racy combinations above.
 *
 * Try
 *   bin/refcount --mode=threads      (then --mode=gil, --sync=atomic, --mode=fork)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checked.h"
#include "harness.h"

enum sync { SYNC_NONE, SYNC_ATOMIC, SYNC_MUTEX, SYNC_BIASED };
static const char *const sync_choices[] = {"none", "atomic", "mutex", "biased", NULL};

static long long ops = 20000000, hold = 8;
static int sync_kind = SYNC_NONE;

static struct opt_spec refcount_opts[] = {
    {.name = "ops", .type = OPT_INT, .dest = &ops, .metavar = "N",
     .min = 2, .max = 1000000000000LL,
     .help = "reference operations per task, an even number: N/2 INCREFs and "
             "N/2 DECREFs; 1e9 style accepted (default 2e7)"},
    {.name = "sync", .type = OPT_CHOICE, .dest = &sync_kind, .metavar = "KIND",
     .choices = sync_choices,
     .help = "none (plain load-add-store), atomic (an atomic add, as "
             "free-threaded CPython on a shared object), mutex (a lock per "
             "operation) or biased (PEP 703: the owner thread plain, the others "
             "atomic) (default none)"},
    {.name = "hold", .type = OPT_INT, .dest = &hold, .metavar = "K",
     .min = 1, .max = 1000000,
     .help = "references a task takes before it drops them again (default 8)"},
    {0},
};

#define START_COUNT 1   /* the creator's reference, held for the whole run */

/*
 * The shared object.  Invariant, whenever the updates are safe:
 *   count == START_COUNT + the references the tasks hold right now,
 * so it never drops below START_COUNT while a task is running.
 * With --sync=none|atomic|mutex the count is ob_refcnt, accessed as --sync
 * says: plain (protected by the GIL in gil mode, by nothing in threads
 * mode), only through __atomic builtins (as CPython's pyatomic_gcc.h does),
 * or only with lock held.  With --sync=biased (PEP 703) the count is
 * ob_ref_local + ob_ref_shared: ob_ref_local is written by the owner thread
 * only (relaxed atomic load and store, a plain mov on x86, as CPython 3.13
 * does) and holds START_COUNT; every other thread adds to ob_ref_shared
 * atomically.  Each thread drops only what it took, so ob_ref_local >= 1
 * and ob_ref_shared >= 0 at all times.
 */
static struct {
    long ob_refcnt;
    pthread_mutex_t lock;
    const char *_Atomic ob_tid;   /* the owner thread's token; NULL: none yet */
    long ob_ref_local;
    long ob_ref_shared;
} obj = {.ob_refcnt = START_COUNT, .lock = PTHREAD_MUTEX_INITIALIZER,
         .ob_ref_local = START_COUNT, .ob_ref_shared = 0};

/* One address per thread: its identity, as _Py_ThreadId() is in CPython. */
static _Thread_local char thread_token;

/*
 * PEP 703: the owner updates its half with no atomic instruction; others
 * add to the shared half atomically.  As in CPython, the other half is read
 * only when this one says the object may be dead (the owner's half at zero,
 * or the shared half below zero: "merge"); then the total is returned.
 * Otherwise the object is certainly alive and 1 stands for "some positive
 * count" (run_ops reads the true total for its peak with biased_total()).
 */
static inline long biased_add(long delta)
{
    if (atomic_load_explicit(&obj.ob_tid, memory_order_relaxed) == &thread_token) {
        long local = __atomic_load_n(&obj.ob_ref_local, __ATOMIC_RELAXED) + delta;
        __atomic_store_n(&obj.ob_ref_local, local, __ATOMIC_RELAXED);
        return local > 0 ? 1 : local + __atomic_load_n(&obj.ob_ref_shared, __ATOMIC_SEQ_CST);
    }
    long shared = __atomic_add_fetch(&obj.ob_ref_shared, delta, __ATOMIC_SEQ_CST);
    return shared >= 0 ? 1 : shared + __atomic_load_n(&obj.ob_ref_local, __ATOMIC_RELAXED);
}

static long biased_total(void)
{
    return __atomic_load_n(&obj.ob_ref_local, __ATOMIC_RELAXED) +
           __atomic_load_n(&obj.ob_ref_shared, __ATOMIC_RELAXED);
}

/* The count once every task has ended. */
static long final_count(void)
{
    return sync_kind == SYNC_BIASED ? obj.ob_ref_local + obj.ob_ref_shared
                                    : obj.ob_refcnt;
}

/* What a task hands back in struct task_result. */
enum { COUNTER_PREMATURE, COUNTER_PEAK, COUNTER_OWNER };

/*
 * Add delta to the count and return the new value, as `++op->ob_refcnt`.
 * Inlined with a constant s, so each loop below has no branch on --sync.
 * The volatile access makes every plain update a real load and store in
 * memory: the compiler may not merge 8 INCREFs into one add, nor cancel an
 * INCREF against the DECREF after it.
 */
static inline __attribute__((always_inline)) long ref_add(enum sync s, long delta)
{
    long v;
    switch (s) {
    case SYNC_ATOMIC:
        return __atomic_add_fetch(&obj.ob_refcnt, delta, __ATOMIC_SEQ_CST);
    case SYNC_BIASED:
        return biased_add(delta);
    case SYNC_MUTEX:
        Pthread_mutex_lock(&obj.lock);
        v = obj.ob_refcnt += delta;
        Pthread_mutex_unlock(&obj.lock);
        return v;
    case SYNC_NONE:
    default: {
        volatile long *p = &obj.ob_refcnt;
        v = *p + delta;
        *p = v;
        return v;
    }
    }
}

/* The count now, read as --sync allows (biased: both halves). */
static long ref_read(enum sync s)
{
    return s == SYNC_BIASED ? biased_total() : ref_add(s, 0);
}

/*
 * pairs times: take one reference, in runs of --hold, then drop as many.
 * A DECREF that leaves the count at zero or below would deallocate the
 * object (CPython: `if (--op->ob_refcnt == 0) _Py_Dealloc(op)`) while the
 * creator and this task still hold references: premature deallocation.
 * The poll points sit at the loop's back-edges, one of them while this task
 * holds references, so under the GIL another thread may run right then.
 */
static inline __attribute__((always_inline)) void
run_ops(enum sync s, long long pairs, struct gil_thread *ts, struct task_result *out)
{
    long long premature = 0;
    long peak = 0;
    for (long long done = 0; done < pairs;) {
        long batch = pairs - done < hold ? (long)(pairs - done) : (long)hold;
        long v = 0;
        for (long k = 0; k < batch; k++)
            v = ref_add(s, +1);
        if (s == SYNC_BIASED)
            v = biased_total();
        if (v > peak)
            peak = v;
        gil_poll(ts);
        for (long k = 0; k < batch; k++)
            if (ref_add(s, -1) <= 0)
                premature++;
        gil_poll(ts);
        done += batch;
    }
    out->counters[COUNTER_PREMATURE] = premature;
    out->counters[COUNTER_PEAK] = peak;
}

static void refcount_task(const struct task_ctx *ctx, struct task_result *out)
{
    long long pairs = ops / 2;
    if (ctx->index == 0)   /* task 0's thread plays the one that created it */
        atomic_store_explicit(&obj.ob_tid, &thread_token, memory_order_relaxed);
    switch (sync_kind) {
    case SYNC_ATOMIC: run_ops(SYNC_ATOMIC, pairs, ctx->ts, out); break;
    case SYNC_MUTEX: run_ops(SYNC_MUTEX, pairs, ctx->ts, out); break;
    case SYNC_BIASED: run_ops(SYNC_BIASED, pairs, ctx->ts, out); break;
    default: run_ops(SYNC_NONE, pairs, ctx->ts, out); break;
    }
    /* biased: did this task run on the owner's thread (its fast path)? */
    out->counters[COUNTER_OWNER] =
        atomic_load_explicit(&obj.ob_tid, memory_order_relaxed) == &thread_token;
    /* In a process mode: this child's own copy, which must be back at 1. */
    out->value = ref_read((enum sync)sync_kind);
}

static int refcount_prepare(struct run_info *ri, char *err, size_t errlen)
{
    (void)ri;
    if (ops % 2 != 0) {
        snprintf(err, errlen, "--ops: expected an even number (every reference "
                 "taken is dropped again), got %lld", ops);
        return 2;
    }
    return 0;
}

/* Free threads sharing the object with no lock: the combinations that are
 * meant to corrupt it (a one-thread pool cannot race with itself). */
static bool racy(const struct run_info *ri)
{
    if (sync_kind != SYNC_NONE || ri->tasks < 2)
        return false;
    return ri->mode == MODE_THREADS ||
           (ri->mode == MODE_THREADPOOL && ri->workers > 1);
}

static long long sum_counter(const struct run_info *ri,
                             const struct task_result *res, int which)
{
    long long sum = 0;
    for (int i = 0; i < ri->tasks; i++)
        sum += res[i].counters[which];
    return sum;
}

static void refcount_check(const struct run_info *ri, const struct task_result *res,
                           struct verdict *v)
{
    v->result = final_count();   /* every task has ended: no race left */
    v->expected = START_COUNT;
    v->ok = v->result == v->expected &&
            sum_counter(ri, res, COUNTER_PREMATURE) == 0 && ri->failed_tasks == 0;
    if (!ri->shares_memory)
        for (int i = 0; i < ri->tasks; i++)
            if (res[i].value != START_COUNT)
                v->ok = false;
    v->wrong_is_expected = racy(ri);
}

static void refcount_describe(const struct run_info *ri, struct report *r)
{
    (void)ri;
    report_note(r, "each task takes and drops %lld references to one object, "
                "%lld at a time, sync %s", ops / 2, hold, sync_choices[sync_kind]);
    report_str(r, "sync", NULL, sync_choices[sync_kind]);
    report_int(r, "ops", "ops per task", ops);
    report_int(r, "hold", NULL, hold);
}

/* Biased counting's two prices: the owner's and everybody else's. */
static void report_biased(const struct run_info *ri, const struct task_result *res,
                          struct report *r)
{
    double sum[2] = {0, 0};
    int n[2] = {0, 0};
    for (int i = 0; i < ri->tasks; i++) {
        int owner = res[i].counters[COUNTER_OWNER] != 0;
        sum[owner] += res[i].task_s / (double)ops * 1e9;
        n[owner]++;
    }
    report_int(r, "owner_tasks", "owner tasks", n[1]);
    report_num(r, "owner_ns_per_op", "ns per op, owner", n[1] ? sum[1] / n[1] : 0, "ns");
    report_num(r, "others_ns_per_op", "ns per op, others", n[0] ? sum[0] / n[0] : 0, "ns");
    report_note(r, "biased: %d task(s) on the owner's thread, %.1f ns/op without "
                "atomics; %d other(s), %.1f ns/op with them", n[1],
                n[1] ? sum[1] / n[1] : 0, n[0], n[0] ? sum[0] / n[0] : 0);
}

static void refcount_report(const struct run_info *ri, const struct task_result *res,
                            struct report *r)
{
    long long premature = sum_counter(ri, res, COUNTER_PREMATURE);
    long long drift = (long long)final_count() - START_COUNT;
    long peak = 0;
    double per_task = 0;
    for (int i = 0; i < ri->tasks; i++) {
        if (res[i].counters[COUNTER_PEAK] > peak)
            peak = (long)res[i].counters[COUNTER_PEAK];
        per_task += res[i].task_s / (double)ops;
    }
    report_int(r, "final_count", "count at the end", (long long)final_count());
    report_int(r, "start_count", "count at the start", START_COUNT);
    report_int(r, "lost_updates", "lost updates (at least)", llabs(drift));
    report_int(r, "premature_deallocs", "premature deallocs", premature);
    report_int(r, "peak_count", "peak count seen", peak);
    report_num(r, "ns_per_op", "ns per op (per task)", per_task / ri->tasks * 1e9, "ns");
    report_num(r, "run_ns_per_op", "ns per op (whole run)",
               ri->measured_s / ((double)ops * ri->tasks) * 1e9, "ns");
    if (sync_kind == SYNC_BIASED)
        report_biased(ri, res, r);
    report_bool(r, "shares_memory", "tasks share the object", ri->shares_memory);
    report_bool(r, "racy", "unprotected by design", racy(ri));

    if (!ri->shares_memory) {
        report_note(r, "every process updated its own copy of the object (peak "
                    "%ld: its own references only); the parent's count is still "
                    "%ld: processes share no memory", peak, final_count());
    } else if (racy(ri) && (drift != 0 || premature != 0)) {
        report_note(r, "no lock: %lld update(s) lost at least (%s), and the count "
                    "hit zero %lld time(s) while references were held",
                    llabs(drift), drift > 0 ? "the object leaks" :
                    drift < 0 ? "it would be freed too early" : "they cancelled out",
                    premature);
    } else if (racy(ri)) {
        report_note(r, "no lock, yet no corruption this time: the threads hardly "
                    "overlapped (more --ops, or a machine with 2+ idle cores)");
    } else if (ri->mode == MODE_GIL && sync_kind == SYNC_NONE) {
        report_note(r, "plain updates, yet exact: only the GIL holder runs "
                    "between poll points");
    }
}

static const struct case_def refcount_case = {
    .name = "refcount",
    .purpose = "reference counts shared by threads: lost updates without a lock",
    .try_example = "refcount --mode=threads",
    .modes = MODES_CPU & ~MODE_BIT(MODE_INTERP),
    .modes_why = "async: reference counting never waits, so an event loop has nothing "
                 "to overlap; interp: interpreters share no object, so each count is "
                 "the task's own (fork shows it)",
    .default_tasks = 2,
    .opts = refcount_opts,
    .prepare = refcount_prepare,
    .task = refcount_task,
    .check = refcount_check,
    .report = refcount_report,
    .describe = refcount_describe,
};

int main(int argc, char **argv)
{
    return harness_main(&refcount_case, argc, argv);
}
