/*
 * interleave - two tasks print a line and sleep: numbers and letters.
 *
 * What it shows
 *   Tasks that mostly sleep run concurrently in every mode that has more
 *   than one thread of control, and also in one thread with an event loop:
 *   the lines of the two tasks interleave and the run takes half as long.
 *   A GIL does not stop this, because a sleeping thread does not hold it.
 *
 * Mirrors
 *   The seeds' print_numbers()/print_letters(): "Number: 0".. and
 *   "Letter: a".. with time.sleep(1) after each line, run by two threads, two
 *   processes, asyncio.gather() and ThreadPool/ProcessPoolExecutor.
 *
 * Expect on N cores (2 tasks; ratio = seq time / mode time)
 *   seq 1.0 (2 x items x sleep) · threads ~2 · gil ~2 · interp ~2 · fork ~2
 *   async ~2
 *   pool, threadpool ~2 with --workers >= 2 (the default is the core count)
 *   The core count hardly matters: the tasks sleep, they do not compute.
 *
 * Why
 *   Each task spends items x sleep sleeping and almost nothing printing.
 *   Sleeping threads and processes need no core; in gil mode the sleep and
 *   the write run between GIL_BEGIN_ALLOW_THREADS and GIL_END_ALLOW_THREADS,
 *   as time.sleep() and print() release the GIL; in interp mode each task
 *   releases a GIL of its own that nobody else wants: the same overlap as
 *   gil, since a sleeper never held the shared one.  The async driver keeps one
 *   timer per task and sleeps until the earliest, as asyncio.sleep() does.
 *
 * Checks
 *   Every task writes --items lines, each with a single write(2) that must
 *   write the whole line, so lines never tear, even from several processes
 *   into one pipe.  result = lines written, expected = tasks x items.
 *   `interleaved` reports whether the tasks' printing spans overlapped.
 *
 * Output
 *   The lines are the demo, so they go to stdout as they happen, before the
 *   report.  With --json they go to stderr, keeping stdout one JSON object;
 *   --quiet drops them.
 *
 * Try
 *   bin/interleave --mode=threads       (then --mode=seq, --mode=async)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checked.h"
#include "harness.h"

static long long items = 10, sleep_ms = 100;
static bool quiet;
static int line_fd = STDOUT_FILENO;   /* -1: no lines */

static struct opt_spec interleave_opts[] = {
    {.name = "items", .type = OPT_INT, .dest = &items, .metavar = "N",
     .min = 1, .max = 100000, .help = "lines each task prints (default 10)"},
    {.name = "sleep-ms", .type = OPT_INT, .dest = &sleep_ms, .metavar = "MS",
     .min = 0, .max = 60000,
     .help = "sleep after each line (default 100; the seeds sleep 1000)"},
    {.name = "quiet", .type = OPT_FLAG, .dest = &quiet,
     .help = "do not print the lines, only the report"},
    {0},
};

/* What a task hands back, in struct task_result. */
enum { SECONDS_FIRST_LINE, SECONDS_LAST_LINE };

static int interleave_prepare(struct run_info *ri, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    line_fd = quiet ? -1 : ri->json ? STDERR_FILENO : STDOUT_FILENO;
    return 0;
}

/* ------------------------------------------------------------ one step */

/* Letters after z go on as spreadsheet columns do: aa, ab, ... */
static void letter_name(long long k, char *buf, size_t len)
{
    char tmp[16];
    int n = 0;
    for (k = k + 1; k > 0 && n < (int)sizeof tmp; k = (k - 1) / 26)
        tmp[n++] = (char)('a' + (k - 1) % 26);
    size_t i = 0;
    while (n > 0 && i + 1 < len)
        buf[i++] = tmp[--n];
    buf[i] = '\0';
}

/* Print line `item` of task `index` with one write(2).  Returns 0 when the
 * whole line went out (or lines are off), else an errno value (EIO for a
 * short write: a torn line). */
static int print_line(int index, int tasks, long long item)
{
    if (line_fd < 0)
        return 0;
    char line[96], suffix[32] = "";
    if (tasks > 2)   /* more than one task of a kind: say which one */
        snprintf(suffix, sizeof suffix, " (task %d)", index);
    int n;
    if (index % 2 == 0) {
        n = snprintf(line, sizeof line, "Number: %lld%s\n", item, suffix);
    } else {
        char name[16];
        letter_name(item, name, sizeof name);
        n = snprintf(line, sizeof line, "Letter: %s%s\n", name, suffix);
    }
    ssize_t w;
    do
        w = write(line_fd, line, (size_t)n);
    while (w < 0 && errno == EINTR);
    if (w < 0 && errno == EPIPE)
        report_reader_gone();   /* `| head`: not a failed run (see harness) */
    return w == n ? 0 : w < 0 ? errno : EIO;
}

