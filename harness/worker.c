/* worker.c - see worker.h */
#include "worker.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "checked.h"
#include "clock.h"

/* ------------------------------------------------------------ gate */

void gate_init(struct gate *g)
{
    Pipe(g->ready);
    Pipe(g->go);
    g->in_child = false;
}

static void close_end(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void gate_child_side(struct gate *g)
{
    close_end(&g->go[1]);
    close_end(&g->ready[0]);
    g->in_child = true;
}

void gate_wait(struct gate *g)
{
    char byte = 'r';
    if (write_full(g->ready[1], &byte, 1) != 0)
        die_call("write to the start gate", errno, __FILE__, __LINE__);
    if (g->in_child)
        close_end(&g->ready[1]);
    while (read(g->go[0], &byte, 1) < 0 && errno == EINTR)
        ;
    if (g->in_child)
        close_end(&g->go[0]);
}

double gate_open(struct gate *g, int n, bool processes)
{
    if (processes) {
        close_end(&g->ready[1]);
        close_end(&g->go[0]);
    }
    char bytes[4096];
    int ready = 0;
    while (ready < n) {   /* as many ready bytes as have come, at a time */
        size_t want = (size_t)(n - ready) < sizeof bytes ? (size_t)(n - ready) : sizeof bytes;
        ssize_t got = read(g->ready[0], bytes, want);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;   /* EOF: a worker process died before the gate */
        ready += (int)got;
    }
    /* The clock is read before the first worker can run: a read after
     * opening would miss the start of the tasks. */
    double start = now_s();
    close_end(&g->go[1]);
    return ready == n ? start : -1.0;
}

void gate_close(struct gate *g)
{
    close_end(&g->ready[0]);
    close_end(&g->ready[1]);
    close_end(&g->go[0]);
    close_end(&g->go[1]);
}

/* ------------------------------------------------------------ worker */

void run_one_task(const struct run_info *ri, int index, struct gil_thread *ts,
                  struct task_result *out)
{
    struct task_ctx ctx = {.index = index, .tasks = ri->tasks, .ts = ts};
    memset(out, 0, sizeof *out);
    out->task_index = index;
    double start = now_s();
    ri->kase->task(&ctx, out);
    out->task_s = now_s() - start;
    out->task_index = index;
}

int worker_given_task(struct worker *w)
{
    if (w->given_taken)
        return -1;
    w->given_taken = true;
    return w->id;
}

int worker_body(struct worker *w)
{
    gil_thread_init(&w->ts, w->gil, w->id);
    gate_wait(w->gate);
    if (w->gil)
        gil_take(&w->ts);     /* as a new Python thread does in its bootstrap */
    int rc = 0;
    for (int index; rc == 0 && (index = w->next_task(w)) >= 0;) {
        struct task_result out;
        run_one_task(w->ri, index, &w->ts, &out);
        rc = w->deliver(w, &out);
    }
    if (w->gil)
        gil_drop(&w->ts, true);
    return rc;
}
