/*
 * modes_proc.c - the process modes and the care of child processes.
 *
 *   fork   one child per task (multiprocessing.Process): each child waits at
 *          the start gate, runs its task and writes its struct task_result
 *          to a shared result pipe.
 *   pool   --workers pre-forked children (ProcessPoolExecutor): task indices
 *          go down a task pipe, results come back up a result pipe.  Each
 *          message is smaller than PIPE_BUF, so writes from many children
 *          never interleave.
 *
 * The start gate: every child writes one byte to a ready pipe, then blocks
 * reading a go pipe; the parent waits for all the ready bytes, starts the
 * clock and closes the go pipe, which wakes every child at once (EOF).
 *
 * No zombies, no orphans: every child is reaped before the run returns; a
 * child dies with its parent (PR_SET_PDEATHSIG); on SIGINT/SIGTERM/SIGHUP the
 * parent kills and reaps every tracked child and then dies of that signal.
 * A child killed by a signal, or one that exits without its result, fails
 * its task (exit 1 for the run), never the whole suite with a hang.
 *
 * A reader that went away: a child keeps SIGPIPE's default action, so one
 * that writes to a stdout nobody reads any more (`| head -1`) dies of
 * SIGPIPE.  That is not a failed run: after reaping, the parent stops the
 * same quiet way (report_reader_gone(): SIGPIPE, 141 in a shell).  Nothing
 * else sends our children SIGPIPE: the parent reads its pipes to the end.
 */
#include "modes.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checked.h"

/* ------------------------------------------------------------ child table */

#define TRACKED_MAX (FORK_MAX_TASKS + 64)
static volatile sig_atomic_t tracked[TRACKED_MAX]; /* pids; 0 = free slot */

int harness_track_child(pid_t pid)
{
    for (int i = 0; i < TRACKED_MAX; i++)
        if (tracked[i] == 0) {
            tracked[i] = pid;
            return 0;
        }
    return -1;
}

void harness_untrack_child(pid_t pid)
{
    for (int i = 0; i < TRACKED_MAX; i++)
        if (tracked[i] == pid)
            tracked[i] = 0;
}

/* Async-signal-safe: kill() and waitpid() only. */
void harness_kill_children(void)
{
    for (int i = 0; i < TRACKED_MAX; i++)
        if (tracked[i] > 0)
            kill((pid_t)tracked[i], SIGKILL);
    for (int i = 0; i < TRACKED_MAX; i++)
        if (tracked[i] > 0) {
            waitpid((pid_t)tracked[i], NULL, 0);
            tracked[i] = 0;
        }
}

/* Kill and reap every tracked child, then die of the same signal: it is
 * blocked while this handler runs, so raise() delivers it on return. */
static void on_fatal_signal(int sig)
{
    harness_kill_children();
    signal(sig, SIG_DFL);
    raise(sig);
}

void proc_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* A dead child's pipe must give EPIPE, not kill the parent. */
    signal(SIGPIPE, SIG_IGN);
}

void harness_child_setup(pid_t parent)
{
    /* The table holds the parent's children: not ours to kill. */
    for (int i = 0; i < TRACKED_MAX; i++)
        tracked[i] = 0;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)   /* the parent died before prctl took effect */
        _exit(1);
}

/* ------------------------------------------------------------ pipe helpers */

static void Pipe(int fds[2])
{
    if (pipe(fds) != 0)
        die_call("pipe", errno, __FILE__, __LINE__);
}

/* Read exactly len bytes; returns len, 0 at EOF, or -1 on error. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return done == 0 ? 0 : -1;
        done += (size_t)n;
    }
    return (ssize_t)len;
}

static int write_full(int fd, const void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, (const char *)buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

struct gate_pipes {
    int ready[2];  /* child -> parent: one byte when the child is ready */
    int go[2];     /* parent -> child: closed by the parent to start */
};

static void child_wait_at_gate(struct gate_pipes *g)
{
    char byte = 'r';
    close(g->go[1]);
    close(g->ready[0]);
    if (write_full(g->ready[1], &byte, 1) != 0)
        _exit(1);
    close(g->ready[1]);
    while (read(g->go[0], &byte, 1) < 0 && errno == EINTR)
        ;
    close(g->go[0]);
}

/* Wait for n ready bytes, then open the gate.  Returns the start time, or
 * a negative value when children died before reaching the gate. */
static double parent_open_gate(struct gate_pipes *g, int n)
{
    close(g->ready[1]);
    close(g->go[0]);
    char byte;
    int ready = 0;
    while (ready < n && read_full(g->ready[0], &byte, 1) == 1)
        ready++;
    close(g->ready[0]);
    double start = now_s();
    close(g->go[1]);
    return ready == n ? start : -1.0;
}

static pid_t fork_child(void)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        die_call("fork", errno, __FILE__, __LINE__);
    return pid;
}

/* Reap every pid; a child that did not exit 0 is described in *why
 * (first one only).  Returns how many did not exit cleanly.  When one died
 * of SIGPIPE, the reader of our output went away: stop quietly. */