static void sleep_at_least_ms(long long ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* Record one printed line in out; false when its write failed with err. */
static bool record_line(struct task_result *out, int err, double when)
{
    if (out->value == 0)
        out->seconds[SECONDS_FIRST_LINE] = when;
    out->seconds[SECONDS_LAST_LINE] = when;
    if (err != 0) {
        out->failed = 1;
        snprintf(out->message, sizeof out->message, "line %lld: %s",
                 (long long)out->value, strerror(err));
        return false;
    }
    out->value++;
    return true;
}

/* ------------------------------------------------------------ the task */

static void interleave_task(const struct task_ctx *ctx, struct task_result *out)
{
    for (long long item = 0; item < items; item++) {
        int rc;
        GIL_BEGIN_ALLOW_THREADS(ctx->ts);   /* print() releases the GIL to write */
        rc = print_line(ctx->index, ctx->tasks, item);
        GIL_END_ALLOW_THREADS;
        if (!record_line(out, rc, now_s()))
            return;
        GIL_BEGIN_ALLOW_THREADS(ctx->ts);   /* so does time.sleep() */
        sleep_at_least_ms(sleep_ms);
        GIL_END_ALLOW_THREADS;
    }
}

/* ------------------------------------------------------------ async */

/*
 * asyncio.gather(print_numbers(), print_letters()) in one thread.  Each task
 * is a coroutine cut at its sleeps: a step prints one line and sets the
 * task's timer.  The loop sleeps until the earliest timer (ties: the task
 * started first, as asyncio runs callbacks in order) and runs that step.
 */
static int interleave_run_async(struct run_info *ri, struct task_result *results)
{
    int n = ri->tasks;
    double *due = Calloc((size_t)n, sizeof *due);
    long long *next_item = Calloc((size_t)n, sizeof *next_item);
    double start = now_s();
    for (int i = 0; i < n; i++)
        due[i] = start;   /* every coroutine starts at once */
    for (;;) {
        int soonest = -1;
        for (int i = 0; i < n; i++)
            if (due[i] >= 0 && (soonest < 0 || due[i] < due[soonest]))
                soonest = i;
        if (soonest < 0)
            break;
        double wait = due[soonest] - now_s();
        if (wait > 0) {
            struct timespec t = {.tv_sec = (time_t)wait,
                                 .tv_nsec = (long)((wait - (double)(time_t)wait) * 1e9)};
            while (nanosleep(&t, &t) != 0 && errno == EINTR)
                ;
        }
        struct task_result *out = &results[soonest];
        if (next_item[soonest] == items || out->failed) {
            due[soonest] = -1;   /* its last sleep is over: the coroutine returns */
            continue;
        }
        int rc = print_line(soonest, n, next_item[soonest]++);
        record_line(out, rc, now_s());
        due[soonest] = now_s() + (double)sleep_ms / 1000.0;
    }
    free(due);
    free(next_item);
    return 0;
}

/* ------------------------------------------------------------ check, report */

static void interleave_check(const struct run_info *ri, const struct task_result *res,
                             struct verdict *v)
{
    v->expected = (int64_t)ri->tasks * items;
    v->result = 0;
    v->ok = true;
    for (int i = 0; i < ri->tasks; i++) {
        v->result += res[i].value;
        if (res[i].value != items || res[i].failed)
            v->ok = false;
    }
}

static void interleave_report(const struct run_info *ri, const struct task_result *res,
                              struct report *r)
{
    /* All tasks were printing at the same time when the last one to start
     * started before the first one to finish finished. */
    double last_start = res[0].seconds[SECONDS_FIRST_LINE];
    double first_end = res[0].seconds[SECONDS_LAST_LINE];
    for (int i = 1; i < ri->tasks; i++) {
        if (res[i].seconds[SECONDS_FIRST_LINE] > last_start)
            last_start = res[i].seconds[SECONDS_FIRST_LINE];
        if (res[i].seconds[SECONDS_LAST_LINE] < first_end)
            first_end = res[i].seconds[SECONDS_LAST_LINE];
    }
    bool overlap = ri->tasks > 1 && first_end > last_start;
    report_bool(r, "interleaved", NULL, overlap);
    report_num(r, "overlap_s", "overlap", overlap ? first_end - last_start : 0.0, "s");
}

static void interleave_describe(const struct run_info *ri, struct report *r)
{
    report_note(r, "each task prints %lld line(s), sleeping %lld ms after each; "
                "lines went to %s", items, sleep_ms,
                line_fd < 0 ? "nowhere (--quiet)" : ri->json ? "stderr" : "stdout");
    report_int(r, "items", NULL, items);
    report_int(r, "sleep_ms", "sleep ms", sleep_ms);
    report_str(r, "lines_to", "lines to",
               line_fd < 0 ? "none" : line_fd == STDERR_FILENO ? "stderr" : "stdout");
}

static const struct case_def interleave_case = {
    .name = "interleave",
    .purpose = "two tasks print and sleep (numbers and letters): waiting overlaps in every mode",
    .try_example = "interleave --mode=threads",
    .modes = MODES_CPU | MODE_BIT(MODE_ASYNC),
    .default_tasks = 2,
    .opts = interleave_opts,
    .prepare = interleave_prepare,
    .task = interleave_task,
    .run_async = interleave_run_async,
    .check = interleave_check,
    .report = interleave_report,
    .describe = interleave_describe,
};

int main(int argc, char **argv)
{
    return harness_main(&interleave_case, argc, argv);
}
