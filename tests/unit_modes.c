/*
 * unit_modes.c - every mode runs every task exactly once and hands back its
 * result; process modes leave no child behind; a child killed by a signal
 * fails the run with a message instead of hanging it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checked.h"
#include "harness.h"
#include "unit.h"

static int kill_task = -1;    /* this task index kills its own process */

/* Each task returns a value only it can produce, and counts a little so the
 * poll points run too. */
static void test_task(const struct task_ctx *ctx, struct task_result *out)
{
    if (ctx->index == kill_task)
        raise(SIGKILL);
    long long total = 0;
    for (int i = 0; i < 10000; i++) {
        total += 1;
        if (i % GIL_POLL_ITERATIONS == 0)
            gil_poll(ctx->ts);
    }
    out->value = 1000LL * (ctx->index + 1) + total / 10000;
    out->counters[0] = getpid();
}

static const struct case_def test_case = {
    .name = "unit",
    .modes = MODES_CPU,
    .task = test_task,
};

static struct run_info make_run(enum mode m, int tasks, int workers)
{
    struct run_info ri = {.kase = &test_case, .mode = m, .tasks = tasks,
                          .workers = workers,
                          .shares_memory = m != MODE_FORK && m != MODE_POOL &&
                                           m != MODE_INTERP};
    ri.gil = (struct gil_config){.policy = GIL_NEW, .interval_us = 1000,
                                 .check_interval = 100};
    return ri;
}

static bool no_children_left(void)
{
    return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static void test_exact(enum mode m, int tasks, int workers)
{
    char name[128];
    struct run_info ri = make_run(m, tasks, workers);
    struct task_result res[16];
    int rc = harness_run_tasks(&ri, res);
    bool exact = rc == 0;
    for (int i = 0; i < tasks; i++)
        exact = exact && res[i].value == 1000 * (i + 1) + 1 &&
                res[i].task_index == i && !res[i].failed;
    snprintf(name, sizeof name, "%s %d tasks / %d workers: every result exact",
             mode_name(m), tasks, workers);
    CHECK(exact, name);
    if (m == MODE_FORK || m == MODE_POOL) {
        snprintf(name, sizeof name, "%s %d/%d: no child left (no zombie)",
                 mode_name(m), tasks, workers);
        CHECK(no_children_left(), name);
    }
    if (m == MODE_POOL) {
        /* A pool reuses its workers: no more distinct pids than workers. */
        int distinct = 0;
        for (int i = 0; i < tasks; i++) {
            bool seen = false;
            for (int j = 0; j < i; j++)
                seen = seen || res[j].counters[0] == res[i].counters[0];
            distinct += !seen;
        }
        snprintf(name, sizeof name, "pool %d/%d: tasks ran in at most %d processes",
                 tasks, workers, workers);
        CHECK(distinct <= workers && res[0].counters[0] != getpid(), name);
    }
    CHECK(ri.measured_s > 0 && ri.measured_s <= ri.wall_s + 1e-9,
          "measured time is positive and within the wall time");
    bool timed = true;
    for (int i = 0; i < tasks; i++)
        timed = timed && res[i].task_s > 0 && res[i].task_s <= ri.wall_s + 1e-9;
    snprintf(name, sizeof name, "%s %d/%d: the harness timed every task (task_s)",
             mode_name(m), tasks, workers);
    CHECK(timed, name);
}

/* interp: a GIL per task, so every task takes its own once and no take
 * waits; gil: one GIL shared by the same tasks. */
static void test_interp_gils(void)
{
    struct run_info ri = make_run(MODE_INTERP, 4, 4);
    struct task_result res[16];
    int rc = harness_run_tasks(&ri, res);
    const struct gil_stats *s = &ri.gil_stats;
    CHECK(rc == 0 && s->acquisitions == 4 && s->uncontended_takes == 4,
          "interp: each of 4 tasks took its own GIL once, and found it free");
    CHECK(s->wait_s == 0 && s->drop_requests == 0 && s->forced_drops == 0,
          "interp: no take waited, no drop was requested");
    CHECK(res[0].counters[0] == getpid(), "interp: the tasks ran in this process");
}

static void test_killed(enum mode m, int tasks, int workers)
{
    char name[128];
    struct run_info ri = make_run(m, tasks, workers);
    struct task_result res[16];
    kill_task = 1;
    int rc = harness_run_tasks(&ri, res);
    kill_task = -1;
    snprintf(name, sizeof name, "%s: a task killed by SIGKILL fails the run", mode_name(m));
    CHECK(rc == 1 && ri.failed_tasks >= 1, name);
    snprintf(name, sizeof name, "%s: the failure names the signal", mode_name(m));
    CHECK(strstr(ri.failure, "killed by signal 9") != NULL, name);
    if (strstr(ri.failure, "killed by signal 9") == NULL)
        printf("# failure was: '%s'\n", ri.failure);
    snprintf(name, sizeof name, "%s: the other tasks still report", mode_name(m));
    CHECK(res[0].value == 1001 && !res[0].failed, name);
    snprintf(name, sizeof name, "%s: killed run leaves no child", mode_name(m));
    CHECK(no_children_left(), name);
}

int main(void)
{
    static const int sizes[][2] = {{1, 1}, {3, 2}, {7, 3}, {10, 4}};
    static const enum mode pooled[] = {MODE_POOL, MODE_THREADPOOL};
    static const enum mode per_task[] = {MODE_SEQ, MODE_THREADS, MODE_GIL, MODE_INTERP,
                                         MODE_FORK};

    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (size_t m = 0; m < 2; m++)
            test_exact(pooled[m], sizes[s][0], sizes[s][1]);
        for (size_t m = 0; m < sizeof per_task / sizeof per_task[0]; m++)
            test_exact(per_task[m], sizes[s][0],
                       per_task[m] == MODE_SEQ ? 1 : sizes[s][0]);
    }
    test_interp_gils();
    test_killed(MODE_FORK, 3, 3);
    test_killed(MODE_POOL, 5, 2);
    UNIT_EXIT();
}
