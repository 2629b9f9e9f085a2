/*
 * modes_thread.c - the thread modes: threads and gil (one pthread per
 * task), interp (one pthread per task, each with a GIL of its own) and
 * threadpool (--workers pthreads taking tasks from a queue, the shape of
 * ThreadPoolExecutor).  The workers run worker_body(); here are only
 * spawning, joining and where the results go.
 */
#include "modes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checked.h"
#include "clock.h"
#include "worker.h"

/* Threads share memory: a result goes straight into its slot. */
static int deliver_in_place(struct worker *w, const struct task_result *r)
{
    struct task_result *results = w->sink;
    results[r->task_index] = *r;
    return 0;
}

static void *thread_main(void *p)
{
    worker_body(p);   /* deliver_in_place never fails */
    return NULL;
}

/* Start n worker threads, open the gate, join them; returns the measured
 * seconds.  between() runs after the gate opened (the threadpool feeder). */
static double spawn_and_join(struct worker *w, int n, void (*between)(void *), void *arg)
{
    pthread_t *tids = Calloc((size_t)n, sizeof *tids);
    for (int i = 0; i < n; i++)
        Pthread_create(&tids[i], NULL, thread_main, &w[i]);
    double start = gate_open(w[0].gate, n, false);
    if (between)
        between(arg);
    for (int i = 0; i < n; i++)
        Pthread_join(tids[i], NULL);
    double measured = now_s() - start;
    free(tids);
    return measured;
}

/* --trace: every GIL's hold intervals in one file; a failure goes to
 * ri->failure. */
static void write_trace(struct run_info *ri, const struct gil *gils, size_t n)
{
    errno = 0;
    if (ri->gil.trace_path && gil_write_traces(gils, n, ri->gil.trace_path) != 0)
        snprintf(ri->failure, sizeof ri->failure, "cannot write the trace to '%s': %s",
                 ri->gil.trace_path, errno ? strerror(errno) : "write error");
}

int run_threads(struct run_info *ri, struct task_result *results)
{
    int n = ri->tasks;
    struct gate gate;
    struct gil gil;
    bool with_gil = ri->mode == MODE_GIL;
    struct worker *w = Calloc((size_t)n, sizeof *w);

    gate_init(&gate);
    if (with_gil)
        gil_init(&gil, &ri->gil);
    for (int i = 0; i < n; i++)
        w[i] = (struct worker){.ri = ri, .id = i, .gate = &gate,
                               .gil = with_gil ? &gil : NULL,
                               .next_task = worker_given_task,
                               .deliver = deliver_in_place, .sink = results};
    ri->measured_s = spawn_and_join(w, n, NULL, NULL);

    if (with_gil) {
        ri->gil_stats = gil.stats;
        write_trace(ri, &gil, 1);
        gil_destroy(&gil);
    }
    gate_close(&gate);
    free(w);
    return ri->failure[0] ? 1 : 0;
}

/* ------------------------------------------------------------ interp */

/*
 * PEP 684's per-interpreter GIL (PEP 734: concurrent.interpreters): each
 * task runs in a thread of its own under a GIL of its own, so no take ever
 * waits for another task.  The tasks share no object: what a task hands
 * back is copied into its interpreter's outbox by the task's thread, and
 * copied again into the results by the main thread once that thread has
 * been joined, as an interpreter's result crosses to another interpreter
 * only as a copy (a queue's shareable data, a pickle).
 */
struct interp {
    struct task_result outbox;   /* written by the task's thread only, read
                                    by the main thread after the join */
    bool delivered;              /* as outbox */
};

static int deliver_by_copy(struct worker *w, const struct task_result *r)
{
    struct interp *in = w->sink;
    memcpy(&in->outbox, r, sizeof in->outbox);
    in->delivered = true;
    return 0;
}

/* The run's GIL figures: the sum over the tasks' GILs, the longest wait. */
static void add_gil_stats(struct gil_stats *sum, const struct gil_stats *s)
{
    sum->acquisitions += s->acquisitions;
    sum->switches += s->switches;
    sum->drop_requests += s->drop_requests;
    sum->forced_drops += s->forced_drops;
    sum->uncontended_takes += s->uncontended_takes;
    sum->timed_out_waits += s->timed_out_waits;
    sum->wait_s += s->wait_s;
    if (s->max_wait_s > sum->max_wait_s)
        sum->max_wait_s = s->max_wait_s;
    sum->trace_dropped += s->trace_dropped;
}

