/*
 * modes.h - internal interface between the mode runners (modes.c,
 * modes_proc.c) and harness_main (main.c).  Cases include harness.h only.
 */
#ifndef GILBENCH_MODES_H
#define GILBENCH_MODES_H

#include <sys/types.h>

#include "harness.h"

/* Run task `index` in the calling thread with thread state ts. */
void run_one_task(const struct run_info *ri, int index, struct gil_thread *ts,
                  struct task_result *out);

/* The process modes.  A child that dies marks its task failed. */
int run_fork(struct run_info *ri, struct task_result *results);
int run_pool(struct run_info *ri, struct task_result *results);

/* More children than this in fork mode is a fork bomb: use pool. */
#define FORK_MAX_TASKS 1024

/* Install the SIGINT/SIGTERM/SIGHUP handler that kills and reaps every
 * tracked child, then dies of the same signal. */
void proc_install_signal_handlers(void);

#endif
