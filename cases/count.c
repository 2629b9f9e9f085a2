/*
 * count - a CPU-bound counting loop, the seeds' heavy_computation().
 *
 * What it shows
 *   Pure computation gains from parallel threads or processes only when
 *   nothing serialises them.  Under a GIL, threads take turns: two threads
 *   take as long as running the work twice in sequence.  With a GIL per
 *   task (interp: PEP 684 subinterpreters) they run in parallel again.
 *
 * Mirrors
 *   The seeds' `heavy_computation` / `cpu_bound_task` (count to 10**7, run
 *   twice in sequence, in two threads, in two processes; then ten of each).
 *
 * Expect on N cores (tasks = N, ratio = seq time / mode time)
 *   seq 1.0 · threads ~N · fork ~N · pool ~N · threadpool ~N
 *   gil ~1.0 (new GIL: no gain, little loss, as CPython 3)
 *   gil --gil=old < 1.0 (threads fight over the lock, as CPython 2.7)
 *   interp ~N (a GIL each: every take finds its GIL free, wait 0)
 *
 * Why
 *   Each task is one loop with no shared data and no waiting, so threads and
 *   processes scale with the cores.  Under the simulated GIL only the holder
 *   computes; the other waits one switch interval, asks for the GIL and gets
 *   it, so the cores take turns.  With the old policy the holder releases
 *   and at once re-takes the lock every 100 ticks; the woken thread on the
 *   other core mostly loses the race, and the wake-ups cost time.  In
 *   interp mode each task takes its own GIL, which nobody else wants: the
 *   poll points run as under the shared GIL, but never find a request, and
 *   each result comes back as a copy.
 *
 * Checks
 *   Every task must return exactly --iterations; the total must be
 *   tasks x iterations.
 *
 * Try
 *   bin/count --mode=gil --tasks=2      (then --mode=interp, --mode=threads, --mode=fork)
 */
#include <stdio.h>

#include "harness.h"

/* About 0.3 s for one task on a current 2-3 GHz core. */
static long long iterations = 800000000LL;

static struct opt_spec count_opts[] = {
    {.name = "iterations", .type = OPT_INT, .dest = &iterations,
     .metavar = "N", .min = 1, .max = 1000000000000LL,
     .help = "count to N in each task; 1e9 style accepted (default 8e8)"},
    {0},
};

/*
 * The work.  The empty asm tells the compiler that `total` may have changed
 * behind its back, so it must keep every one of the additions: no folding the
 * loop into `total = n`, no vectorising.  (tests/cli_count.sh checks the
 * assembly.)  The poll point is the same in every mode.
 */
static long long count_to(long long n, struct gil_thread *ts)
{
    long long total = 0;
    long long left = n;
    while (left > 0) {
        long long chunk = left < GIL_POLL_ITERATIONS ? left : GIL_POLL_ITERATIONS;
        for (long long i = 0; i < chunk; i++) {
            total += 1;
            __asm__ volatile("" : "+r"(total));
        }
        left -= chunk;
        gil_poll(ts);
    }
    return total;
}

static void count_task(const struct task_ctx *ctx, struct task_result *out)
{
    out->value = count_to(iterations, ctx->ts);
}

static void count_check(const struct run_info *ri, const struct task_result *res,
                        struct verdict *v)
{
    v->expected = (int64_t)ri->tasks * iterations;
    v->result = 0;
    v->ok = true;
    for (int i = 0; i < ri->tasks; i++) {
        v->result += res[i].value;
        if (res[i].value != iterations)
            v->ok = false;
    }
    if (v->result != v->expected)
        v->ok = false;
}

static void count_describe(const struct run_info *ri, struct report *r)
{
    (void)ri;
    report_note(r, "each task counts to %lld", iterations);
    report_int(r, "iterations", NULL, iterations);
}

static const struct case_def count_case = {
    .name = "count",
    .purpose = "a CPU-bound counting loop: threads vs processes vs the GIL",
    .try_example = "count --mode=gil --tasks=2",
    .modes = MODES_CPU,
    .modes_why = "counting never waits, so an event loop has nothing to overlap",
    .default_tasks = 2,
    .opts = count_opts,
    .task = count_task,
    .check = count_check,
    .describe = count_describe,
};

int main(int argc, char **argv)
{
    return harness_main(&count_case, argc, argv);
}