int run_interpreters(struct run_info *ri, struct task_result *results)
{
    int n = ri->tasks;
    struct gate gate;
    struct interp *in = Calloc((size_t)n, sizeof *in);
    struct gil *gils = Calloc((size_t)n, sizeof *gils);   /* task i's: gils[i] */
    struct worker *w = Calloc((size_t)n, sizeof *w);

    gate_init(&gate);
    for (int i = 0; i < n; i++) {
        gil_init(&gils[i], &ri->gil);
        w[i] = (struct worker){.ri = ri, .id = i, .gate = &gate, .gil = &gils[i],
                               .next_task = worker_given_task,
                               .deliver = deliver_by_copy, .sink = &in[i]};
    }
    ri->measured_s = spawn_and_join(w, n, NULL, NULL);

    memset(&ri->gil_stats, 0, sizeof ri->gil_stats);
    for (int i = 0; i < n; i++) {
        if (in[i].delivered) {
            memcpy(&results[i], &in[i].outbox, sizeof results[i]);
        } else {   /* cannot happen: deliver_by_copy never fails */
            results[i].failed = 1;
            results[i].task_index = i;
            snprintf(results[i].message, sizeof results[i].message,
                     "interpreter %d handed back no result", i);
        }
        add_gil_stats(&ri->gil_stats, &gils[i].stats);
    }
    write_trace(ri, gils, (size_t)n);
    for (int i = 0; i < n; i++)
        gil_destroy(&gils[i]);
    gate_close(&gate);
    free(w);
    free(gils);
    free(in);
    return ri->failure[0] ? 1 : 0;
}

/* ------------------------------------------------------------ threadpool */

/* ThreadPoolExecutor's shape: tasks are submitted to a queue after the
 * workers exist; each worker takes the next one until the queue is shut. */
struct work_queue {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int tasks;         /* how many the feeder will submit */
    int submitted;     /* tasks put in the queue; protected by mutex */
    int taken;         /* tasks taken out; protected by mutex */
    bool shut;         /* no more tasks will come; protected by mutex */
};

static int queue_next(struct worker *w)
{
    struct work_queue *q = w->feed;
    Pthread_mutex_lock(&q->mutex);
    while (q->taken == q->submitted && !q->shut)
        Pthread_cond_wait(&q->cond, &q->mutex);
    int index = q->taken == q->submitted ? -1 : q->taken++;
    Pthread_mutex_unlock(&q->mutex);
    return index;
}

/* The feeder: submit every task, one at a time, then shut the queue. */
static void queue_feed(void *p)
{
    struct work_queue *q = p;
    for (int i = 0; i < q->tasks; i++) {
        Pthread_mutex_lock(&q->mutex);
        q->submitted++;
        Pthread_cond_signal(&q->cond);
        Pthread_mutex_unlock(&q->mutex);
    }
    Pthread_mutex_lock(&q->mutex);
    q->shut = true;
    Pthread_cond_broadcast(&q->cond);
    Pthread_mutex_unlock(&q->mutex);
}

int run_threadpool(struct run_info *ri, struct task_result *results)
{
    int n = ri->workers;
    struct gate gate;
    struct work_queue queue = {.tasks = ri->tasks, .submitted = 0, .taken = 0, .shut = false};
    struct worker *w = Calloc((size_t)n, sizeof *w);

    gate_init(&gate);
    Pthread_mutex_init(&queue.mutex, NULL);
    Pthread_cond_init(&queue.cond, NULL);
    for (int i = 0; i < n; i++)
        w[i] = (struct worker){.ri = ri, .id = i, .gate = &gate, .next_task = queue_next,
                               .feed = &queue, .deliver = deliver_in_place, .sink = results};
    ri->measured_s = spawn_and_join(w, n, queue_feed, &queue);

    Pthread_mutex_destroy(&queue.mutex);
    Pthread_cond_destroy(&queue.cond);
    gate_close(&gate);
    free(w);
    return 0;
}
