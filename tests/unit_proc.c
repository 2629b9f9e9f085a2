/*
 * unit_proc.c - the care of child processes (harness/proc.c): a forked
 * child starts with an empty child table, so a checked call failing in it
 * (die_call, which runs the cleanup hook) kills only what the child itself
 * started, never its older siblings or convoy's echo peer; the parent's
 * cleanup still kills and reaps every child it tracks.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checked.h"
#include "proc.h"
#include "unit.h"

/* A sibling that lives until its pipe closes, then exits 7. */
static pid_t start_sibling(int *release_fd)
{
    int p[2];
    Pipe(p);
    pid_t pid = harness_fork();
    if (pid == 0) {
        char byte;
        close(p[1]);
        while (read(p[0], &byte, 1) < 0 && errno == EINTR)
            ;
        _exit(7);
    }
    close(p[0]);
    *release_fd = p[1];
    return pid;
}

static int wait_status(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

static void test_failing_child_spares_siblings(void)
{
    int release;
    pid_t sibling = start_sibling(&release);
    pid_t failing = harness_fork();
    if (failing == 0) {   /* a checked call fails in the child (quietly) */
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(3);
        die_call("unit_proc's failing call", EIO, __FILE__, __LINE__);
    }
    int st = wait_status(failing);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "a failing checked call ends its child with 1");
    harness_untrack_child(failing);
    CHECK(waitpid(sibling, NULL, WNOHANG) == 0,
          "a child's failing checked call leaves its older sibling alive");
    close(release);
    st = wait_status(sibling);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "the sibling ends on its own terms");
    harness_untrack_child(sibling);
}

static void test_cleanup_kills_tracked(void)
{
    int release;
    pid_t child = start_sibling(&release);
    checked_run_cleanup();   /* what die_call and a fatal signal run */
    CHECK(waitpid(child, NULL, WNOHANG) == -1 && errno == ECHILD,
          "the cleanup hook kills and reaps a tracked child");
    close(release);
}

static void test_stop_child(void)
{
    int release;
    pid_t child = start_sibling(&release);
    harness_stop_child(child);
    CHECK(waitpid(child, NULL, WNOHANG) == -1 && errno == ECHILD,
          "harness_stop_child kills and reaps one child");
    close(release);
}

int main(void)
{
    test_failing_child_spares_siblings();
    test_cleanup_kills_tracked();
    test_stop_child();
    UNIT_EXIT();
}