static int reap_children(const pid_t *pids, int n, const char *what,
                         char *why, size_t whylen)
{
    int bad = 0;
    bool reader_gone = false;
    for (int i = 0; i < n; i++) {
        int status;
        while (waitpid(pids[i], &status, 0) < 0)
            if (errno != EINTR)
                die_call("waitpid", errno, __FILE__, __LINE__);
        harness_untrack_child(pids[i]);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            continue;
        reader_gone |= WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE;
        if (bad++ == 0 && why[0] == '\0') {
            if (WIFSIGNALED(status))
                snprintf(why, whylen, "%s %d (pid %d) was killed by signal %d (%s)",
                         what, i, (int)pids[i], WTERMSIG(status),
                         strsignal(WTERMSIG(status)));
            else
                snprintf(why, whylen, "%s %d (pid %d) exited with status %d",
                         what, i, (int)pids[i], WEXITSTATUS(status));
        }
    }
    if (reader_gone)
        report_reader_gone();   /* after every child is reaped */
    return bad;
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

/* ------------------------------------------------------------ fork */

int run_fork(struct run_info *ri, struct task_result *results)
{
    int n = ri->tasks;
    pid_t parent = getpid();
    pid_t *pids = Calloc((size_t)n, sizeof *pids);
    bool *received = Calloc((size_t)n, sizeof *received);
    struct gate_pipes gate;
    int res[2];
    Pipe(gate.ready);
    Pipe(gate.go);
    Pipe(res);

    for (int i = 0; i < n; i++) {
        pids[i] = fork_child();
        if (pids[i] == 0) {
            harness_child_setup(parent);
            close(res[0]);
            child_wait_at_gate(&gate);
            struct gil_thread ts;
            struct task_result out;
            gil_thread_init(&ts, NULL, i);
            run_one_task(ri, i, &ts, &out);
            _exit(write_full(res[1], &out, sizeof out) == 0 ? 0 : 1);
        }
        harness_track_child(pids[i]);
    }
    close(res[1]);
    double start = parent_open_gate(&gate, n);
    struct task_result r;
    int got = 0;
    while (got < n && read_full(res[0], &r, sizeof r) == (ssize_t)sizeof r) {
        store_result(&r, n, results, received);
        got++;
    }
    ri->measured_s = now_s() - (start > 0 ? start : now_s());
    close(res[0]);

    char why[200] = "";
    reap_children(pids, n, "the process of task", why, sizeof why);
    mark_missing(received, results, n, why);
    free(received);
    free(pids);
    return 0;
}

/* ------------------------------------------------------------ pool */

static void pool_worker(const struct run_info *ri, int worker, int tasks_fd,
                        int results_fd)
{
    struct gil_thread ts;
    gil_thread_init(&ts, NULL, worker);
    int32_t index;
    while (read_full(tasks_fd, &index, sizeof index) == (ssize_t)sizeof index) {
        struct task_result out;
        if (index < 0 || index >= ri->tasks)
            _exit(1);
        run_one_task(ri, index, &ts, &out);
        if (write_full(results_fd, &out, sizeof out) != 0)
            _exit(1);
    }
    _exit(0);
}

int run_pool(struct run_info *ri, struct task_result *results)
{
    int n = ri->tasks, w = ri->workers;
    pid_t parent = getpid();
    pid_t *pids = Calloc((size_t)w, sizeof *pids);
    bool *received = Calloc((size_t)n, sizeof *received);
    struct gate_pipes gate;
    int tasks[2], res[2];
    Pipe(gate.ready);
    Pipe(gate.go);
    Pipe(tasks);
    Pipe(res);
    signal(SIGPIPE, SIG_IGN);   /* a dead pool's task pipe must say EPIPE */

    for (int i = 0; i < w; i++) {
        pids[i] = fork_child();
        if (pids[i] == 0) {
            harness_child_setup(parent);
            close(tasks[1]);
            close(res[0]);
            child_wait_at_gate(&gate);
            pool_worker(ri, i, tasks[0], res[1]);
        }
        harness_track_child(pids[i]);
    }
    close(tasks[0]);
    close(res[1]);
    double start = parent_open_gate(&gate, w);

    /* Feed tasks and collect results at the same time: with many tasks both
     * pipes can fill up, and a parent that only wrote would deadlock. */
    int sent = 0, got = 0;
    int task_fd = tasks[1];
    while (got < n) {
        struct pollfd fds[2] = {{.fd = res[0], .events = POLLIN},
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
            if (read_full(res[0], &r, sizeof r) != (ssize_t)sizeof r)
                break;   /* every worker has exited */
            store_result(&r, n, results, received);
            got++;
        }
    }
    ri->measured_s = now_s() - (start > 0 ? start : now_s());
    if (task_fd >= 0)
        close(task_fd);
    close(res[0]);

    char why[200] = "";
    reap_children(pids, w, "pool worker", why, sizeof why);
    mark_missing(received, results, n, why);
    free(received);
    free(pids);
    return 0;
}
