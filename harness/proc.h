/*
 * proc.h - the care of child processes: the table of children, starting
 * one (harness_fork), stopping one, reaping many, and the signal handlers
 * that kill and reap them all before the process dies.
 *
 * No zombies, no orphans: every child is reaped before its run returns; a
 * child dies with its parent (PR_SET_PDEATHSIG); on SIGINT/SIGTERM/SIGHUP,
 * a failed checked call (die_call) or a reader that went away, the parent
 * kills and reaps every tracked child first.  A child starts with an empty
 * table: its parent's children are not its to kill.
 */
#ifndef GILBENCH_PROC_H
#define GILBENCH_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* More children than this in one run is a fork bomb (fork mode: use pool). */
#define FORK_MAX_TASKS 1024

/* Processes a case starts itself (an echo peer, a server) are registered
 * here, so that Ctrl-C kills and reaps them with the harness's own children.
 * Returns 0, or -1 when the table is full. */
int harness_track_child(pid_t pid);
void harness_untrack_child(pid_t pid);

/* In a child process just after fork(): default signal dispositions (so a
 * write to a stdout nobody reads ends the child by SIGPIPE), an empty child
 * table (the parent's children are not the child's to kill), and death with
 * the parent (PR_SET_PDEATHSIG) so that no orphan outlives a run, even when
 * the parent is killed with SIGKILL. */
void harness_child_setup(pid_t parent);

/* fork() with the care above: stdio flushed first; in the child
 * harness_child_setup() has run and 0 is returned; in the parent the child
 * is tracked and its pid returned.  -1 with errno set when fork() fails. */
pid_t harness_fork(void);

/* Kill (SIGKILL), reap and untrack one child. */
void harness_stop_child(pid_t pid);

/* Kill and reap every tracked child.  Async-signal-safe. */
void proc_kill_children(void);

/* Install the SIGINT/SIGTERM/SIGHUP handler that kills and reaps every
 * tracked child, then dies of the same signal; ignore SIGPIPE (a dead
 * child's pipe gives EPIPE). */
void proc_install_signal_handlers(void);

/* Reap pids[0..n-1] and untrack them; a child that did not exit 0 is
 * described in why ("WHAT I (pid P) was killed by signal ..."), the first
 * one only and only when why is still empty.  Returns how many did not exit
 * cleanly.  When one died of SIGPIPE, the reader of our output went away:
 * after reaping them all, report_reader_gone() ends the process. */
int proc_reap(const pid_t *pids, int n, const char *what, char *why, size_t whylen);

#endif
