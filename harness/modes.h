/*
 * modes.h - the table of modes and the runners behind harness_run_tasks():
 * modes_thread.c (threads, gil, interp, threadpool), modes_proc.c (fork, pool),
 * modes.c (the table, seq, async and the dispatch).  main.c reads the
 * table; cases include harness.h only.
 */
#ifndef GILBENCH_MODES_H
#define GILBENCH_MODES_H

#include "harness.h"

/* What a mode is: everything option parsing, validation and the report
 * need to know about it, in one row per enum mode. */
enum worker_kind {
    WORKER_NONE,               /* the tasks run in the main thread */
    WORKER_THREAD,
    WORKER_PROCESS,
};
struct mode_info {
    const char *name;          /* as typed after --mode= and printed in tables */
    bool worker_per_task;      /* one worker per task; else one (seq) or a
                                  pool of --workers (default: usable CPUs) */
    bool shares_memory;        /* tasks share one address space */
    enum worker_kind kind;
};
extern const struct mode_info mode_table[MODE_COUNT];

/* The runners, one per kind of worker. */
int run_threads(struct run_info *ri, struct task_result *results);    /* threads, gil */
int run_interpreters(struct run_info *ri, struct task_result *results); /* interp */
int run_threadpool(struct run_info *ri, struct task_result *results);
int run_fork(struct run_info *ri, struct task_result *results);
int run_pool(struct run_info *ri, struct task_result *results);

#endif
