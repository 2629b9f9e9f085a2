/*
 * modes_proc.c - the process modes.  The workers run worker_body(); here
 * are only forking, reaping and the result pipe they write into.
 *
 *   fork   one child per task (multiprocessing.Process): each child waits at
 *          the start gate, runs its task and writes its struct task_result
 *          to a shared result pipe.
 *   pool   --workers pre-forked children (ProcessPoolExecutor): task indices
 *          go down a task pipe, results come back up a result pipe.  Each
 *          message is smaller than PIPE_BUF, so writes from many children
 *          never interleave.
 *
 * A child killed by a signal, or one that exits without its result, fails
 * its task (exit 1 for the run), never the whole suite with a hang.
 */
#include "modes.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checked.h"
#include "clock.h"
#include "proc.h"
#include "worker.h"

/* Processes share nothing: a result goes up the result pipe. */
static int deliver_by_pipe(struct worker *w, const struct task_result *r)
{
    return write_full(*(const int *)w->sink, r, sizeof *r);
}

/* The pool's feeder, in the child: the next index from the task pipe. */
static int read_task_pipe(struct worker *w)
{
    int32_t index;
    if (read_full(*(const int *)w->feed, &index, sizeof index) != (ssize_t)sizeof index)
        return -1;
    if (index < 0 || index >= w->ri->tasks)
        _exit(1);
    return index;
}

/* Fork n workers; each closes the ends in close_in_child[] (-1: none) and
 * runs worker_body(), then exits with its status. */
static pid_t *spawn_workers(struct worker *w, int n, const int *close_in_child, int nclose)
{
    pid_t *pids = Calloc((size_t)n, sizeof *pids);
    for (int i = 0; i < n; i++) {
        pids[i] = harness_fork();
        if (pids[i] < 0)
            die_call("fork", errno, __FILE__, __LINE__);
        if (pids[i] == 0) {
            for (int k = 0; k < nclose; k++)
                close(close_in_child[k]);
            gate_child_side(w[i].gate);
            _exit(worker_body(&w[i]) == 0 ? 0 : 1);
        }
    }
    return pids;
}

/* Results that never arrived (their child died) fail their task. */
static void mark_missing(const bool *received, struct task_result *results,
                         int n, const char *why)
{
    for (int i = 0; i < n; i++)
        if (!received[i]) {
            results[i].failed = 1;
            results[i].task_index = i;
            snprintf(results[i].message, sizeof results[i].message, "%s",
                     why[0] ? why : "its process ended without a result");
        }
}

static void store_result(const struct task_result *r, int n,
                         struct task_result *results, bool *received)
{
    if (r->task_index >= 0 && r->task_index < n && !received[r->task_index]) {
        results[r->task_index] = *r;
        received[r->task_index] = true;
    }
}

/* After the results: the measured time, the parent's ends closed, the
 * workers reaped, the tasks without a result failed, everything freed. */
static int finish_run(struct run_info *ri, double start, int result_fd, struct gate *gate,
                      struct worker *w, pid_t *pids, int workers, const char *what,
                      bool *received, struct task_result *results)
{
    ri->measured_s = now_s() - (start > 0 ? start : now_s());
    close(result_fd);
    gate_close(gate);
    free(w);
    char why[200] = "";
    proc_reap(pids, workers, what, why, sizeof why);
    mark_missing(received, results, ri->tasks, why);
    free(received);
    free(pids);
    return 0;
}

/* ------------------------------------------------------------ fork */

int run_fork(struct run_info *ri, struct task_result *results)
{
    int n = ri->tasks;
    bool *received = Calloc((size_t)n, sizeof *received);
    struct worker *w = Calloc((size_t)n, sizeof *w);
    struct gate gate;
    int res[2];
    gate_init(&gate);
    Pipe(res);
    for (int i = 0; i < n; i++)
        w[i] = (struct worker){.ri = ri, .id = i, .gate = &gate,
                               .next_task = worker_given_task,
                               .deliver = deliver_by_pipe, .sink = &res[1]};
    pid_t *pids = spawn_workers(w, n, &res[0], 1);
    close(res[1]);
    double start = gate_open(&gate, n, true);
    struct task_result r;
    int got = 0;
    while (got < n && read_full(res[0], &r, sizeof r) == (ssize_t)sizeof r) {
        store_result(&r, n, results, received);
        got++;
    }
    return finish_run(ri, start, res[0], &gate, w, pids, n, "the process of task", received,
                      results);
}

/* ------------------------------------------------------------ pool */

/* ProcessPoolExecutor's feeder: task indices down the task pipe while the
 * results come up.  Both at once: with many tasks both pipes can fill up,
 * and a parent that only wrote would deadlock.  Returns how many results
 * arrived. */
static int feed_and_collect(int task_fd, int result_fd, int n,
                            struct task_result *results, bool *received)
{
    int sent = 0, got = 0;
    while (got < n) {
        struct pollfd fds[2] = {{.fd = result_fd, .events = POLLIN},
                                {.fd = task_fd, .events = POLLOUT}};
        int nfds = task_fd >= 0 ? 2 : 1;
        if (poll(fds, (nfds_t)nfds, -1) < 0) {
            if (errno == EINTR)
                continue;
            die_call("poll", errno, __FILE__, __LINE__);
        }
        if (nfds == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            int32_t index = sent;
            /* One 4-byte write to a pipe with room is never partial. */
            if ((fds[1].revents & POLLOUT) && write_full(task_fd, &index, sizeof index) == 0)
                sent++;
            else
                sent = n;   /* every worker is gone (EPIPE): stop feeding */
            if (sent == n) {
                close(task_fd);   /* EOF: idle workers exit */
                task_fd = -1;
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            struct task_result r;
            if (read_full(result_fd, &r, sizeof r) != (ssize_t)sizeof r)
                break;   /* every worker has exited */
            store_result(&r, n, results, received);
            got++;
        }
    }
    if (task_fd >= 0)
        close(task_fd);
    return got;
}

int run_pool(struct run_info *ri, struct task_result *results)
{
    int n = ri->tasks, workers = ri->workers;
    bool *received = Calloc((size_t)n, sizeof *received);
    struct worker *w = Calloc((size_t)workers, sizeof *w);
    struct gate gate;
    int tasks[2], res[2];
    gate_init(&gate);
    Pipe(tasks);
    Pipe(res);
    signal(SIGPIPE, SIG_IGN);   /* a dead pool's task pipe must say EPIPE */
    for (int i = 0; i < workers; i++)
        w[i] = (struct worker){.ri = ri, .id = i, .gate = &gate,
                               .next_task = read_task_pipe, .feed = &tasks[0],
                               .deliver = deliver_by_pipe, .sink = &res[1]};
    int parent_ends[2] = {tasks[1], res[0]};
    pid_t *pids = spawn_workers(w, workers, parent_ends, 2);
    close(tasks[0]);
    close(res[1]);
    double start = gate_open(&gate, workers, true);
    feed_and_collect(tasks[1], res[0], n, results, received);
    return finish_run(ri, start, res[0], &gate, w, pids, workers, "pool worker", received,
                      results);
}
