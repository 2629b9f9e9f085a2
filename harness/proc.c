/*
 * proc.c - see proc.h.
 *
 * A reader that went away: a child keeps SIGPIPE's default action, so one
 * that writes to a stdout nobody reads any more (`| head -1`) dies of
 * SIGPIPE.  That is not a failed run: after reaping, the parent stops the
 * same quiet way (report_reader_gone(): SIGPIPE, 141 in a shell).  Nothing
 * else sends our children SIGPIPE: the parent reads its pipes to the end.
 */
#include "proc.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checked.h"
#include "report.h"

/* ------------------------------------------------------------ child table */

#define TRACKED_MAX (FORK_MAX_TASKS + 64)
static volatile sig_atomic_t tracked[TRACKED_MAX]; /* pids; 0 = free slot */

int harness_track_child(pid_t pid)
{
    checked_set_cleanup(proc_kill_children);   /* die_call() kills them too */
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
void proc_kill_children(void)
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

/* ------------------------------------------------------------ signals */

/* Kill and reap every tracked child, then die of the same signal: it is
 * blocked while this handler runs, so raise() delivers it on return. */
static void on_fatal_signal(int sig)
{
    proc_kill_children();
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
    checked_set_cleanup(proc_kill_children);
}

/* ------------------------------------------------------------ one child */

void harness_child_setup(pid_t parent)
{
    /* The table holds the parent's children: not ours to kill.  Without
     * this, a checked call failing in a child (die_call) would SIGKILL its
     * older siblings and convoy's echo peer. */
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

pid_t harness_fork(void)
{
    pid_t parent = getpid();
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0)
        harness_child_setup(parent);
    else if (pid > 0)
        harness_track_child(pid);
    return pid;
}

void harness_stop_child(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    harness_untrack_child(pid);
}

/* ------------------------------------------------------------ many children */

int proc_reap(const pid_t *pids, int n, const char *what, char *why, size_t whylen)
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
