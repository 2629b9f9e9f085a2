/*
 * modes.c - running a case's tasks: seq, threads, gil, threadpool, async.
 * The process modes (fork, pool) are in modes_proc.c.
 *
 * Every mode calls the same kase->task(); only spawning and collecting
 * differ.  Threads wait at a start gate until all of them exist, so thread
 * creation stays out of the measured region (perf's sched-messaging does the
 * same with its ready/go pipes).
 */
#include "modes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "checked.h"

double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static const char *const mode_names[MODE_COUNT] = {
    [MODE_SEQ] = "seq",     [MODE_THREADS] = "threads",
    [MODE_GIL] = "gil",     [MODE_FORK] = "fork",
    [MODE_POOL] = "pool",   [MODE_THREADPOOL] = "threadpool",
    [MODE_ASYNC] = "async",
};

const char *mode_name(enum mode m)
{
    return m < MODE_COUNT ? mode_names[m] : "?";
}

void run_one_task(const struct run_info *ri, int index, struct gil_thread *ts,
                  struct task_result *out)
{
    struct task_ctx ctx = {.index = index, .tasks = ri->tasks, .ts = ts};
    memset(out, 0, sizeof *out);
    out->task_index = index;
    ri->kase->task(&ctx, out);
    out->task_index = index;
}

/* ------------------------------------------------------------ start gate */

struct gate {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int arrived;   /* threads waiting at the gate; protected by mutex */
    bool open;     /* protected by mutex */
};

static void gate_init(struct gate *g)
{
    Pthread_mutex_init(&g->mutex, NULL);
    Pthread_cond_init(&g->cond, NULL);
    g->arrived = 0;
    g->open = false;
}

static void gate_destroy(struct gate *g)
{
    Pthread_mutex_destroy(&g->mutex);
    Pthread_cond_destroy(&g->cond);
}

static void gate_arrive_and_wait(struct gate *g)
{
    Pthread_mutex_lock(&g->mutex);
    g->arrived++;
    Pthread_cond_broadcast(&g->cond);
    while (!g->open)
        Pthread_cond_wait(&g->cond, &g->mutex);
    Pthread_mutex_unlock(&g->mutex);
}

/* Wait until n threads have arrived, then let them all go.  Returns the
 * start time, read before the first thread can run: a clock read after the
 * broadcast would miss the start of the tasks (as parent_open_gate reads
 * its clock before it closes the go pipe). */
static double gate_open_when(struct gate *g, int n)
{
    Pthread_mutex_lock(&g->mutex);
    while (g->arrived < n)
        Pthread_cond_wait(&g->cond, &g->mutex);
    double start = now_s();
    g->open = true;
    Pthread_cond_broadcast(&g->cond);
    Pthread_mutex_unlock(&g->mutex);
    return start;
}

/* ------------------------------------------------------------ seq */

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

/* ------------------------------------------------------------ threads, gil */

struct thread_arg {
    const struct run_info *ri;
    int index;
    struct gate *gate;
    struct gil *gil;              /* NULL in threads mode */
    struct gil_thread ts;
    struct task_result *out;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    gil_thread_init(&a->ts, a->gil, a->index);
    gate_arrive_and_wait(a->gate);
    if (a->gil)
        gil_take(&a->ts);     /* as a new Python thread does in its bootstrap */
    run_one_task(a->ri, a->index, &a->ts, a->out);
    if (a->gil)
        gil_drop(&a->ts, true);
    return NULL;
}

