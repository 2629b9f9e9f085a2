/*
 * modes.c - the table of modes, the two modes without workers (seq and
 * async), and harness_run_tasks(), which runs a case's tasks in the mode
 * the options chose.  Every mode calls the same kase->task(); only
 * spawning and collecting differ (worker.h).
 */
#include "modes.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "clock.h"
#include "worker.h"

const struct mode_info mode_table[MODE_COUNT] = {
    /*                  name          per task  shares  workers are     loop */
    [MODE_SEQ]        = {"seq",        false,    true,   WORKER_NONE,    false},
    [MODE_THREADS]    = {"threads",    true,     true,   WORKER_THREAD,  false},
    [MODE_GIL]        = {"gil",        true,     true,   WORKER_THREAD,  false},
    /* one address space, but every task keeps to its own objects */
    [MODE_INTERP]     = {"interp",     true,     false,  WORKER_THREAD,  false},
    [MODE_FORK]       = {"fork",       true,     false,  WORKER_PROCESS, false},
    [MODE_POOL]       = {"pool",       false,    false,  WORKER_PROCESS, false},
    [MODE_THREADPOOL] = {"threadpool", false,    true,   WORKER_THREAD,  false},
    /* one event loop serves every task at once: it counts as a worker each */
    [MODE_ASYNC]      = {"async",      true,     true,   WORKER_NONE,    true},
};

const char *mode_name(enum mode m)
{
    return m < MODE_COUNT ? mode_table[m].name : "?";
}

/* ------------------------------------------------------------ seq, async */

static int run_seq(struct run_info *ri, struct task_result *results)
{
    struct gil_thread ts;
    gil_thread_init(&ts, NULL, 0);
    double start = now_s();
    for (int i = 0; i < ri->tasks; i++)
        run_one_task(ri, i, &ts, &results[i]);
    ri->measured_s = now_s() - start;
    return 0;
}

static int run_async(struct run_info *ri, struct task_result *results)
{
    for (int i = 0; i < ri->tasks; i++)
        results[i].task_index = i;
    double start = now_s();
    int rc = ri->kase->run_async(ri, results);
    ri->measured_s = now_s() - start;
    return rc;
}

/* ------------------------------------------------------------ dispatch */

static double cpu_seconds(int who, bool user)
{
    struct rusage ru;
    getrusage(who, &ru);
    struct timeval t = user ? ru.ru_utime : ru.ru_stime;
    return (double)t.tv_sec + (double)t.tv_usec * 1e-6;
}

int harness_run_tasks(struct run_info *ri, struct task_result *results)
{
    double user0 = cpu_seconds(RUSAGE_SELF, true) + cpu_seconds(RUSAGE_CHILDREN, true);
    double sys0 = cpu_seconds(RUSAGE_SELF, false) + cpu_seconds(RUSAGE_CHILDREN, false);
    memset(results, 0, (size_t)ri->tasks * sizeof *results);
    memset(&ri->gil_stats, 0, sizeof ri->gil_stats);
    ri->failure[0] = '\0';
    ri->failed_tasks = 0;

    double start = now_s();
    int rc;
    switch (ri->mode) {
    case MODE_SEQ: rc = run_seq(ri, results); break;
    case MODE_THREADS:
    case MODE_GIL: rc = run_threads(ri, results); break;
    case MODE_INTERP: rc = run_interpreters(ri, results); break;
    case MODE_THREADPOOL: rc = run_threadpool(ri, results); break;
    case MODE_FORK: rc = run_fork(ri, results); break;
    case MODE_POOL: rc = run_pool(ri, results); break;
    case MODE_ASYNC: rc = run_async(ri, results); break;
    default: rc = 1; snprintf(ri->failure, sizeof ri->failure, "unknown mode");
    }
    ri->wall_s = now_s() - start;
    ri->user_s = cpu_seconds(RUSAGE_SELF, true) + cpu_seconds(RUSAGE_CHILDREN, true) - user0;
    ri->sys_s = cpu_seconds(RUSAGE_SELF, false) + cpu_seconds(RUSAGE_CHILDREN, false) - sys0;

    for (int i = 0; i < ri->tasks; i++) {
        if (!results[i].failed)
            continue;
        ri->failed_tasks++;
        if (ri->failure[0] == '\0')
            snprintf(ri->failure, sizeof ri->failure, "task %d failed: %s", i,
                     results[i].message[0] ? results[i].message : "no reason given");
    }
    return rc != 0 || ri->failed_tasks > 0 ? 1 : 0;
}
