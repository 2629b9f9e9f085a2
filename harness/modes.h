/*
 * modes.h - the table of modes and the runners behind harness_run_tasks():
 * modes_thread.c (threads, gil, interp, threadpool), modes_proc.c (fork, pool),
 * modes.c (the table, seq, async and the dispatch).  The table itself,
 * mode_table[], is declared in harness.h: main.c and the cases read it.
 */
#ifndef GILBENCH_MODES_H
#define GILBENCH_MODES_H

#include "harness.h"

/* The runners, one per kind of worker. */
int run_threads(struct run_info *ri, struct task_result *results);    /* threads, gil */
int run_interpreters(struct run_info *ri, struct task_result *results); /* interp */
int run_threadpool(struct run_info *ri, struct task_result *results);
int run_fork(struct run_info *ri, struct task_result *results);
int run_pool(struct run_info *ri, struct task_result *results);

#endif