static int run_threads(struct run_info *ri, struct task_result *results)
{
    int n = ri->tasks;
    struct gate gate;
    struct gil gil;
    bool with_gil = ri->mode == MODE_GIL;
    pthread_t *tids = Calloc((size_t)n, sizeof *tids);
    struct thread_arg *args = Calloc((size_t)n, sizeof *args);

    gate_init(&gate);
    if (with_gil)
        gil_init(&gil, &ri->gil);
    for (int i = 0; i < n; i++) {
        args[i] = (struct thread_arg){.ri = ri, .index = i, .gate = &gate,
                                      .gil = with_gil ? &gil : NULL,
                                      .out = &results[i]};
        Pthread_create(&tids[i], NULL, thread_main, &args[i]);
    }
    double start = gate_open_when(&gate, n);
    for (int i = 0; i < n; i++)
        Pthread_join(tids[i], NULL);
    ri->measured_s = now_s() - start;

    if (with_gil) {
        ri->gil_stats = gil.stats;
        errno = 0;
        if (ri->gil.trace_path && gil_write_trace(&gil, ri->gil.trace_path) != 0)
            snprintf(ri->failure, sizeof ri->failure, "cannot write the trace to '%s': %s",
                     ri->gil.trace_path, errno ? strerror(errno) : "write error");
        gil_destroy(&gil);
    }
    gate_destroy(&gate);
    free(args);
    free(tids);
    return ri->failure[0] ? 1 : 0;
}

/* ------------------------------------------------------------ threadpool */

/* ThreadPoolExecutor's shape: tasks are submitted to a queue after the
 * workers exist; each worker takes the next one until the queue is shut. */
struct work_queue {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int submitted;     /* tasks put in the queue; protected by mutex */
    int taken;         /* tasks taken out; protected by mutex */
    bool shut;         /* no more tasks will come; protected by mutex */
};

struct pool_arg {
    const struct run_info *ri;
    struct work_queue *queue;
    struct gate *gate;
    struct task_result *results;
    int worker;
};

static void *pool_worker_main(void *p)
{
    struct pool_arg *a = p;
    struct gil_thread ts;
    gil_thread_init(&ts, NULL, a->worker);
    gate_arrive_and_wait(a->gate);
    for (;;) {
        Pthread_mutex_lock(&a->queue->mutex);
        while (a->queue->taken == a->queue->submitted && !a->queue->shut)
            Pthread_cond_wait(&a->queue->cond, &a->queue->mutex);
        if (a->queue->taken == a->queue->submitted) {
            Pthread_mutex_unlock(&a->queue->mutex);
            return NULL;
        }
        int index = a->queue->taken++;
        Pthread_mutex_unlock(&a->queue->mutex);
        run_one_task(a->ri, index, &ts, &a->results[index]);
    }
}

static int run_threadpool(struct run_info *ri, struct task_result *results)
{
    int w = ri->workers;
    struct gate gate;
    struct work_queue queue = {.submitted = 0, .taken = 0, .shut = false};
    pthread_t *tids = Calloc((size_t)w, sizeof *tids);
    struct pool_arg *args = Calloc((size_t)w, sizeof *args);

    gate_init(&gate);
    Pthread_mutex_init(&queue.mutex, NULL);
    Pthread_cond_init(&queue.cond, NULL);
    for (int i = 0; i < w; i++) {
        args[i] = (struct pool_arg){.ri = ri, .queue = &queue, .gate = &gate,
                                    .results = results, .worker = i};
        Pthread_create(&tids[i], NULL, pool_worker_main, &args[i]);
    }
    double start = gate_open_when(&gate, w);
    for (int i = 0; i < ri->tasks; i++) {
        Pthread_mutex_lock(&queue.mutex);
        queue.submitted++;
        Pthread_cond_signal(&queue.cond);
        Pthread_mutex_unlock(&queue.mutex);
    }
    Pthread_mutex_lock(&queue.mutex);
    queue.shut = true;
    Pthread_cond_broadcast(&queue.cond);
    Pthread_mutex_unlock(&queue.mutex);
    for (int i = 0; i < w; i++)
        Pthread_join(tids[i], NULL);
    ri->measured_s = now_s() - start;

    Pthread_mutex_destroy(&queue.mutex);
    Pthread_cond_destroy(&queue.cond);
    gate_destroy(&gate);
    free(args);
    free(tids);
    return 0;
}

/* ------------------------------------------------------------ async */

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
